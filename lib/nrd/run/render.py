"""One report, end to end: execute the notebook with papermill, then export the offline HTML page."""

from __future__ import annotations

import datetime as _dt
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nrd.errors import ReportError, UsageError
from nrd.languages import check_language
from nrd.log import logger
from nrd.periods import parse_period
from nrd.reports import FAN_OUT
from nrd.run.execute import DEFAULT_TIMEOUT_S, execute_notebook
from nrd.run.title_block import resolve_generated_on


@dataclass(frozen=True)
class ReportResult:
    """What one report run produced.

    Attributes:
        name: output stem (notebook name, plus the unit code or department when given).
        html_path: the page, or ``None`` when the run failed.
        ipynb_path: the executed notebook (kept on failure: it holds papermill's error cell).
        status: ``"ok"`` or ``"failed"``.
        error: the failure message, ``None`` when ok.
        duration_s: wall time of execution and export.
    """

    name: str
    html_path: Path | None
    ipynb_path: Path | None
    status: str
    error: str | None
    duration_s: float
    xlsx_path: Path | None = None  # the workbook, when the engine wrote it with the page (``workbook=``)

    @property
    def ok(self) -> bool:
        return self.status == "ok"


#: The notebook parameters that receive a fan-out key (``nrd.reports.FAN_OUT``), unit first.
_KEY_PARAMETERS = tuple(dict.fromkeys(FAN_OUT.values()))


def report_name(notebook: str | Path, parameters: dict[str, Any] | None = None) -> str:
    """The output stem: ``commune_scorecard-37001`` (the key parameter appended when present)."""
    stem = Path(notebook).stem
    for key in _KEY_PARAMETERS:
        value = (parameters or {}).get(key)
        if value not in (None, ""):
            return f"{stem}-{value}"
    return stem


def render_report(
    notebook: str | Path,
    *,
    period: str,
    parameters: dict[str, Any] | None = None,
    out_dir: str | Path,
    lang: str = "vi",
    data_dir: str | Path | None = None,
    title: str | None = None,
    generated_on: _dt.date | str | None = None,
    engine_name: str | None = None,
    timeout: int | None = DEFAULT_TIMEOUT_S,
    exclusions: dict[str, str] | None = None,
    workbook: dict[str, Any] | None = None,
) -> ReportResult:
    """Run one report notebook and render it to ``out_dir/<name>.html`` (executed notebook beside it).

    ``period``, ``lang`` and ``data_dir`` are passed to the notebook as parameters (``data_dir`` as an
    absolute path, since the kernel runs in the notebook's folder); ``parameters`` adds the rest (unit
    code, department...). A failing notebook does not raise: the result says ``failed`` and keeps the
    executed notebook with its error cell. ``engine_name``: ``None``/``nbclient`` (papermill's standard
    engine, a fresh kernel) or ``nrd-warm`` (the calling thread's warm kernel, ``nrd.run.warm``).
    ``exclusions``: what ``nrd run --accept-errors`` left out (``nrd.run.title_block.exclusion_meta``); the
    page then carries a banner saying so, linking the data-quality report when the publication has one. ``workbook``: ``nrd.run.export.
    write_report_workbook``'s keywords, for an engine that writes the page and the workbook where the report
    ran (``nrd-fork``: the same child); ``xlsx_path`` is then the workbook, or ``None`` when that failed or
    the engine does not (the run writes it itself).

    Raises:
        UsageError: bad period, language or engine, or the notebook does not exist (nothing was run).
    """
    started = time.perf_counter()
    notebook = Path(notebook)
    if not notebook.is_file():
        raise UsageError(f"notebook not found: {notebook}")
    check_language(lang)
    from nrd.run.engines import notebook_runner, resolve_engine

    engine_name = resolve_engine(engine_name)
    values: dict[str, Any] = {**(parameters or {}), "period": parse_period(period), "lang": lang}
    if data_dir is not None:
        values["data_dir"] = str(Path(data_dir).resolve())
    generated = resolve_generated_on(generated_on)
    name = report_name(notebook, values)
    out_dir = Path(out_dir)
    ipynb_path, html_path = out_dir / f"{name}.ipynb", out_dir / f"{name}.html"
    page = {"executed_ipynb": ipynb_path, "output_html": html_path, "title": title, "lang": lang,
            "meta": {"period": values["period"], **(exclusions or {})}, "generated_on": generated}
    xlsx_path = None
    try:
        runner = notebook_runner(engine_name)
        if runner is not None:  # nrd-fork: executed, exported (and the workbook written) in one child
            xlsx_path = _run_whole_report(runner, notebook, values, page, workbook, timeout)
        else:
            execute_notebook(notebook, values, ipynb_path, engine_name=engine_name, timeout=timeout)
            _export_here(**page)
    except ReportError as error:
        html_path.unlink(missing_ok=True)  # a stale page from an earlier run must not pass for this one
        logger.info("report %s failed: %s", name, error)  # the caller reports it (run log, CLI message)
        return ReportResult(name, None, ipynb_path if ipynb_path.exists() else None, "failed", str(error),
                            round(time.perf_counter() - started, 3))
    return ReportResult(name, html_path, ipynb_path, "ok", None, round(time.perf_counter() - started, 3),
                        xlsx_path)


def _run_whole_report(runner: Any, notebook: Path, values: dict[str, Any], page: dict[str, Any],
                      workbook: dict[str, Any] | None, timeout: int | None) -> Path | None:
    """The engine's child runs the report, writes its page and, when asked, its workbook; the workbook's
    path (``None``: not asked, or it failed there, logged)."""
    started = time.perf_counter()
    ipynb_path, html_path = page["executed_ipynb"], page["output_html"]
    ipynb_path.parent.mkdir(parents=True, exist_ok=True)
    outcome = runner(notebook.resolve(), dict(values), ipynb_path.resolve(), cwd=str(notebook.parent.resolve()),
                     timeout=timeout, page={**page, "executed_ipynb": str(ipynb_path.resolve()),
                                            "output_html": str(html_path.resolve())},
                     workbook=workbook)
    logger.info("executed %s and wrote %s (%d KB) in %.1f s, in a child of the fork server", notebook.name,
                html_path, html_path.stat().st_size // 1024, time.perf_counter() - started)
    if outcome.get("workbook_error"):
        logger.warning("%s: workbook not written with the page: %s", html_path.stem, outcome["workbook_error"])
    return Path(outcome["workbook"]) if outcome.get("workbook") else None


def _export_here(*args: Any, **kwargs: Any) -> None:
    """The page written by this process (engines without their own exporter). Imported here: a worker whose
    engine exports elsewhere (``nrd-fork``) never loads the exporter, nor pandas through it."""
    from nrd.run.html import export_html

    export_html(*args, **kwargs)

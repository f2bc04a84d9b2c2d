"""The monthly run: validate the data, plan the jobs, run them in parallel, publish the folder whole.

``run_plan`` is what ``nrd run`` calls. It is two stages so each can be tested on its own:

- ``prepare_run``: load and check the plan against the notebooks, read and validate the dataset (errors
  stop the run before any report), resolve the period, expand the jobs, compute the indicator table once;
- ``execute_run``: under the output folder's lock, stage a new publication, carry over unchanged reports,
  run the others through an executor (``nrd.run.executors``: threads here, each with a warm kernel of the
  ``nrd-warm`` engine, or a Dask cluster), export workbooks, build department folders, the index page and
  the manifest, then swap the publication in.

The indicator table of periods P-12..P is computed once per run and written to the run's work folder as
Parquet; every report whose notebook declares an ``indicators_path`` parameter receives it, instead of
recomputing the table in each notebook. The publication's ``indicators.csv``/``.parquet`` hold period P.

One failing report never stops the others: its executed notebook (with papermill's error cell) is kept,
and the failure is recorded in the manifest and on the index page.
"""

from __future__ import annotations

import datetime as _dt
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from nrd.errors import DataValidationError, PlanError
from nrd.log import logger
from nrd.run.lock import run_lock
from nrd.run.manifest import (
    job_fingerprint,
    lib_fingerprint,
    previous_successes,
    read_manifest,
    sha256_file,
    write_manifest,
)
from nrd.run.plan import Job, Plan, expand_plan, load_plan, resolve_plan_period, validate_plan
from nrd.run.publish import build_department_folders, clean_leftovers, link_or_copy, publish, staging_dir

RUN_LOG = "run.log"
#: Months of history reports draw (trend charts, changes): the shared indicator table covers P-12..P.
HISTORY_MONTHS = 12
INDICATORS_PARAMETER = "indicators_path"
DEFAULT_ENGINE = "nrd-warm"
# Reports every department folder receives besides its own brief.
SHARED_WITH_DEPARTMENTS = ("province_overview", "data_quality")

#: ``render(job, out_dir, generated_on) -> object`` with ``status``, ``html_path``, ``ipynb_path``, ``error``.
Renderer = Callable[[Job, Path, str], Any]
#: ``tables(job) -> {sheet name: DataFrame}``: the tables exported to the report's workbook.
TablesForJob = Callable[[Job], dict]


@dataclass
class JobResult:
    """What happened to one job. Paths are relative to the publication folder."""

    job: Job
    status: str  # "ok" | "failed" | "skipped" (unchanged since the last run, outputs carried over)
    fingerprint: str
    html: str | None = None
    ipynb: str | None = None
    xlsx: str | None = None
    error: str | None = None
    duration_s: float = 0.0
    outside_selection: bool = False  # kept from the previous publication, not part of this run's selection


@dataclass
class RunResult:
    """The outcome of a run; ``exit_code`` is what ``nrd run`` exits with."""

    publication: Path
    period: str
    results: list[JobResult] = field(default_factory=list)

    @property
    def failed(self) -> list[JobResult]:
        """This run's failed reports (a failure kept from an earlier run outside the selection is not one)."""
        return [r for r in self.results if r.status == "failed" and not r.outside_selection]

    @property
    def exit_code(self) -> int:
        if not [r for r in self.results if not r.outside_selection]:
            return 2
        return 1 if self.failed else 0


@dataclass
class PreparedRun:
    """Everything a run needs, computed before anything executes."""

    jobs: list[Job]
    period: str
    data_dir: Path
    input_hashes: dict[str, str]
    indicator_table: Any = None  # pandas DataFrame of period P, or None when the indicators are not available
    indicator_history: Any = None  # the indicator table of periods P-12..P shared with the reports
    tables_for_job: TablesForJob | None = None
    warnings: int = 0
    key_labels: dict[str, str] = field(default_factory=dict)  # unit code / department -> display name


@dataclass(frozen=True)
class ReportRenderer:
    """Render one job through ``nrd.run.render.render_report`` (execute + offline HTML).

    Picklable, so a Dask worker can run it. ``indicators_path`` (the shared indicator table) is passed to
    the notebooks that declare that parameter; it is not part of the job's parameters, so the report's
    fingerprint does not change with the run's temporary folder.
    """

    engine_name: str | None = DEFAULT_ENGINE
    indicators_path: str | None = None

    def __call__(self, job: Job, out_dir: Path, generated_on: str) -> Any:
        from nrd.run.render import render_report

        extra = {k: v for k, v in job.parameters.items() if k not in {"period", "data_dir", "lang"}}
        if self.indicators_path and INDICATORS_PARAMETER in _declared_parameters(str(job.notebook)):
            extra[INDICATORS_PARAMETER] = self.indicators_path
        return render_report(
            job.notebook,
            period=job.parameters["period"],
            parameters=extra,
            out_dir=out_dir,
            lang=job.lang,
            data_dir=job.parameters["data_dir"],
            generated_on=generated_on,
            engine_name=self.engine_name,
        )


#: The renderer of a run without options: the warm engine, no shared indicator table.
default_renderer = ReportRenderer()


def _declared_parameters(notebook: str) -> frozenset[str]:
    """The parameter names a notebook declares, read once per notebook version (mtime) and process."""
    stat = os.stat(notebook)
    return _declared_parameters_cached(notebook, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=64)
def _declared_parameters_cached(notebook: str, mtime_ns: int, size: int) -> frozenset[str]:
    del mtime_ns, size  # part of the cache key only
    import logging

    import nbformat

    from nrd.run.execute import notebook_parameters

    # papermill's parser skips (with a log line per call) an assignment whose comment it cannot parse;
    # a plain "name = ..." / "name: type = ..." line at the start of a line still declares the parameter
    logging.getLogger("papermill").disabled, was = True, logging.getLogger("papermill").disabled
    try:
        names = set(notebook_parameters(notebook))
    finally:
        logging.getLogger("papermill").disabled = was
    for cell in nbformat.read(notebook, as_version=4).cells:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            names.update(m.group(1) for m in _ASSIGNMENT.finditer(cell.source))
    return frozenset(names)


_ASSIGNMENT = re.compile(r"^([A-Za-z_]\w*)\s*(?::[^=\n]*)?=(?!=)", re.MULTILINE)


def prepare_run(
    plan: Plan | str | Path,
    *,
    data: str | Path | None = None,
    period: str | None = None,
    only: Sequence[str] = (),
    unit: Sequence[str] = (),
    lang: str | None = None,
) -> PreparedRun:
    """Check the plan and the data, and compute what the run will do (nothing is executed).

    Raises:
        PlanError: bad plan, unknown notebook or parameter, no dataset, empty selection.
        DataValidationError: the dataset has error findings (``findings`` holds them all).
    """
    from nrd.io import read_dataset

    plan = plan if isinstance(plan, Plan) else load_plan(plan)
    data_dir = Path(data) if data else plan.dataset
    if data_dir is None:
        raise PlanError(f"{plan.path}: dataset: no dataset folder; set `dataset:` or pass --data")
    if not data_dir.is_dir():
        raise PlanError(f"{plan.path}: dataset: folder {data_dir} not found")
    validate_plan(plan)
    ds = read_dataset(data_dir)
    if ds.errors:
        raise DataValidationError(ds.findings)
    resolved = resolve_plan_period(period or plan.period, ds.latest_period)
    keys = for_each_keys(ds, resolved)
    languages = (lang,) if lang else None
    if lang and lang not in ("vi", "en", "fr"):
        raise PlanError(f"--lang {lang!r}: expected vi, en or fr")
    jobs = expand_plan(
        plan,
        period=resolved,
        data_dir=data_dir.resolve(),
        keys=keys,
        languages=languages,
        only=tuple(only),
        units=tuple(_normalise_unit(u, ds) for u in unit),
    )
    from nrd.run.export import report_tables

    history, indicators = indicator_tables(ds, resolved)
    return PreparedRun(
        jobs=jobs,
        period=resolved,
        data_dir=data_dir.resolve(),
        input_hashes=dict(sorted(ds.input_hashes.items())),
        indicator_table=indicators,
        indicator_history=history,
        tables_for_job=lambda job: report_tables(job, indicators, ds, resolved),
        warnings=len(ds.warnings),
        key_labels=_key_labels(ds),
    )


def indicator_tables(ds: Any, period: str) -> tuple[Any, Any]:
    """The indicator table of periods P-12..P (computed once) and its period-P rows (the publication's)."""
    from nrd.indicators import build_indicator_table
    from nrd.periods import period_range, shift_period

    started = time.perf_counter()
    history = build_indicator_table(ds, period_range(shift_period(period, -HISTORY_MONTHS), period))
    current = history[history["period"] == period].reset_index(drop=True)
    logger.info("indicator table %s..%s: %d rows in %.1f s", shift_period(period, -HISTORY_MONTHS), period,
                len(history), time.perf_counter() - started)
    return history, current


def _key_labels(ds: Any) -> dict[str, str]:
    from nrd.reference import load_departments

    labels = dict(zip(ds.units["unit_code"].astype(str), ds.units["name"].astype(str)))
    departments = load_departments()
    labels.update(zip(departments["department"].astype(str), departments["name_vi"].astype(str)))
    return labels


def _normalise_unit(text: str, ds: Any) -> str:
    """A unit code or name as a 5-digit code; department ids pass through unchanged."""
    text = str(text).strip()
    if text.isdigit():
        return text.zfill(5)
    try:
        from nrd.reference import UnitRegistry

        return UnitRegistry(ds.units).resolve(text)
    except Exception:  # not a unit name: a department id (the registry's own error is not the point here)
        return text


def for_each_keys(ds: Any, period: str) -> dict[str, list[str]]:
    """The keys of each ``for_each`` kind for a dataset and period (pure).

    ``commune``: the communes of the registry (wards are outside the NRA criteria); ``department``: the
    departments owning a criterion of the set in force at ``period`` (the office's assignment when the
    dataset has one), in the registry's order; ``ocop_unit``: the units with at least one OCOP recognition.
    """
    from nrd.reference import load_departments

    units = ds.units
    communes = sorted(units.loc[units["unit_type"] == "commune", "unit_code"].astype(str))
    owning = set(ds.criteria_set_for(period).criteria["department"].dropna().astype(str))
    departments = [d for d in load_departments()["department"].astype(str) if d in owning]
    ocop_units: list[str] = []
    if ds.has("ocop_products"):
        ocop_units = sorted(set(ds.table("ocop_products")["unit_code"].dropna().astype(str)))
    return {"commune": communes, "department": departments, "ocop_unit": ocop_units}


def run_plan(
    plan: Plan | str | Path,
    *,
    data: str | Path | None = None,
    period: str | None = None,
    out: str | Path = "outputs",
    only: Sequence[str] = (),
    unit: Sequence[str] = (),
    workers: int | None = None,
    lang: str | None = None,
    force: bool = False,
    quiet: bool = False,
    on_start: Callable[[int], None] | None = None,
    on_result: Callable[[JobResult], None] | None = None,
    lock_wait_s: float = 5.0,
    engine: str | None = DEFAULT_ENGINE,
    executor: str = "local",
    scheduler: str | None = None,
) -> RunResult:
    """The monthly run, as ``nrd run`` does it (see the module docstring).

    Args:
        plan: a plan file or a loaded plan.
        data, period, only, unit, lang: override the plan (``unit``: unit codes/names or department ids
            restricting the ``for_each`` reports).
        out: the output folder; the publication is ``<out>/<period>/``.
        workers: reports run at the same time (default: the number of cores).
        force: re-run reports even when nothing they depend on changed.
        quiet: accepted for symmetry with the CLI (the library never prints; progress goes to callbacks).
        on_start, on_result: progress callbacks (number of jobs; each finished job).
        lock_wait_s: how long to wait for another run on the same ``out`` before ``LockError``.
        engine: papermill engine of the reports: ``nrd-warm`` (default, warm kernels) or ``nbclient``
            (papermill's standard engine, a fresh kernel per report).
        executor: ``local`` (threads) or ``dask``; ``scheduler``: a Dask scheduler address (without it,
            ``dask`` starts a LocalCluster of ``workers`` processes).

    Raises:
        PlanError, DataValidationError, LockError, UsageError: nothing ran.
    """
    del quiet
    from nrd.run.executors import make_executor
    from nrd.run.warm import check_engine

    check_engine(engine)
    pool = make_executor(executor, workers=workers, scheduler=scheduler)
    try:
        pool.prewarm(engine)  # kernels start while the data is checked and the indicators computed
        prepared = prepare_run(plan, data=data, period=period, only=only, unit=unit, lang=lang)
        return execute_run(
            prepared,
            out=out,
            workers=workers,
            force=force,
            on_start=on_start,
            on_result=on_result,
            lock_wait_s=lock_wait_s,
            engine=engine,
            executor=pool,
        )
    finally:
        pool.close()


def execute_run(
    prepared: PreparedRun,
    *,
    out: str | Path = "outputs",
    workers: int | None = None,
    force: bool = False,
    render: Renderer | None = None,
    on_start: Callable[[int], None] | None = None,
    on_result: Callable[[JobResult], None] | None = None,
    lock_wait_s: float = 5.0,
    now: _dt.datetime | None = None,
    engine: str | None = DEFAULT_ENGINE,
    executor: Any = None,
) -> RunResult:
    """Run prepared jobs into a staged publication and swap it in (see the module docstring).

    ``render`` defaults to ``ReportRenderer(engine, <shared indicator table>)``; ``executor`` to a
    ``LocalExecutor`` of ``workers`` threads, closed at the end (a given executor is left open).
    """
    from nrd.run.executors import LocalExecutor

    out = Path(out)
    own_executor = executor is None
    executor = executor or LocalExecutor(workers)
    workers = executor.workers
    try:
        return _execute_locked(prepared, out, workers, force, render, on_start, on_result, lock_wait_s, now,
                               engine, executor)
    finally:
        if own_executor:
            executor.close()


def _execute_locked(
    prepared: PreparedRun,
    out: Path,
    workers: int,
    force: bool,
    render: Renderer | None,
    on_start: Callable[[int], None] | None,
    on_result: Callable[[JobResult], None] | None,
    lock_wait_s: float,
    now: _dt.datetime | None,
    engine: str | None,
    executor: Any,
) -> RunResult:
    now = now or _dt.datetime.now().replace(microsecond=0)
    with run_lock(out, wait_s=lock_wait_s):
        clean_leftovers(out)
        staging = staging_dir(out, prepared.period)
        handler = _attach_run_log(staging / RUN_LOG)
        try:
            result = _run_into(staging, out, prepared, workers, force, render, on_start, on_result, now, engine,
                               executor)
        except BaseException:
            _detach_run_log(handler)
            shutil.rmtree(staging, ignore_errors=True)
            raise
        _detach_run_log(handler)
        result.publication = publish(staging, out, prepared.period)
    return result


def _run_into(
    staging: Path,
    out: Path,
    prepared: PreparedRun,
    workers: int,
    force: bool,
    render: Renderer,
    on_start: Callable[[int], None] | None,
    on_result: Callable[[JobResult], None] | None,
    now: _dt.datetime,
    engine: str | None,
    executor: Any,
) -> RunResult:
    started = time.perf_counter()
    logger.info(
        "run of period %s: %d report(s), %d worker(s), data %s",
        prepared.period,
        len(prepared.jobs),
        workers,
        prepared.data_dir,
    )
    if prepared.warnings:
        logger.info("the dataset has %d warning(s); see the data-quality report", prepared.warnings)
    if prepared.indicator_table is not None:
        _write_indicators(prepared.indicator_table, staging)
    lib = lib_fingerprint()
    notebook_hashes = {job.notebook: sha256_file(job.notebook) for job in prepared.jobs}
    fingerprints = {
        job.stem: job_fingerprint(
            notebook_sha256=notebook_hashes[job.notebook],
            parameters=job.parameters,
            lib=lib,
            inputs=prepared.input_hashes,
        )
        for job in prepared.jobs
    }
    previous_dir = out / prepared.period
    previous_manifest = read_manifest(previous_dir)
    previous = {} if force else previous_successes(previous_manifest)
    if on_start:
        on_start(len(prepared.jobs))

    results: dict[str, JobResult] = {}
    to_run: list[Job] = []
    for job in prepared.jobs:
        carried = _carry_over(job, fingerprints[job.stem], previous.get(job.stem), previous_dir, staging)
        if carried:
            results[job.stem] = carried
            logger.info("%s: unchanged since the last run, carried over", job.stem)
            if on_result:
                on_result(carried)
        else:
            to_run.append(job)

    generated_on = _generated_on(now)
    with tempfile.TemporaryDirectory(prefix="work-", dir=staging) as work_root:
        if render is None:
            render = ReportRenderer(engine, _write_shared_indicators(prepared, Path(work_root), to_run))
        tasks = [(job, str(Path(work_root) / job.stem), generated_on) for job in to_run]
        for outcome in executor.run(render, tasks):
            job = to_run[outcome.index]
            result = _finish_job(job, fingerprints[job.stem], outcome, staging, prepared.tables_for_job)
            results[job.stem] = result
            if on_result:
                on_result(result)

    ordered = [results[job.stem] for job in prepared.jobs]
    ordered += _keep_unselected(previous_manifest, set(results), previous_dir, staging)
    departments = _department_folders(staging, ordered)
    from nrd.run.index import write_index

    write_index(
        staging,
        period=prepared.period,
        results=ordered,
        generated_at=now,
        departments=departments,
        key_labels=prepared.key_labels,
    )
    manifest = {
        "period": prepared.period,
        "generated_at": now.isoformat(),
        "duration_s": round(time.perf_counter() - started, 3),
        "data_dir": str(prepared.data_dir),
        "inputs": prepared.input_hashes,
        "lib": lib,
        "versions": _versions(),
        "workers": workers,
        "executor": getattr(executor, "kind", "local"),
        "departments": departments,
        "reports": [_manifest_entry(r, notebook_hashes.get(r.job.notebook, "")) for r in ordered],
    }
    write_manifest(staging, manifest)
    failed = [r for r in ordered if r.status == "failed"]
    logger.info(
        "run done in %.1f s: %d ok, %d carried over, %d failed",
        time.perf_counter() - started,
        sum(r.status == "ok" for r in ordered),
        sum(r.status == "skipped" for r in ordered),
        len(failed),
    )
    for r in failed:
        logger.error("%s failed: %s", r.job.stem, r.error)
    return RunResult(publication=staging, period=prepared.period, results=ordered)


def _generated_on(now: _dt.datetime) -> str:
    """The pages' generated-on date: ``NRD_GENERATED_ON`` / ``SOURCE_DATE_EPOCH`` when set (reproducible
    builds, benchmarks comparing bytes), else the run's date."""
    if os.environ.get("NRD_GENERATED_ON") or os.environ.get("SOURCE_DATE_EPOCH"):
        from nrd.run.html import resolve_generated_on

        return resolve_generated_on(None).isoformat()
    return now.date().isoformat()


def _write_shared_indicators(prepared: PreparedRun, work_root: Path, jobs: list[Job]) -> str | None:
    """Write the P-12..P indicator table for the reports (when one of them can take it); its path."""
    if prepared.indicator_history is None or not jobs:
        return None
    if not any(INDICATORS_PARAMETER in _declared_parameters(str(job.notebook)) for job in jobs):
        return None
    path = work_root / "indicators_history.parquet"
    prepared.indicator_history.to_parquet(path, index=False)
    return str(path.resolve())


def _finish_job(
    job: Job, fingerprint: str, outcome: Any, staging: Path, tables_for_job: TablesForJob | None
) -> JobResult:
    """Move one rendered job's outputs to the publication layout and write its workbook."""
    started = time.perf_counter()
    result = JobResult(job=job, status="failed", fingerprint=fingerprint)
    if outcome.error is not None:
        result.error = outcome.error
        result.ipynb = _place(outcome.evidence, staging / "notebooks" / f"{job.stem}.ipynb")
    else:
        rendered = outcome.rendered
        status = str(getattr(rendered, "status", "failed"))
        result.error = getattr(rendered, "error", None)
        result.ipynb = _place(getattr(rendered, "ipynb_path", None), staging / "notebooks" / f"{job.stem}.ipynb")
        result.html = _place(getattr(rendered, "html_path", None), staging / "html" / f"{job.stem}.html")
        result.status = "ok" if status == "ok" and result.html else "failed"
        if result.status == "failed" and not result.error:
            result.error = f"render returned status {status!r} without HTML"
    if result.status == "ok" and tables_for_job is not None:
        try:
            from nrd.run.export import write_workbook

            path = staging / "xlsx" / f"{job.stem}.xlsx"
            write_workbook(tables_for_job(job), path, title=job.stem)
            result.xlsx = path.relative_to(staging).as_posix()
        except Exception as error:  # the HTML report stands; the missing workbook is logged, not fatal
            logger.error("%s: workbook export failed: %s: %s", job.stem, type(error).__name__, error)
    result.duration_s = round(outcome.duration_s + time.perf_counter() - started, 3)
    if result.status == "ok":
        logger.info("%s: ok in %.1f s", job.stem, result.duration_s)
    else:
        logger.error("%s: failed in %.1f s: %s", job.stem, result.duration_s, result.error)
    return result


def _place(source: Any, target: Path) -> str | None:
    """Move a produced file to its place in the publication; the path relative to the publication."""
    if not source:
        return None
    source = Path(source)
    if not source.is_file():
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(source), str(target))
    return f"{target.parent.name}/{target.name}"


def _carry_over(
    job: Job, fingerprint: str, previous: dict[str, Any] | None, previous_dir: Path, staging: Path
) -> JobResult | None:
    """Link the previous run's outputs of an unchanged report into the new publication."""
    if not previous or previous.get("fingerprint") != fingerprint:
        return None
    files = {kind: previous.get(kind) for kind in ("html", "ipynb", "xlsx")}
    if not files["html"] or not all((previous_dir / f).is_file() for f in files.values() if f):
        return None
    for relative in files.values():
        if relative:
            link_or_copy(previous_dir / relative, staging / relative)
    return JobResult(
        job=job,
        status="skipped",
        fingerprint=fingerprint,
        html=files["html"],
        ipynb=files["ipynb"],
        xlsx=files["xlsx"],
        duration_s=0.0,
    )


def _keep_unselected(
    manifest: dict[str, Any] | None, selected: set[str], previous_dir: Path, staging: Path
) -> list[JobResult]:
    """Reports of the previous publication outside this run's selection (--only, --unit), kept as they were.

    Without this, a partial run would swap in a publication holding only the reports it ran.
    """
    kept: list[JobResult] = []
    for entry in (manifest or {}).get("reports", []):
        stem = entry.get("stem")
        if not stem or stem in selected:
            continue
        files = {kind: entry.get(kind) for kind in ("html", "ipynb", "xlsx")}
        for relative in files.values():
            if relative and (previous_dir / relative).is_file():
                link_or_copy(previous_dir / relative, staging / relative)
        job = Job(
            report=entry["report"],
            notebook=Path(entry.get("notebook", "")),
            parameters=dict(entry.get("parameters") or {}),
            lang=entry.get("lang", "vi"),
            group=entry.get("group", "other"),
            key=entry.get("key"),
            stem=stem,
        )
        status = "failed" if entry.get("status") == "failed" else "skipped"
        kept.append(
            JobResult(job=job, status=status, fingerprint=entry.get("fingerprint", ""), error=entry.get("error"),
                      duration_s=0.0, outside_selection=True, **files)
        )
        selected.add(stem)
    if kept:
        logger.info("%d report(s) outside this run's selection kept from the previous publication", len(kept))
    return kept


def _department_folders(staging: Path, results: list[JobResult]) -> dict[str, list[str]]:
    own: dict[str, list[str]] = {}
    shared: list[str] = []
    for r in results:
        if r.status == "failed" or not r.html:
            continue
        if r.job.group == "departments" and r.job.key:
            own.setdefault(r.job.key, []).extend(f for f in (r.html, r.xlsx) if f)
        elif r.job.report in SHARED_WITH_DEPARTMENTS:
            shared.append(r.html)
    return build_department_folders(staging, own, shared) if own else {}


def _manifest_entry(r: JobResult, notebook_sha256: str) -> dict[str, Any]:
    return {
        "stem": r.job.stem,
        "report": r.job.report,
        "group": r.job.group,
        "key": r.job.key,
        "lang": r.job.lang,
        "notebook": r.job.notebook.name,
        "notebook_sha256": notebook_sha256,
        "parameters": {k: v for k, v in r.job.parameters.items() if k != "data_dir"},
        "status": r.status,
        "error": r.error,
        "fingerprint": r.fingerprint,
        "html": r.html,
        "ipynb": r.ipynb,
        "xlsx": r.xlsx,
        "duration_s": r.duration_s,
        "outside_selection": r.outside_selection,
    }


def _write_indicators(table: Any, staging: Path) -> None:
    table.to_csv(staging / "indicators.csv", index=False, lineterminator="\n")
    try:
        table.to_parquet(staging / "indicators.parquet", index=False)
    except ImportError as error:  # pyarrow is a dependency; keep the CSV if an install lacks it
        logger.error("indicators.parquet not written: %s", error)


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in ("nrd", "pandas", "papermill", "nbconvert", "nbclient", "ipykernel", "matplotlib", "seaborn"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found


def _attach_run_log(path: Path) -> tuple[logging.Handler, int]:
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.INFO)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(threadName)s %(message)s"))
    previous_level = logger.level
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    return handler, previous_level


def _detach_run_log(attached: tuple[logging.Handler, int]) -> None:
    handler, previous_level = attached
    logger.removeHandler(handler)
    handler.close()
    logger.setLevel(previous_level)

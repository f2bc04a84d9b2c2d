"""How a run renders one job: ``ReportRenderer`` (execute + offline HTML through ``render_report``).

The renderer is what an executor calls for each task, possibly on another machine (Dask), so it is a small
picklable object. The indicator table the run computed once (P-12..P) is written to the run's work folder
and its path given to the notebooks that declare the ``indicators_path`` parameter; the path is not part of
the job's parameters, so a report's fingerprint does not change with the run's temporary folder.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from nrd.run.engines import DEFAULT_ENGINE
from nrd.run.execute import declared_parameters
from nrd.run.model import Job, PreparedRun, RenderResult, registered_title

INDICATORS_PARAMETER = "indicators_path"


@dataclass(frozen=True)
class ReportRenderer:
    """Render one job through ``nrd.run.render.render_report`` (execute + offline HTML). Picklable.

    A registered report's page takes its title from the registry (``registered_title``), the title the
    index shows; a notebook that is not registered keeps the title it emits.
    """

    engine_name: str | None = DEFAULT_ENGINE
    indicators_path: str | None = None
    excluded_rows: int = 0  # rows left out for errors: each page carries the banner saying so

    def __call__(self, job: Job, out_dir: Path, generated_on: str) -> RenderResult:
        from nrd.run.render import render_report

        _warm_up_exports_once(self.engine_name)
        extra = {k: v for k, v in job.parameters.items() if k not in {"period", "data_dir", "lang"}}
        if self.indicators_path and INDICATORS_PARAMETER in declared_parameters(job.notebook):
            extra[INDICATORS_PARAMETER] = self.indicators_path
        return render_report(
            job.notebook,
            period=job.parameters["period"],
            parameters=extra,
            out_dir=out_dir,
            lang=job.lang,
            data_dir=job.parameters["data_dir"],
            title=registered_title(job),
            generated_on=generated_on,
            engine_name=self.engine_name,
            excluded_rows=self.excluded_rows,
        )


_WARM_UP = threading.Lock()
_warmed_up = False


def _warm_up_exports_once(engine_name: str | None) -> None:
    """Start, once per process, a background thread importing and compiling what comes after the first
    report (the HTML exporter, unless the engine writes pages elsewhere; openpyxl for the workbooks): it
    overlaps that report's execution, which runs in another process, instead of following it."""
    global _warmed_up
    from nrd.run.engines import page_exporter

    with _WARM_UP:
        if _warmed_up:
            return
        _warmed_up = True
    pages_here = page_exporter(engine_name) is None
    threading.Thread(target=_warm_up_exports, args=(pages_here,), name="nrd-warm-up-exports", daemon=True).start()


def _warm_up_exports(pages_here: bool) -> None:
    from nrd.log import logger

    try:
        if pages_here:
            from nrd.run.html import warm_up_exporter

            warm_up_exporter()
        import openpyxl  # noqa: F401 - the workbooks' writer, imported here rather than after the report
    except Exception as error:  # noqa: BLE001 - only a speed-up: the first export pays it and says why
        logger.debug("export warm-up failed: %s: %s", type(error).__name__, error)


#: The renderer of a run without options: the warm engine, no shared indicator table.
default_renderer = ReportRenderer()


def write_shared_indicators(prepared: PreparedRun, work_root: Path, jobs: list[Job]) -> str | None:
    """Write the P-12..P indicator table for the reports (when one of them can take it); its path."""
    if prepared.indicator_history is None or not jobs:
        return None
    if not any(INDICATORS_PARAMETER in declared_parameters(job.notebook) for job in jobs):
        return None
    path = work_root / "indicators_history.parquet"
    prepared.indicator_history.to_parquet(path, index=False)
    return str(path.resolve())

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
from nrd.run.model import Exclusions, Job, PreparedRun, RenderResult, registered_title
from nrd.run.title_block import exclusion_meta, workbook_note

INDICATORS_PARAMETER = "indicators_path"


@dataclass(frozen=True)
class ReportRenderer:
    """Render one job through ``nrd.run.render.render_report`` (execute + offline HTML). Picklable.

    A registered report's page takes its title from the registry (``registered_title``), the title the
    index shows; a notebook that is not registered keeps the title it emits.
    """

    engine_name: str | None = DEFAULT_ENGINE
    indicators_path: str | None = None
    #: what ``--accept-errors`` left out (``Exclusions``): each page carries the banner saying so, linking
    #: the data-quality page of its language (``quality_pages``: (lang, page) pairs) or of the first
    exclusions: Exclusions | None = None
    quality_pages: tuple[tuple[str, str], ...] = ()
    #: the notebooks (paths) that declare ``indicators_path``, read by the run's process; ``None``: read
    #: each notebook here (a worker given the list never loads nbformat and papermill to read them)
    indicator_notebooks: frozenset[str] | None = None
    #: the engine writes each report's workbook where the report runs, from the indicator table at
    #: ``indicators_path`` (``nrd.run.export.write_report_workbook``); the run places it (else writes it)
    workbooks: bool = False

    def __call__(self, job: Job, out_dir: Path, generated_on: str) -> RenderResult:
        from nrd.run.render import render_report

        _warm_up_exports_once(self.engine_name)
        extra = {k: v for k, v in job.parameters.items() if k not in {"period", "data_dir", "lang"}}
        if self.indicators_path and self._takes_indicators(job):
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
            exclusions=exclusion_meta(self.exclusions, self.quality_page(job.lang)),
            workbook={"job": job, "path": str(out_dir / f"{job.stem}.xlsx"), "indicators_path": self.indicators_path,
                      "note": workbook_note(self.exclusions, self.quality_pages)}
            if self.workbooks and self.indicators_path else None,
        )

    def quality_page(self, lang: str) -> str:
        """The data-quality page a page in ``lang`` links ("" when the run has none)."""
        pages = dict(self.quality_pages)
        return pages.get(lang) or next(iter(pages.values()), "")


    def _takes_indicators(self, job: Job) -> bool:
        if self.indicator_notebooks is not None:
            return str(job.notebook) in self.indicator_notebooks
        return INDICATORS_PARAMETER in declared_parameters(job.notebook)


def run_renderer(engine_name: str | None, indicators_path: str | None, jobs: list[Job],
                 exclusions: Exclusions | None = None, quality_pages: dict[str, str] | None = None,
                 workbooks: bool = False) -> ReportRenderer:
    """The renderer of a run's ``jobs``, with the notebooks that take the shared indicator table read here;
    ``workbooks``: the workbooks are the run's indicator rows and views (``report_tables``), which the
    engine may write where the reports run."""
    takes = None
    if indicators_path:
        takes = frozenset(str(job.notebook) for job in jobs
                          if INDICATORS_PARAMETER in declared_parameters(job.notebook))
    return ReportRenderer(engine_name, indicators_path, exclusions=exclusions or None,
                          quality_pages=tuple(sorted((quality_pages or {}).items())), indicator_notebooks=takes,
                          workbooks=workbooks)


_WARM_UP = threading.Lock()
_warmed_up = False


def _warm_up_exports_once(engine_name: str | None) -> None:
    """Start, once per process, a background thread importing and compiling the HTML exporter (unless the
    engine writes pages elsewhere): it overlaps the first report's execution, which runs in another
    process, instead of following it."""
    global _warmed_up
    from nrd.run.engines import notebook_runner

    with _WARM_UP:
        if _warmed_up:
            return
        _warmed_up = True
    if notebook_runner(engine_name) is None:  # else the engine's child writes the page
        threading.Thread(target=_warm_up, args=("html",), name="nrd-warm-up-exports", daemon=True).start()


def warm_up_workbooks() -> None:
    """Import the workbooks' writer (openpyxl) in a background thread of the run's process, which writes
    them, while the first reports run."""
    threading.Thread(target=_warm_up, args=("workbooks",), name="nrd-warm-up-workbooks", daemon=True).start()


def _warm_up(what: str) -> None:
    from nrd.log import logger

    try:
        if what == "html":
            from nrd.run.html import warm_up_exporter

            warm_up_exporter()
        else:
            import openpyxl  # noqa: F401
    except Exception as error:  # noqa: BLE001 - only a speed-up: the first export pays it and says why
        logger.debug("%s warm-up failed: %s: %s", what, type(error).__name__, error)


#: The renderer of a run without options: the warm engine, no shared indicator table.
default_renderer = ReportRenderer()


def write_shared_indicators(prepared: PreparedRun, work_root: Path, jobs: list[Job],
                            workbooks: bool = False) -> str | None:
    """Write the P-12..P indicator table for the reports (when one of them can take it, or ``workbooks``
    are written from it where the reports run); its path."""
    if prepared.indicator_history is None or not jobs:
        return None
    if not workbooks and not any(INDICATORS_PARAMETER in declared_parameters(job.notebook) for job in jobs):
        return None
    path = work_root / "indicators_history.parquet"
    prepared.indicator_history.to_parquet(path, index=False)
    return str(path.resolve())

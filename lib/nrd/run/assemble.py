"""Assembling the publication: each rendered job's files in place, its workbook, the department folders,
the indicator table.

Layout of ``<out>/<period>/``: ``html/<stem>.html``, ``notebooks/<stem>.ipynb``, ``xlsx/<stem>.xlsx``,
``departments/<department>/`` (a department's own reports plus the reports every department receives,
``nrd.reports.ReportKind.to_departments``), ``indicators.csv``/``.parquet`` (period P, written by the same
writer as ``nrd indicators``).
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

from nrd.log import logger
from nrd.run.model import Job, JobResult, Outcome, TablesForJob, kind_of
from nrd.run.publish import build_department_folders


def place(source: Any, target: Path) -> str | None:
    """Move a produced file to its place in the publication; the path relative to the publication."""
    if not source:
        return None
    source = Path(source)
    if not source.is_file():
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(source), str(target))
    return f"{target.parent.name}/{target.name}"


def finish_job(
    job: Job, fingerprint: str, outcome: Outcome, staging: Path, tables_for_job: TablesForJob | None,
    workbook_note: str = "",
) -> JobResult:
    """Move one rendered job's outputs to the publication layout and write its workbook (with
    ``workbook_note``, as where the report ran)."""
    started = time.perf_counter()
    result = JobResult(job=job, status="failed", fingerprint=fingerprint)
    if outcome.error is not None:
        result.error = outcome.error
        result.ipynb = place(outcome.evidence, staging / "notebooks" / f"{job.stem}.ipynb")
    else:
        rendered = outcome.rendered
        result.error = rendered.error
        result.ipynb = place(rendered.ipynb_path, staging / "notebooks" / f"{job.stem}.ipynb")
        result.html = place(rendered.html_path, staging / "html" / f"{job.stem}.html")
        result.status = "ok" if rendered.status == "ok" and result.html else "failed"
        if result.status == "failed" and not result.error:
            result.error = f"render returned status {rendered.status!r} without HTML"
    written = getattr(outcome.rendered, "xlsx_path", None) if result.status == "ok" else None
    if written is not None:  # written with the page, where the report ran
        result.xlsx = place(written, staging / "xlsx" / f"{job.stem}.xlsx")
    if result.status == "ok" and result.xlsx is None and tables_for_job is not None:
        result.xlsx = write_job_workbook(job, tables_for_job, staging, workbook_note)
    result.duration_s = round(outcome.duration_s + time.perf_counter() - started, 3)
    if result.status == "ok":
        logger.info("%s: ok in %.1f s", job.stem, result.duration_s)
    else:
        logger.error("%s: failed in %.1f s: %s", job.stem, result.duration_s, result.error)
    return result


def write_job_workbook(job: Job, tables_for_job: TablesForJob, staging: Path, note: str = "") -> str | None:
    """Write ``xlsx/<stem>.xlsx``; its path relative to the publication, ``None`` when it failed.

    Part of the one-report isolation boundary: the report's HTML page stands without its workbook, so a
    failure here is logged (with its traceback, in the run log) and the run goes on.
    """
    from nrd.run.export import write_workbook

    path = staging / "xlsx" / f"{job.stem}.xlsx"
    try:
        write_workbook(tables_for_job(job), path, title=job.stem, note=note)
    except Exception as error:  # noqa: BLE001 - one report's workbook, not the run: logged, not raised
        logger.error("%s: workbook export failed: %s: %s", job.stem, type(error).__name__, error, exc_info=True)
        path.unlink(missing_ok=True)
        return None
    return path.relative_to(staging).as_posix()


def department_folders(staging: Path, results: list[JobResult]) -> dict[str, list[str]]:
    """Build ``departments/<id>/``: each department's own reports (a department fan-out, page and workbook)
    plus the pages every department receives. Returns department -> files (relative paths)."""
    own: dict[str, list[str]] = {}
    shared: list[str] = []
    for r in results:
        if r.status == "failed" or not r.html:
            continue
        kind = kind_of(r.job)
        fans_out_by_department = kind.for_each == "department" if kind else r.job.group == "departments"
        if fans_out_by_department and r.job.key:
            own.setdefault(r.job.key, []).extend(f for f in (r.html, r.xlsx) if f)
        elif kind is not None and kind.to_departments:
            shared.append(r.html)
    return build_department_folders(staging, own, shared) if own else {}


def write_publication_indicators(table: Any, staging: Path) -> None:
    """``indicators.csv`` and ``indicators.parquet`` of period P (the writer of ``nrd indicators``)."""
    from nrd.io.indicator_table import write_indicator_table

    write_indicator_table(table, staging / "indicators.csv")

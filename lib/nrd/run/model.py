"""The run's data: jobs, what rendering one gives, each job's result, the run's result, its context.

No behaviour beyond small properties: the stages of a run (``prepare``, ``renderer``, ``incremental``,
``assemble``, ``manifest``, ``batch``) pass these between them.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from nrd.reports import REPORTS, ReportKind, find_report


@dataclass(frozen=True)
class Job:
    """One notebook execution of a run: a report for one key, in one language.

    ``kind`` is the report kind with the plan's overrides applied (group, fan-out key); ``None`` for a job
    built by hand, whose kind is then looked up by ``report`` (``kind_of``).
    """

    report: str
    notebook: Path
    parameters: dict[str, Any]
    lang: str
    group: str
    key: str | None
    stem: str  # file name (without extension) of its outputs in html/, notebooks/, xlsx/
    kind: ReportKind | None = None


def kind_of(job: Job) -> ReportKind | None:
    """The report kind of a job: its own, else the registered kind named like the report, else ``None``."""
    return job.kind or find_report(job.report)


def registered_title(job: Job, short: bool = False) -> str | None:
    """The title of a job's registered report kind in the job's language (``report.<kind>`` of
    ``labels.yaml``; ``report.<kind>.short`` when ``short``), ``None`` for a notebook that is not registered.

    The run gives it to the page's title block and to the index, so both show the same title.
    """
    from nrd.present.i18n import has_label, t

    kind = kind_of(job)
    if kind is None or kind.name not in REPORTS:
        return None
    key = kind.short_title_label if short and has_label(kind.short_title_label) else kind.title_label
    return t(key, job.lang) if has_label(key) else None


class RenderResult(Protocol):
    """What a renderer returns for one job (``nrd.run.render.ReportResult`` is one)."""

    status: str  # "ok" | "failed"
    html_path: Path | str | None
    ipynb_path: Path | str | None
    error: str | None


#: ``render(job, out_dir, generated_on) -> RenderResult``: execute one job's notebook and export its page.
Renderer = Callable[[Job, Path, str], RenderResult]
#: ``tables(job) -> {sheet name: DataFrame}``: the tables exported to the report's workbook.
TablesForJob = Callable[[Job], dict]


@dataclass
class Outcome:
    """What one render task gave: the renderer's result, or the error it raised (as text, picklable)."""

    index: int
    rendered: Any = None
    error: str | None = None
    evidence: str | None = None  # the executed notebook kept by a failing render, when it says so
    duration_s: float = 0.0


class Executor(Protocol):
    """Where the render tasks run (``nrd.run.executors``)."""

    kind: str
    workers: int

    def prewarm(self, engine_name: str | None, limit: int | None = None) -> None: ...

    def run(self, render: Callable[..., Any], tasks: Sequence[tuple[Any, str, str]]) -> Iterator[Outcome]: ...

    def close(self) -> None: ...


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


@dataclass(frozen=True)
class Exclusions:
    """What a run with ``--accept-errors`` left out of every report (falsy: the data had no error).

    ``errors``: the error findings accepted; ``rows``: the input rows left out (the rows of a table left out
    whole included); ``tables``: the tables left out whole, each with its row count, ``None`` when its file
    could not be read (the count is unknown).
    """

    errors: int = 0
    rows: int = 0
    tables: tuple[tuple[str, int | None], ...] = ()

    def __bool__(self) -> bool:
        return self.errors > 0

    def as_manifest(self) -> dict[str, Any]:
        return {"accepted_errors": self.errors, "excluded_rows": self.rows,
                "excluded_tables": {table: rows for table, rows in self.tables}}

    @classmethod
    def from_manifest(cls, manifest: dict[str, Any] | None) -> Exclusions:
        """The exclusions a manifest records (an older manifest without ``accepted_errors``: its rows)."""
        manifest = manifest or {}
        rows = int(manifest.get("excluded_rows") or 0)
        tables = tuple((str(t), n) for t, n in (manifest.get("excluded_tables") or {}).items())
        return cls(int(manifest.get("accepted_errors") or (1 if rows or tables else 0)), rows, tables)


#: Why a run exits 1, as ``manifest.json`` (``exit_reasons``) and the CLI's summary name it.
REPORTS_FAILED = "reports_failed"
ROWS_EXCLUDED = "rows_excluded"


@dataclass
class RunResult:
    """The outcome of a run; ``exit_code`` is what ``nrd run`` exits with, ``exit_reasons`` why."""

    publication: Path
    period: str
    results: list[JobResult] = field(default_factory=list)
    exclusions: Exclusions = field(default_factory=Exclusions)  # ``--accept-errors``: the run exits 1
    #: reports of the previous publication not kept (made from other data than an ``--accept-errors`` run's)
    dropped_reports: list[str] = field(default_factory=list)

    @property
    def excluded_rows(self) -> int:
        return self.exclusions.rows

    @property
    def failed(self) -> list[JobResult]:
        """This run's failed reports (a failure kept from an earlier run outside the selection is not one)."""
        return [r for r in self.results if r.status == "failed" and not r.outside_selection]

    @property
    def exit_reasons(self) -> list[str]:
        """``reports_failed`` and/or ``rows_excluded``: the two causes of exit code 1, told apart."""
        return [reason for reason, present in ((REPORTS_FAILED, self.failed), (ROWS_EXCLUDED, self.exclusions))
                if present]

    @property
    def exit_code(self) -> int:
        if not [r for r in self.results if not r.outside_selection]:
            return 2
        return 1 if self.exit_reasons else 0


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
    #: ``tables_for_job`` is ``report_tables`` over ``indicator_table``: a worker can compute the same
    #: workbook from the shared indicator table (``nrd.run.export.write_report_workbook``)
    standard_workbooks: bool = False
    warnings: int = 0
    key_labels: dict[str, str] = field(default_factory=dict)  # unit code / department -> display name
    front_figures: list[dict[str, str]] = field(default_factory=list)  # the index page's headline figures
    exclusions: Exclusions = field(default_factory=Exclusions)  # left out for errors (``accept_errors``)
    index_lang: str = "vi"  # the index page's language (the run's, when all its reports share one)


    @property
    def excluded_rows(self) -> int:
        return self.exclusions.rows

    @property
    def quality_pages(self) -> dict[str, str]:
        """Language -> the page (file name in ``html/``) of this run's data-quality report in it."""
        pages: dict[str, str] = {}
        for job in self.jobs:
            if job.notebook.stem == "data_quality" and job.key is None:
                pages.setdefault(job.lang, f"{job.stem}.html")
        return pages


@dataclass
class RunContext:
    """One run in progress: what it runs, where it writes, how, and whom it tells."""

    prepared: PreparedRun
    out: Path
    staging: Path
    executor: Executor
    now: _dt.datetime
    force: bool = False
    render: Renderer | None = None
    engine: str | None = None
    on_start: Callable[[int], None] | None = None
    on_result: Callable[[JobResult], None] | None = None

    @property
    def previous_dir(self) -> Path:
        """The publication this run replaces (it may not exist)."""
        return self.out / self.prepared.period

    def report(self, result: JobResult) -> None:
        if self.on_result:
            self.on_result(result)

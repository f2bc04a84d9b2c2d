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


@dataclass
class RunResult:
    """The outcome of a run; ``exit_code`` is what ``nrd run`` exits with."""

    publication: Path
    period: str
    results: list[JobResult] = field(default_factory=list)
    excluded_rows: int = 0  # input rows left out for errors (``--accept-errors``): the run exits 1

    @property
    def failed(self) -> list[JobResult]:
        """This run's failed reports (a failure kept from an earlier run outside the selection is not one)."""
        return [r for r in self.results if r.status == "failed" and not r.outside_selection]

    @property
    def exit_code(self) -> int:
        if not [r for r in self.results if not r.outside_selection]:
            return 2
        return 1 if self.failed or self.excluded_rows else 0


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
    excluded_rows: int = 0  # input rows with errors left out of every report (``accept_errors``)
    index_lang: str = "vi"  # the index page's language (the run's, when all its reports share one)


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

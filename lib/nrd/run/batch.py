"""The monthly run, as ``nrd run`` does it: orchestration only, each step in its own module.

``run_plan`` = ``prepare_run`` (``nrd.run.prepare``: plan, data, period, jobs, the indicator table; nothing
runs) then ``execute_run``, whose steps read top to bottom in ``_run``:

1. lock the output folder and stage a new publication (``nrd.run.lock``, ``nrd.run.publish``);
2. plan the increments: fingerprint every job, carry over the unchanged ones (``nrd.run.incremental``);
3. execute the others through an executor (``nrd.run.executors``: threads, each with a warm kernel of the
   ``nrd-warm`` engine, or a Dask cluster) with the renderer (``nrd.run.renderer``);
4. assemble: files in place, workbooks, department folders, the indicator table (``nrd.run.assemble``);
5. the index page (``nrd.run.index``) and the manifest (``nrd.run.manifest``);
6. publish: swap the staged folder in whole.

One failing report never stops the others (``nrd.run.executors.render_task`` is the isolation boundary):
its executed notebook (with papermill's error cell) is kept, and the failure is recorded in the manifest,
on the index page and in ``run.log`` (``nrd.run.runlog``).
"""

from __future__ import annotations

import datetime as _dt
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from nrd.log import logger
from nrd.run import assemble, incremental
from nrd.run.engines import DEFAULT_ENGINE, notebook_runner, resolve_engine
from nrd.run.executors import LocalExecutor, make_executor
from nrd.run.index import write_index
from nrd.run.lock import run_lock
from nrd.run.manifest import (manifest_entry, outcome_fields, package_versions, previous_successes, read_manifest,
                              write_manifest)
from nrd.run.model import Executor, Job, JobResult, PreparedRun, Renderer, RunContext, RunResult
from nrd.run.plan import Plan, load_plan, most_jobs
from nrd.run.prepare import for_each_keys, indicator_tables, prepare_run
from nrd.run.publish import clean_leftovers, publish, staging_dir
from nrd.run.renderer import ReportRenderer, run_renderer, warm_up_workbooks, write_shared_indicators
from nrd.run.runlog import RUN_LOG, run_log
from nrd.run.title_block import run_clock, run_generated_on, workbook_note

# The run's public names, importable from here as before the split.
__all__ = ["DEFAULT_ENGINE", "JobResult", "PreparedRun", "ReportRenderer", "RunResult", "execute_run",
           "for_each_keys", "indicator_tables", "prepare_run", "run_plan"]


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
    on_start: Callable[[int], None] | None = None,
    on_result: Callable[[JobResult], None] | None = None,
    lock_wait_s: float = 5.0,
    engine: str | None = DEFAULT_ENGINE,
    executor: str = "local",
    scheduler: str | None = None,
    accept_errors: bool = False,
) -> RunResult:
    """The monthly run, as ``nrd run`` does it (see the module docstring).

    Args:
        plan: a plan file or a loaded plan.
        data, period, only, unit, lang: override the plan (``unit``: unit codes/names or department ids
            restricting the ``for_each`` reports).
        out: the output folder; the publication is ``<out>/<period>/``.
        workers: reports run at the same time (default: the number of cores).
        force: re-run reports even when nothing they depend on changed.
        on_start, on_result: progress callbacks (number of jobs; each finished job). The library never
            prints: what a user sees is the caller's (the CLI's progress bar and log handler).
        lock_wait_s: how long to wait for another run on the same ``out`` before ``LockError``.
        engine: papermill engine of the reports (``nrd.run.engines``): ``nrd-warm`` (default, warm
            kernels) or ``nbclient`` (papermill's standard engine, a fresh kernel per report).
        executor: ``local`` (threads) or ``dask``; ``scheduler``: a Dask scheduler address (without it,
            ``dask`` starts a LocalCluster of ``workers`` processes).
        accept_errors: publish although the data has errors, their rows left out, every page, workbook and
            the index saying so (docs/automation.md); every report is re-run, the last publication's others
            kept only when made from the same data (``incremental.same_data``); ``exit_code`` 1.

    Raises:
        PlanError, DataValidationError, LockError, UsageError: nothing ran.
    """
    resolve_engine(engine)  # a bad name fails before any work; papermill is loaded where it runs
    plan = plan if isinstance(plan, Plan) else load_plan(plan)
    bound = most_jobs(plan, languages=(lang,) if lang else None, only=tuple(only), units=tuple(unit))
    pool = make_executor(executor, workers=workers, scheduler=scheduler)
    try:
        # Workers start while the data is checked and the indicators computed; a run of one report starts
        # one, not one per core (a second would only compete for the cores the data check needs).
        pool.prewarm(engine, limit=bound)
        prepared = prepare_run(plan, data=data, period=period, only=only, unit=unit, lang=lang,
                               accept_errors=accept_errors)
        return execute_run(prepared, out=out, force=force or bool(prepared.exclusions), on_start=on_start,
                           on_result=on_result,
                           lock_wait_s=lock_wait_s, engine=engine, executor=pool)
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
    executor: Executor | None = None,
) -> RunResult:
    """Run prepared jobs into a staged publication and swap it in (see the module docstring).

    ``render`` defaults to ``ReportRenderer(engine, <shared indicator table>)``; ``executor`` to a
    ``LocalExecutor`` of ``workers`` threads, closed at the end (a given executor is left open).
    """
    out = Path(out)
    own_executor = executor is None
    executor = executor or LocalExecutor(workers)
    now = run_clock(now)
    try:
        with run_lock(out, wait_s=lock_wait_s):
            clean_leftovers(out)
            staging = staging_dir(out, prepared.period)
            context = RunContext(prepared=prepared, out=out, staging=staging, executor=executor, now=now,
                                 force=force, render=render, engine=engine, on_start=on_start,
                                 on_result=on_result)
            try:
                with run_log(staging / RUN_LOG):
                    result = _run(context)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)  # the last publication stays as it was
                raise
            result.publication = publish(staging, out, prepared.period)
        return result
    finally:
        if own_executor:
            executor.close()


def _run(context: RunContext) -> RunResult:
    """The run's steps, in order, into the staging folder (see the module docstring)."""
    started = time.perf_counter()
    prepared, staging = context.prepared, context.staging
    logger.info("run of period %s: %d report(s), %d worker(s), data %s", prepared.period, len(prepared.jobs),
                context.executor.workers, prepared.data_dir)
    if prepared.warnings:
        logger.info("the dataset has %d warning(s); see the data-quality report", prepared.warnings)
    if prepared.indicator_table is not None:
        assemble.write_publication_indicators(prepared.indicator_table, staging)

    prints = incremental.fingerprint_jobs(prepared.jobs, prepared.input_hashes)
    previous_manifest = read_manifest(context.previous_dir)
    results, to_run = _carry_over_unchanged(context, prints, previous_manifest)
    results.update(_execute(context, prints, to_run))

    kept, dropped = incremental.previous_outside_selection(previous_manifest, set(results), prepared,
                                                           context.previous_dir, staging)
    ordered = [results[job.stem] for job in prepared.jobs] + kept
    result = RunResult(publication=staging, period=prepared.period, results=ordered,
                       exclusions=prepared.exclusions, dropped_reports=dropped)
    departments = assemble.department_folders(staging, ordered)
    write_index(staging, period=prepared.period, results=ordered, generated_at=context.now,
                departments=departments, key_labels=prepared.key_labels, figures=prepared.front_figures,
                exclusions=prepared.exclusions, lang=prepared.index_lang)
    write_manifest(staging, {
        "period": prepared.period,
        "generated_at": context.now.isoformat(),
        "duration_s": round(time.perf_counter() - started, 3),
        "data_dir": str(prepared.data_dir),
        "inputs": prepared.input_hashes,
        "lib": prints.lib,
        "versions": package_versions(),
        "workers": context.executor.workers,
        **outcome_fields(result),
        "executor": context.executor.kind,
        "departments": departments,
        "reports": [manifest_entry(r, prints.notebooks.get(r.job.notebook, "")) for r in ordered],
    })
    _log_summary(ordered, time.perf_counter() - started)
    return result


def _carry_over_unchanged(
    context: RunContext, prints: incremental.Fingerprints, previous_manifest: dict | None
) -> tuple[dict[str, JobResult], list[Job]]:
    """The jobs carried over from the last publication (unchanged fingerprint), and the jobs to run."""
    previous = {} if context.force else previous_successes(previous_manifest)
    if context.on_start:
        context.on_start(len(context.prepared.jobs))
    results: dict[str, JobResult] = {}
    to_run: list[Job] = []
    for job in context.prepared.jobs:
        carried = incremental.carry_over(job, prints.jobs[job.stem], previous.get(job.stem), context.previous_dir,
                                         context.staging)
        if carried:
            results[job.stem] = carried
            logger.info("%s: unchanged since the last run, carried over", job.stem)
            context.report(carried)
        else:
            to_run.append(job)
    return results, to_run


def _execute(context: RunContext, prints: incremental.Fingerprints, to_run: list[Job]) -> dict[str, JobResult]:
    """Render ``to_run`` through the executor; each job's files placed as it finishes."""
    results: dict[str, JobResult] = {}
    generated_on = run_generated_on(context.now)
    # With nrd-fork the report's child writes its workbook too (the same tables, from the shared indicator
    # table): the run's process, or a Dask client, then only places files.
    workbooks_where_run = (context.render is None and context.prepared.standard_workbooks
                           and notebook_runner(context.engine) is not None)
    prepared, note = context.prepared, workbook_note(context.prepared.exclusions, context.prepared.quality_pages)
    with tempfile.TemporaryDirectory(prefix="work-", dir=context.staging) as work_root:
        render = context.render or run_renderer(
            context.engine, write_shared_indicators(prepared, Path(work_root), to_run, workbooks_where_run),
            to_run, prepared.exclusions, prepared.quality_pages, workbooks=workbooks_where_run)
        if not workbooks_where_run:
            warm_up_workbooks()
        tasks = [(job, str(Path(work_root) / job.stem), generated_on) for job in to_run]
        for outcome in context.executor.run(render, tasks):
            job = to_run[outcome.index]
            result = assemble.finish_job(job, prints.jobs[job.stem], outcome, context.staging,
                                         prepared.tables_for_job, note)
            results[job.stem] = result
            context.report(result)
    return results


def _log_summary(results: list[JobResult], seconds: float) -> None:
    failed = [r for r in results if r.status == "failed"]
    logger.info("run done in %.1f s: %d ok, %d carried over, %d failed", seconds,
                sum(r.status == "ok" for r in results), sum(r.status == "skipped" for r in results), len(failed))
    for r in failed:  # each was logged as an error when it finished; this is the run log's summary
        logger.info("%s failed: %s", r.job.stem, r.error)

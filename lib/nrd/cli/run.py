"""``nrd run``: the monthly run of a plan (validate the data, run every report, publish the folder).

Exit codes: 0 every report ok (or unchanged); 1 some reports failed (the others are published), or the run
was published with rows left out for errors (``--accept-errors``), or both; 2 nothing ran (bad plan, invalid
data without ``--accept-errors``, another run holds the output folder). Exit 1's two causes are told apart by
the last line printed (``exit 1: reports_failed, rows_excluded``) and by ``manifest.json``'s
``exit_reasons``; ``failed_reports`` and ``excluded_rows`` count them.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Optional

import typer

from nrd.cli.app import app, console, set_console_level, user_text
from nrd.errors import DataValidationError, NrdError
from nrd.run.engines import DEFAULT_ENGINE

DEFAULT_PLAN = Path("params/monthly.yaml")


@app.command("run")
def run_command(
    plan: Path = typer.Argument(DEFAULT_PLAN, help="Run plan (YAML); default params/monthly.yaml."),
    data: Optional[Path] = typer.Option(None, "--data", help="Dataset folder (overrides the plan's `dataset`)."),
    period: Optional[str] = typer.Option(
        None, "--period", help="YYYY-MM, previous-month or latest (overrides the plan)."
    ),
    out: Path = typer.Option(Path("outputs"), "--out", help="Output folder; the run publishes <out>/<period>/."),
    only: list[str] = typer.Option([], "--only", help="Run only this report (repeatable)."),
    unit: list[str] = typer.Option(
        [], "--unit", help="Restrict per-commune / per-department reports to this unit code, name or department."
    ),
    workers: Optional[int] = typer.Option(None, "--workers", min=1, help="Reports run at once (default: cores)."),
    lang: Optional[str] = typer.Option(None, "--lang", help="Language vi, en or fr (overrides the plan)."),
    force: bool = typer.Option(False, "--force", help="Re-run reports even when nothing they depend on changed."),
    quiet: bool = typer.Option(
        False, "--quiet", help="No progress bar and no warnings (for cron); errors still go to stderr. "
        "run.log keeps everything."
    ),
    engine: str = typer.Option(
        DEFAULT_ENGINE, "--engine",
        help="papermill engine: nrd-fork (default: a forked child per report, no kernel; nrd-warm where "
        "fork is unavailable), nrd-warm (warm kernels) or nbclient (a fresh kernel per report).",
    ),
    executor: str = typer.Option("local", "--executor", help="local (threads) or dask (a Dask cluster)."),
    accept_errors: bool = typer.Option(
        False, "--accept-errors",
        help="Publish although the data has errors: the rows with errors are left out, every page and the "
        "index say how many (and which tables went whole) and link the data-quality report (always run "
        "then), workbooks carry the same note, and the run exits 1 (manifest.json: exit_reasons "
        "rows_excluded). Without it, invalid data stops the run (exit 2).",
    ),
    scheduler: Optional[str] = typer.Option(
        None, "--scheduler", help="Dask scheduler address (tcp://host:8786); without it --executor dask "
        "starts a local cluster of --workers processes. See docs/scale.md."
    ),
) -> None:
    """Run every report of a plan for one period and publish them under <out>/<period>/."""
    from nrd.run.batch import run_plan

    if quiet:
        set_console_level(logging.ERROR)
    progress, on_start, on_result = _progress(console, quiet)
    try:
        if progress is not None:
            progress.start()
        try:
            result = run_plan(
                plan,
                data=data,
                period=period,
                out=out,
                only=only,
                unit=unit,
                workers=workers,
                lang=lang,
                force=force,
                on_start=on_start,
                on_result=on_result,
                engine=engine,
                executor=executor,
                scheduler=scheduler,
                accept_errors=accept_errors,
            )
        finally:
            if progress is not None:
                progress.stop()
    except DataValidationError as error:
        _print_findings(console, error.findings)
        console.print(f"[bold red]error:[/] {user_text(error)}; no report was run", highlight=False)
        raise typer.Exit(2) from None
    except NrdError as error:  # bad plan, lock held: nothing ran
        console.print(f"[bold red]error:[/] {user_text(error)}", highlight=False)
        raise typer.Exit(2) from None
    failed = result.failed
    ok = sum(r.status == "ok" for r in result.results)
    skipped = sum(r.status == "skipped" for r in result.results)
    if not quiet or failed:
        console.print(
            f"{user_text(result.publication)}: {ok} report(s) ok, {skipped} unchanged, {len(failed)} failed",
            highlight=False,
        )
    excluded = result.exclusions
    if excluded:
        tables = "".join(f"; table {user_text(table)} left out whole "
                         f"({'its file could not be read' if rows is None else f'{rows} rows'})"
                         for table, rows in excluded.tables)
        count = f"{excluded.rows} input row(s)" if excluded.rows else "input rows"
        console.print(f"[bold red]published with {count} with errors left out[/]{tables} "
                      f"(--accept-errors, {excluded.errors} error(s) accepted): see the data-quality report",
                      highlight=False)
    if result.dropped_reports:
        console.print(f"[yellow]{len(result.dropped_reports)} report(s) of the last publication not kept[/]: made "
                      "from other data than this run's; run them again to publish them", highlight=False)
    for r in failed:
        console.print(f"[red]failed[/] {user_text(r.job.stem)}: {user_text(r.error)} (notebook: {user_text(r.ipynb)})",
                      highlight=False)
    index = Path(result.publication) / "index.html"
    if index.is_file() and not quiet:
        console.print(f"open {index.resolve().as_uri()}", highlight=False, soft_wrap=True)
    if result.exit_code:
        # One line a cron mail or wrapper can read: which of exit 1's causes (manifest.json: exit_reasons).
        console.print(f"exit {result.exit_code}: {', '.join(result.exit_reasons) or 'no report of the selection ran'}",
                      highlight=False)
    raise typer.Exit(result.exit_code)


def _progress(console, quiet: bool):
    """A rich progress bar with done / failed / remaining and ETA, fed by the run's callbacks."""
    if quiet:
        return None, None, None
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    progress = Progress(
        TextColumn("[bold]nrd run"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} done · [red]{task.fields[failed]} failed[/] · "
                   "{task.fields[remaining]} remaining"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    )
    state = {"task": None, "failed": 0, "total": 0, "done": 0}

    def on_start(total: int) -> None:
        state["total"] = total
        state["task"] = progress.add_task("run", total=total, failed=0, remaining=total)

    def on_result(result) -> None:
        state["done"] += 1
        state["failed"] += result.status == "failed"
        progress.update(
            state["task"], advance=1, failed=state["failed"], remaining=state["total"] - state["done"]
        )

    return progress, on_start, on_result


def _print_findings(console, findings) -> None:
    from rich.table import Table

    table = Table(title="Data errors (no report was run)", show_lines=False)
    for column in ("file", "sheet", "row", "column", "value", "expected", "message"):
        table.add_column(column)
    errors = [f for f in findings if getattr(f, "severity", "error") == "error"]
    for finding in errors[:200]:
        table.add_row(*(_text(getattr(finding, c, "")) for c in ("file", "sheet", "row", "column", "value",
                                                                    "expected", "message")))
    console.print(table)
    if len(errors) > 200:
        console.print(f"... and {len(errors) - 200} more; run `nrd validate` for the full table", highlight=False)


def _text(value) -> str:
    return "" if value is None else user_text(value)

"""``nrd validate DATA_DIR``: read a dataset folder, show every finding; exit 0 valid, 1 errors, 2 usage."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from pathlib import Path

import typer

from nrd.cli.app import app, fail, user_text
from nrd.errors import NrdError
from nrd.io.csv_safe import neutralise

FORMATS = ("table", "csv", "json")
_COLUMNS = ("severity", "file", "sheet", "row", "column", "value", "message / expected")


def _print_table(findings, console) -> None:
    from rich.table import Table

    table = Table(title="Findings", show_lines=False)
    for name in _COLUMNS:
        table.add_column(name, overflow="fold", no_wrap=name in ("severity", "file", "sheet", "row"))
    for f in findings:
        style = "red" if f.severity == "error" else "yellow"
        detail = f.message + (f" — expected {f.expected}" if f.expected else "")
        table.add_row(
            f"[{style}]{f.severity}[/]",
            user_text(f.file),
            user_text(f.sheet),
            "" if f.row is None else str(f.row),
            user_text(f.column),
            user_text(f.value),
            user_text(detail),
        )
    console.print(table)


def _print_summary(dataset, wanted, console) -> None:
    from rich.table import Table

    table = Table(title="Tables")
    for name in ("table", "file", "rows read", "rows rejected", "periods"):
        table.add_column(name)
    for name in wanted:
        stats = dataset.stats.get(name)
        if stats is None:
            table.add_row(user_text(name), "not present", "", "", "")
            continue
        frame = dataset.tables.get(name)
        periods = ""
        if frame is not None and "period" in frame.columns and frame["period"].notna().any():
            periods = f"{frame['period'].min()} … {frame['period'].max()}"
        where = stats.file + (f":{stats.sheet}" if stats.sheet else "")
        table.add_row(user_text(name), user_text(where), str(stats.rows_read), str(stats.rows_rejected),
                      user_text(periods))
    console.print(table)


@app.command()
def validate(
    data_dir: Path = typer.Argument(..., help="Dataset folder (<table>.csv/.xlsx files or dataset.xlsx)."),
    table: list[str] = typer.Option(None, "--table", "-t", help="Only these tables (repeatable)."),
    output_format: str = typer.Option("table", "--format", "-f", help="table, csv or json."),
    summary: bool = typer.Option(
        False, "--summary", help="Also show rows read/rejected and periods per table."
    ),
    no_cache: bool = typer.Option(False, "--no-cache", help="Read the files even when a cached read exists."),
) -> None:
    """Check a dataset folder against the data contract; list every error and warning with its row."""
    from rich.console import Console

    from nrd.contract import TABLE_NAMES
    from nrd.errors import UsageError
    from nrd.io import read_dataset

    console = Console(highlight=False)
    if not console.is_terminal:  # piped or captured: wide lines beat a wrapped table
        console = Console(highlight=False, width=max(console.width, 200))
    try:
        if output_format not in FORMATS:
            raise UsageError(f"unknown --format {output_format!r}: expected one of {', '.join(FORMATS)}")
        unknown = [t for t in table or [] if t not in TABLE_NAMES]
        if unknown:
            raise UsageError(f"unknown table(s) {', '.join(unknown)}: expected {', '.join(TABLE_NAMES)}")
        wanted = list(table) if table else list(TABLE_NAMES)
        dataset = read_dataset(data_dir, tables=wanted, use_cache=not no_cache)
    except NrdError as error:
        fail(error)
        return
    findings = dataset.findings
    missing = [t for t in wanted if t not in dataset.stats]
    if output_format == "json":
        typer.echo(
            json.dumps(
                {
                    "data_dir": str(data_dir),
                    "errors": len(dataset.errors),
                    "warnings": len(dataset.warnings),
                    "not_present": missing,
                    "tables": {k: asdict(v) for k, v in dataset.stats.items()},
                    "findings": [asdict(f) for f in findings],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    elif output_format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(
            ["severity", "rule", "table", "file", "sheet", "row", "column", "value", "expected", "message"]
        )
        for f in findings:
            writer.writerow(
                # The office opens this file in Excel: a cell written by a commune must not become a formula.
                neutralise(cell) for cell in [
                    f.severity,
                    f.rule,
                    f.table,
                    f.file,
                    f.sheet,
                    "" if f.row is None else f.row,
                    f.column,
                    f.value,
                    f.expected,
                    f.message,
                ]
            )
        typer.echo(buffer.getvalue(), nl=False)
    else:
        if findings:
            _print_table(findings, console)
        if summary:
            _print_summary(dataset, wanted, console)
        if missing:
            console.print(f"not present: {user_text(', '.join(missing))}")
        verdict = "[red]invalid[/]" if dataset.errors else "[green]valid[/]"
        console.print(
            f"{verdict}: {len(dataset.errors)} error(s), {len(dataset.warnings)} warning(s) "
            f"in {len(dataset.stats)} table(s) of {user_text(data_dir)}"
        )
    raise typer.Exit(1 if dataset.errors else 0)

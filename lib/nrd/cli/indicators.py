"""``nrd indicators``: write the indicator table of one period (or a range) as CSV and Parquet."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import typer

from nrd.cli.app import app, fail
from nrd.errors import NrdError, UsageError
from nrd.io.indicator_table import format_number, write_indicator_table

HEADLINE = [
    "nra.recognized", "nra.advanced", "nra.model", "criteria.avg_met", "ocop.products_active",
    "ocop.entities_active", "ocop.registrations_cycle", "capital.central_allocated_2021_2025",
    "capital.disbursement_rate_year", "capital.mobilized_cumulative",
]




def _summary(table: pd.DataFrame, province_code: str) -> None:
    from rich.console import Console
    from rich.table import Table

    from nrd.indicators import get_indicator

    last = table["period"].max()
    rows = table[(table["period"] == last) & (table["unit_code"] == province_code)]
    view = Table(title=f"{province_code} — {last}")
    view.add_column("indicator")
    view.add_column("id", style="dim")
    view.add_column("value", justify="right")
    for indicator in HEADLINE:
        hit = rows[rows["indicator"] == indicator]
        if hit.empty:
            continue
        r = hit.iloc[0]
        shown = format_number(round(float(r["value"]), 2))
        if not math.isnan(r["denominator"]):
            shown += f" ({format_number(r['numerator'])}/{format_number(r['denominator'])})"
        view.add_row(get_indicator(indicator).label_for("en"), indicator, shown)
    Console().print(view)


@app.command("indicators")
def indicators_command(
    data: Path = typer.Option(..., "--data", help="dataset folder"),
    period: str = typer.Option(None, "--period", help="one period YYYY-MM"),
    start: str = typer.Option(None, "--from", help="first period of a range YYYY-MM"),
    end: str = typer.Option(None, "--to", help="last period of a range YYYY-MM"),
    out: Path = typer.Option(..., "--out", help="CSV file to write (Parquet is written beside it)"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="no summary"),
) -> None:
    """Write the indicator table (CSV + Parquet) for one period or a range of periods."""
    from nrd import periods
    from nrd.indicators import build_indicator_table

    try:
        if period and (start or end):
            raise UsageError("give either --period or --from/--to, not both")
        if period:
            wanted = [periods.parse_period(period)]
        elif start and end:
            wanted = periods.period_range(start, end)
        else:
            raise UsageError("give --period YYYY-MM, or --from YYYY-MM and --to YYYY-MM")
        if not data.is_dir():
            raise UsageError(f"dataset folder not found: {data}")
        from nrd.io import read_dataset

        ds = read_dataset(data)
        table = build_indicator_table(ds, wanted)
        csv_path, parquet_path = write_indicator_table(table, out)
    except NrdError as error:
        fail(error)
        return
    if not quiet:
        _summary(table, ds.province_code)
        typer.echo(f"wrote {csv_path} and {parquet_path} ({len(table)} rows)")

"""``nrd demo-data OUT_DIR`` and ``nrd templates OUT_DIR``: write the demo dataset or the input templates."""

from __future__ import annotations

from pathlib import Path

import typer

from nrd.cli.app import app, fail
from nrd.contract import DEFAULT_PROVINCE
from nrd.errors import NrdError


@app.command("demo-data")
def demo_data(
    out_dir: Path = typer.Argument(..., help="Folder to write the dataset into (created when missing)."),
    province: str = typer.Option(DEFAULT_PROVINCE, "--province", "-p", help="Province code (37 = Ninh Bình) or 'all'."),
    seed: int = typer.Option(37, "--seed", help="Generator seed; the same seed writes the same bytes."),
    end: str = typer.Option("2026-10", "--end", help="Last period written, YYYY-MM (2021-01 … 2026-10)."),
    output_format: str = typer.Option(
        "xlsx", "--format", "-f", help="xlsx (as the office receives it; one table as CSV) or csv (fast)."
    ),
) -> None:
    """Write the synthetic demo dataset (one file per table, Vietnamese headers)."""
    from nrd.demo import generate_demo_dataset

    try:
        paths = generate_demo_dataset(out_dir, province=province, seed=seed, end=end, fmt=output_format)
    except NrdError as error:
        fail(error)
    typer.echo(f"wrote {len(paths)} tables to {out_dir}")


@app.command("templates")
def templates(
    out_dir: Path = typer.Argument(..., help="Folder to write the blank templates into."),
    province: str = typer.Option(DEFAULT_PROVINCE, "--province", "-p", help="Whose unit names fill the drop-down list."),
) -> None:
    """Write one blank Excel input template per table (drop-down lists, formats, instructions sheet)."""
    from nrd.io.templates import write_templates

    try:
        paths = write_templates(out_dir, province)
    except NrdError as error:
        fail(error)
    typer.echo(f"wrote {len(paths)} templates to {out_dir}")

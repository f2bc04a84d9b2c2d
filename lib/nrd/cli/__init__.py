"""The ``nrd`` command line: thin over the Python API. Each command module registers on ``app``.

Errors a user can cause (``NrdError``) are caught once here and turned into a message and an exit code;
anything else keeps its traceback.
"""

from __future__ import annotations

import sys

import typer

from nrd.errors import NrdError

app = typer.Typer(
    name="nrd",
    help="Báo cáo Nông thôn mới — reporting workbooks of the NRD coordination office.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def fail(error: NrdError) -> None:
    """Print a user error on stderr and exit with its code."""
    from rich.console import Console

    Console(stderr=True).print(f"[bold red]error:[/] {error}", highlight=False)
    raise typer.Exit(getattr(error, "exit_code", 1))


@app.callback()
def _group() -> None:
    """Báo cáo Nông thôn mới — reporting workbooks of the NRD coordination office."""


@app.command()
def version() -> None:
    """Print the version of nrd."""
    from nrd import __version__

    typer.echo(__version__)


# Command modules register themselves on ``app`` when imported.
from nrd.cli import data as _data  # noqa: E402,F401
from nrd.cli import indicators as _indicators  # noqa: E402,F401
from nrd.cli import report as _report  # noqa: E402,F401
from nrd.cli import run as _run  # noqa: E402,F401
from nrd.cli import validate as _validate  # noqa: E402,F401


def main() -> None:  # pragma: no cover - console entry point
    try:
        app()
    except NrdError as error:  # raised outside a command's own handler
        print(f"error: {error}", file=sys.stderr)
        sys.exit(getattr(error, "exit_code", 1))

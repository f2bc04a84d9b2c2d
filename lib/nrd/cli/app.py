"""The ``nrd`` Typer application, its console and how library log records reach the user.

Command modules register on ``app`` (``from nrd.cli.app import app, fail``); ``nrd.cli`` imports them.
The library logs through ``nrd.log.logger`` and never prints; here a rich handler on the CLI's console
(stderr) shows its warnings and errors (``--quiet``: errors only; ``--verbose``: progress too). The progress
bar of ``nrd run`` draws on the same console, so log lines appear above it instead of breaking it.
"""

from __future__ import annotations

import logging

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape

from nrd.errors import NrdError
from nrd.log import logger

app = typer.Typer(
    name="nrd",
    help="Báo cáo Nông thôn mới — reporting workbooks of the NRD coordination office.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

#: stderr, shared by the log handler, the progress bar and error messages.
console = Console(stderr=True, soft_wrap=True)


def user_text(value: object) -> str:
    """``value`` as literal text for rich: brackets from data (``12 [/b]``, ``[red]``) are shown, not parsed."""
    return escape(str(value))


def fail(error: NrdError) -> None:
    """Print a user error on stderr and exit with its code."""
    console.print(f"[bold red]error:[/] {user_text(error)}", highlight=False)
    raise typer.Exit(getattr(error, "exit_code", 1))


class ConsoleLogHandler(RichHandler):
    """The handler that shows the library's log records on the CLI's console."""


def attach_console_log(level: int = logging.WARNING) -> ConsoleLogHandler:
    """Show the ``nrd`` logger's records at ``level`` and above on the console (one handler at a time)."""
    detach_console_log()
    handler = ConsoleLogHandler(console=console, level=level, show_time=False, show_path=False, markup=False,
                                rich_tracebacks=False, highlighter=None)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(handler)
    if logger.getEffectiveLevel() > level:
        logger.setLevel(level)
    return handler


def detach_console_log() -> None:
    """Remove the console handler (the CLI is done, or another command in the same process starts)."""
    for handler in [h for h in logger.handlers if isinstance(h, ConsoleLogHandler)]:
        logger.removeHandler(handler)


def set_console_level(level: int) -> None:
    """Change what the console shows (``nrd run --quiet``: errors only)."""
    for handler in logger.handlers:
        if isinstance(handler, ConsoleLogHandler):
            handler.setLevel(level)


@app.callback()
def _group(
    ctx: typer.Context,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Console: errors only (no warnings)."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Console: progress messages too."),
) -> None:
    """Báo cáo Nông thôn mới — reporting workbooks of the NRD coordination office."""
    level = logging.ERROR if quiet else logging.INFO if verbose else logging.WARNING
    attach_console_log(level)
    ctx.call_on_close(detach_console_log)


@app.command()
def version() -> None:
    """Print the version of nrd."""
    from nrd import __version__

    typer.echo(__version__)

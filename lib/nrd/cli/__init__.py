"""The ``nrd`` command line: thin over the Python API. Each command module registers on ``nrd.cli.app.app``.

Errors a user can cause (``NrdError``) are caught once and turned into a message and an exit code;
anything else keeps its traceback. Library warnings reach the console through a log handler
(``nrd.cli.app``).
"""

from __future__ import annotations

import sys

from nrd.cli import data as _data  # noqa: F401  (command modules register themselves on ``app``)
from nrd.cli import indicators as _indicators  # noqa: F401
from nrd.cli import report as _report  # noqa: F401
from nrd.cli import run as _run  # noqa: F401
from nrd.cli import validate as _validate  # noqa: F401
from nrd.cli.app import app, fail
from nrd.errors import NrdError

__all__ = ["app", "fail", "main"]


def main() -> None:  # pragma: no cover - console entry point
    try:
        app()
    except NrdError as error:  # raised outside a command's own handler
        print(f"error: {error}", file=sys.stderr)
        sys.exit(getattr(error, "exit_code", 1))

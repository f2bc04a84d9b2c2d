"""The ``nrd`` console entry point: starts what a command will wait for, then hands over to ``nrd.cli``.

``nrd run`` with the default ``nrd-fork`` engine needs a fork server (pandas, matplotlib, seaborn, nrd
imported: about two seconds). Started here, before the command modules are imported, its imports overlap
the CLI's own and the data check; started by the run, they came after them and a one-report run waited for
them. Anything this guesses wrong only leaves a spare server unused (stopped at exit).
"""

from __future__ import annotations

import sys


def wants_fork_server(argv: list[str]) -> bool:
    """Whether the command line is an ``nrd run`` on this machine with the ``nrd-fork`` engine."""
    from nrd.run.engines import DEFAULT_ENGINE

    if not argv or argv[0] != "run" or any(a in ("--help", "-h") for a in argv):
        return False
    options = {"--engine": DEFAULT_ENGINE, "--executor": "local"}
    for index, arg in enumerate(argv):
        name, _, value = arg.partition("=")
        if name in options:
            options[name] = value or (argv[index + 1] if index + 1 < len(argv) else "")
    return options["--engine"] == "nrd-fork" and options["--executor"] == "local"


def main() -> None:  # pragma: no cover - console entry point (tests/test_console.py runs it in a process)
    if wants_fork_server(sys.argv[1:]):
        from nrd.run.fork import start_spare

        start_spare()
    from nrd.cli import main as cli_main

    cli_main()

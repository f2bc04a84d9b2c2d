"""The child side of the ``nrd-fork`` engine: run a notebook's code cells in a fresh IPython shell.

A forked child of the fork server (``nrd.run.fork_server``) calls ``run_cells``; it records what a Jupyter
kernel would have sent and nbclient would have written into each cell, as nbformat outputs:

- ``stream`` outputs for ``sys.stdout`` / ``sys.stderr`` (consecutive writes to the same stream merged);
- ``display_data`` from ``IPython.display.display`` and from the matplotlib inline backend (figures are
  flushed after each cell by the backend's own post-execute hook, as in ipykernel), ``image/png`` base64
  encoded as ipykernel's ``json_clean`` does;
- ``execute_result`` from the shell's display hook, with the cell's execution count;
- ``error`` outputs with the same ``ename``, ``evalue`` and structured traceback as ipykernel sends.

Execution stops at the first failing cell, like papermill's client. Nothing here starts a kernel.
"""

from __future__ import annotations

import base64
import io
import os
import signal
import sys
from typing import Any

from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell

INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


class _Cell:
    """Where outputs of the cell being executed go."""

    outputs: list[dict[str, Any]] = []


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    """A mime bundle as ipykernel sends it: bytes base64-encoded, everything else unchanged."""
    return {
        key: base64.b64encode(value).decode("ascii") if isinstance(value, bytes) else value
        for key, value in data.items()
    }


class _CellStream(io.TextIOBase):
    """``sys.stdout`` / ``sys.stderr`` of the child: text goes into the cell's ``stream`` outputs."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if not text:
            return 0
        outputs = _Cell.outputs
        if outputs and outputs[-1]["output_type"] == "stream" and outputs[-1]["name"] == self.name:
            outputs[-1]["text"] += text
        else:
            outputs.append({"output_type": "stream", "name": self.name, "text": text})
        return len(text)

    def isatty(self) -> bool:
        return False


class _Publisher(DisplayPublisher):
    def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs) -> None:
        _Cell.outputs.append(
            {"output_type": "display_data", "data": _clean(data), "metadata": dict(metadata or {})}
        )

    def clear_output(self, wait: bool = False) -> None:
        _Cell.outputs.clear()


class _DisplayHook(DisplayHook):
    def write_output_prompt(self) -> None:
        pass

    def write_format_data(self, format_dict, md_dict=None) -> None:
        _Cell.outputs.append(
            {
                "output_type": "execute_result",
                "data": _clean(format_dict),
                "metadata": dict(md_dict or {}),
                "execution_count": self.prompt_count,
            }
        )

    def finish_displayhook(self) -> None:
        sys.stdout.flush()


class _Shell(InteractiveShell):
    """An in-process shell whose display, results and tracebacks become nbformat outputs."""

    display_pub_class = _Publisher
    displayhook_class = _DisplayHook

    def _showtraceback(self, etype, evalue, stb) -> None:
        _Cell.outputs.append(
            {
                "output_type": "error",
                "ename": str(etype.__name__),
                "evalue": str(evalue),
                "traceback": list(stb),
            }
        )

    def enable_gui(self, gui=None) -> None:
        pass  # the inline backend needs no event loop

    def init_history(self) -> None:
        # An in-memory history, like the kernels nrd starts (no sqlite file touched per report).
        self.config.HistoryManager.hist_file = ":memory:"
        super().init_history()


class CellTimeout(Exception):
    """A cell ran longer than the execution timeout."""


def _on_alarm(signum, frame):
    raise CellTimeout("cell execution timed out")


def prepare_shell() -> InteractiveShell:
    """The shell every report runs in, with the inline backend enabled (about 0.07 s).

    The fork server calls this once, before it forks anything, and runs no cell in it: each child starts
    from a copy of this pristine shell (empty namespace, execution count 1) instead of building its own.
    IPython starts no thread for an in-memory history, so the server stays single-threaded for ``fork``.
    """
    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
    shell = _Shell.instance()
    if not getattr(shell, "_nrd_inline", False):
        shell.enable_matplotlib("inline")
        shell._nrd_inline = True
    return shell


def run_cells(sources: list[str], cwd: str, timeout: float | None = None) -> list[dict[str, Any]]:
    """Execute ``sources`` (one per notebook cell, ``None`` for a cell that is not code) in order.

    Returns, per cell, ``{"execution_count", "outputs", "failed"}`` (``None`` for a cell not executed:
    not code, empty source, or after a failing cell).
    """
    os.chdir(cwd)
    shell = prepare_shell()
    sys.stdout, sys.stderr = _CellStream("stdout"), _CellStream("stderr")
    if timeout:
        signal.signal(signal.SIGALRM, _on_alarm)
    results: list[dict[str, Any] | None] = []
    failed = False
    for source in sources:
        if failed or source is None or not source.strip():
            results.append(None)
            continue
        _Cell.outputs = []
        count = shell.execution_count
        if timeout:
            signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            result = shell.run_cell(source, store_history=True)
        finally:
            if timeout:
                signal.setitimer(signal.ITIMER_REAL, 0)
        failed = not result.success
        results.append({"execution_count": count, "outputs": _Cell.outputs, "failed": failed})
    return results

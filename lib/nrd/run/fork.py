"""``nrd-fork``: a papermill engine that runs each report in a child forked from a pre-imported server.

The warm kernel (``nrd-warm``) saves a kernel start per report but still pays ZMQ round trips per cell and
a reset of the shared kernel before each report, and its isolation leaks imported modules and module-level
caches. This engine starts no Jupyter kernel: one server process per worker thread
(``nrd.run.fork_server``) imports pandas, matplotlib, seaborn, nrd and the reference data once; for each
report it forks a child that executes the notebook's cells in a fresh IPython shell and records the
outputs nbclient would record (``nrd.run.fork_shell``). The child exits after the report, so nothing a
report does (namespace, rcParams, options, environment, modules it patched, frames it mutated) reaches the
next one.

This module is the papermill side: it sends the parameterised notebook's cell sources to the server, then
fills ``nb_man``'s cells with the child's outputs through papermill's own bookkeeping (``cell_start``,
``cell_exception``, ``cell_complete``), so papermill writes the same executed notebook, error banner and
``PapermillExecutionError`` as with its standard engine. Where ``os.fork`` does not exist (Windows) the
registry (``nrd.run.engines``) falls back to ``nrd-warm`` and logs it.
"""

from __future__ import annotations

import atexit
import json
import os
import subprocess
import sys
import tempfile
import threading
from typing import Any

from nrd.errors import WarmKernelError
from nrd.log import logger

ENGINE_NAME = "nrd-fork"


def available() -> bool:
    """Whether this platform can fork (POSIX)."""
    return hasattr(os, "fork")


class ForkServer:
    """One pre-imported server process, used by one thread at a time."""

    def __init__(self) -> None:
        from nrd.run.warm import WARM_MODULES

        self.thread_id = threading.get_ident()
        self.reports = 0
        self.process = subprocess.Popen(
            [sys.executable, "-m", "nrd.run.fork_server", json.dumps(list(WARM_MODULES))],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        ready = self._reply()
        if ready.get("status") != "ready":
            self.shutdown()
            raise WarmKernelError(f"nrd-fork server did not start: {ready}")
        logger.info("fork server started (pid %s)", self.process.pid)

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def _reply(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise WarmKernelError(f"nrd-fork server exited (code {self.process.poll()})")
        return json.loads(line)

    def run(self, sources: list[str | None], cwd: str, timeout: float | None) -> list[dict[str, Any] | None]:
        """Execute the cells in a forked child; per cell its execution count and outputs (or ``None``)."""
        assert self.process.stdin is not None
        fd, result = tempfile.mkstemp(prefix="nrd-fork-", suffix=".json")
        os.close(fd)
        try:
            request = {"sources": sources, "cwd": cwd, "timeout": timeout, "result": result}
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
            reply = self._reply()
            self.reports += 1
            if reply.get("status") != "ok":
                raise WarmKernelError(f"nrd-fork report process failed: {reply.get('detail')}")
            with open(result, encoding="utf-8") as handle:
                return json.load(handle)
        finally:
            for path in (result, result + ".part"):
                if os.path.exists(path):
                    os.unlink(path)

    def shutdown(self) -> None:
        if self.process.stdin is not None and not self.process.stdin.closed:
            try:
                self.process.stdin.close()
            except OSError:
                pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


_SERVERS: dict[int, ForkServer] = {}
_LOCK = threading.Lock()


def server_for_this_thread() -> ForkServer:
    """The calling thread's fork server, started (or replaced when it died) as needed."""
    thread_id = threading.get_ident()
    with _LOCK:
        server = _SERVERS.get(thread_id)
    if server is not None and not server.alive():
        discard_server(thread_id)
        server = None
    if server is None:
        server = ForkServer()
        with _LOCK:
            _SERVERS[thread_id] = server
    return server


def discard_server(thread_id: int | None = None) -> None:
    with _LOCK:
        server = _SERVERS.pop(threading.get_ident() if thread_id is None else thread_id, None)
    if server is not None:
        server.shutdown()


def release(thread_ids: Any = None) -> int:
    """Stop the fork servers of the given threads (all when ``None``); how many were stopped."""
    with _LOCK:
        ids = list(_SERVERS) if thread_ids is None else [t for t in thread_ids if t in _SERVERS]
    for thread_id in ids:
        discard_server(thread_id)
    return len(ids)


def server_pids() -> list[int]:
    with _LOCK:
        return [s.pid for s in _SERVERS.values()]


def warm_up() -> None:
    """Start the calling thread's fork server now (an executor's worker, before its first report)."""
    server_for_this_thread()


atexit.register(release)


def __getattr__(name: str) -> Any:
    # built on first access: papermill imports its entry points while ``papermill.engines`` initialises
    if name == "ForkEngine":
        return engine_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_ENGINE_CLASS: Any = None


def engine_class() -> type:
    """The papermill engine class ``ForkEngine`` (a papermill ``Engine``)."""
    global _ENGINE_CLASS
    if _ENGINE_CLASS is None:
        from papermill.engines import Engine

        _ENGINE_CLASS = type(
            "ForkEngine",
            (Engine,),
            {
                "__doc__": "papermill engine ``nrd-fork``: each report in a child forked from a pre-imported "
                "server (no kernel). Extra keyword: ``nrd_cwd``, the report's working folder.",
                "__module__": __name__,
                "execute_managed_notebook": classmethod(_execute_managed_notebook),
            },
        )
    return _ENGINE_CLASS


class _CellFailed(Exception):
    """What ``nb_man.cell_exception`` is given for the cell whose code raised (its error is an output)."""


def _execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None, stderr_file=None,
                              start_timeout=60, execution_timeout=None, **kwargs):
    import nbformat

    cwd = str(kwargs.pop("nrd_cwd", None) or os.getcwd())
    cells = nb_man.nb.cells
    sources = [c.source if c.cell_type == "code" else None for c in cells]
    server = server_for_this_thread()
    try:
        results = server.run(sources, cwd, execution_timeout or kwargs.get("timeout"))
    except BaseException:
        discard_server(server.thread_id)
        raise
    for index, cell in enumerate(cells):
        result = results[index]
        try:
            nb_man.cell_start(cell, index)
            if result is None:
                continue
            cell.execution_count = result["execution_count"]
            cell.outputs = [nbformat.from_dict(o) for o in result["outputs"]]
            if result["failed"]:
                nb_man.cell_exception(cells[index], cell_index=index, exception=_CellFailed())
                break
        finally:
            nb_man.cell_complete(cells[index], cell_index=index)
    return nb_man.nb

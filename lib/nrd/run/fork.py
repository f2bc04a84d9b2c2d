"""``nrd-fork``: a papermill engine that runs each report in a child forked from a pre-imported server.

The warm kernel (``nrd-warm``) saves a kernel start per report but still pays ZMQ round trips per cell and
a reset of the shared kernel before each report, and its isolation leaks imported modules and module-level
caches. This engine starts no Jupyter kernel: one server process per worker thread
(``nrd.run.fork_server``) imports pandas, matplotlib, seaborn, nrd and the reference data once; for each
report it forks a child that executes the notebook's cells in a fresh IPython shell and records the
outputs nbclient would record (``nrd.run.fork_shell``). The child exits after the report, so nothing a
report does (namespace, rcParams, options, environment, modules it patched, frames it mutated) reaches the
next one.

``nrd.run.execute.execute_notebook`` hands a whole report to ``run_notebook``: the child runs papermill
itself (parameters injected, the cells run in its own shell, the executed notebook written), so the run's
process or Dask worker only waits, and never loads papermill, nbformat or pandas. The papermill engine
class (``ForkEngine``, for ``papermill -e nrd-fork``) is the same engine seen from papermill: in the child
it runs the cells in place; called from any other process it sends the parameterised notebook's cell
sources to the server. Either way it fills ``nb_man``'s cells through papermill's own bookkeeping
(``cell_start``, ``cell_exception``, ``cell_complete``), so papermill writes the same executed notebook,
error banner and ``PapermillExecutionError`` as with its standard engine. Where ``os.fork`` does not exist
(Windows) the registry (``nrd.run.engines``) falls back to ``nrd-warm`` and logs it.
"""

from __future__ import annotations

import atexit
import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from nrd.errors import WarmKernelError
from nrd.log import logger

ENGINE_NAME = "nrd-fork"


def available() -> bool:
    """Whether this platform can fork (POSIX)."""
    return hasattr(os, "fork")


class ForkServer:
    """One pre-imported server process, used by one thread at a time."""

    def __init__(self, wait: bool = True) -> None:
        """Start the server process; ``wait``: until it has imported everything (else ``wait_ready``)."""
        from nrd.run.warm import WARM_MODULES

        self.thread_id = threading.get_ident()
        self.reports = 0
        self.ready = False
        self.process = subprocess.Popen(
            [sys.executable, "-m", "nrd.run.fork_server", json.dumps(list(WARM_MODULES))],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        if wait:
            self.wait_ready()

    def wait_ready(self) -> None:
        if self.ready:
            return
        try:
            ready = self._reply()
        except WarmKernelError:
            self.shutdown()
            raise
        if ready.get("status") != "ready":
            self.shutdown()
            raise WarmKernelError(f"nrd-fork server did not start: {ready}")
        self.ready = True
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

    def _ask(self, request: dict[str, Any], what: str) -> Any:
        """Send ``request`` (plus the result file its child writes), wait for the child; what it wrote.

        Raises:
            WarmKernelError: the server or the child died.
        """
        assert self.process.stdin is not None
        fd, result = tempfile.mkstemp(prefix="nrd-fork-", suffix=".json")
        os.close(fd)
        try:
            self.process.stdin.write(json.dumps({**request, "result": result}) + "\n")
            self.process.stdin.flush()
            reply = self._reply()
            if reply.get("status") != "ok":
                raise WarmKernelError(f"nrd-fork {what} process failed: {reply.get('detail')}")
            with open(result, encoding="utf-8") as handle:
                return json.load(handle)
        finally:
            for path in (result, result + ".part"):
                if os.path.exists(path):
                    os.unlink(path)

    def run(self, sources: list[str | None], cwd: str, timeout: float | None,
            inputs: dict[str, str] | None = None) -> list[dict[str, Any] | None]:
        """Execute the cells in a forked child; per cell its execution count and outputs (or ``None``).

        ``inputs``: the dataset folder and indicator table the report reads, read once by the server for
        all its children (``nrd.io.preload``).
        """
        results = self._ask({"sources": sources, "cwd": cwd, "timeout": timeout, "inputs": inputs}, "report")
        self.reports += 1
        return results

    def execute(self, job: dict[str, Any], inputs: dict[str, str] | None) -> dict[str, Any]:
        """Run a whole report in a forked child (``nrd.run.execute.execute_notebook`` there: papermill's
        parameterisation, the cells, the executed notebook written); ``{"ok"}`` or the ``ReportError``."""
        outcome = self._ask({"notebook": job, "inputs": inputs}, "report")
        self.reports += 1
        return outcome

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
        server = _take_spare() or ForkServer(wait=False)
        server.thread_id = thread_id
        with _LOCK:
            _SERVERS[thread_id] = server
        try:
            server.wait_ready()
        except BaseException:
            discard_server(thread_id)
            raise
    return server


_SPARE: list[ForkServer] = []


def start_spare() -> None:
    """Start one server now, before the caller has imported anything heavy, for the first worker thread
    that needs one (``nrd run`` starts it first thing: the server's imports then overlap the CLI's own
    and the data check instead of following them). An unused spare is stopped at exit."""
    if not available():
        return
    with _LOCK:
        if not _SPARE:
            _SPARE.append(ForkServer(wait=False))


def _take_spare() -> ForkServer | None:
    with _LOCK:
        spare = _SPARE.pop() if _SPARE else None
    if spare is not None and not spare.alive():
        spare.shutdown()
        return None
    return spare


def discard_server(thread_id: int | None = None) -> None:
    with _LOCK:
        server = _SERVERS.pop(threading.get_ident() if thread_id is None else thread_id, None)
    if server is not None:
        server.shutdown()


def release(thread_ids: Any = None) -> int:
    """Stop the fork servers of the given threads (all when ``None``, the unused spare too); how many
    were stopped."""
    with _LOCK:
        ids = list(_SERVERS) if thread_ids is None else [t for t in thread_ids if t in _SERVERS]
        spares = list(_SPARE) if thread_ids is None else []
        if thread_ids is None:
            _SPARE.clear()
    for spare in spares:  # never used: nothing to finish (a run that stopped early need not wait for it)
        spare.process.kill()
        spare.process.wait()
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


def report_inputs(nb: Any) -> dict[str, str] | None:
    """The dataset folder and indicator table a report reads, from papermill's record of its parameters;
    only absolute paths (what ``nrd run`` passes): a relative one depends on the report's folder."""
    return inputs_of(nb.metadata.get("papermill", {}).get("parameters", {}) or {})


def inputs_of(parameters: dict[str, Any]) -> dict[str, str] | None:
    """``report_inputs`` of a report's parameters."""
    inputs = {name: str(parameters[name]) for name in ("data_dir", "indicators_path")
              if isinstance(parameters.get(name), str) and os.path.isabs(parameters[name])}
    if inputs.get("data_dir") and isinstance(parameters.get("period"), str):
        inputs["period"] = parameters["period"]  # the period whose province-wide views the server computes
    return inputs or None


class _CellFailed(Exception):
    """What ``nb_man.cell_exception`` is given for the cell whose code raised (its error is an output)."""


_IN_CHILD = False


def run_cells_here() -> None:
    """Called in a fork server's child that runs a whole report: the engine executes the cells in this very
    process instead of asking a server."""
    global _IN_CHILD
    _IN_CHILD = True


def runs_whole_reports() -> bool:
    """Whether ``nrd.run.execute`` hands whole reports to ``run_notebook`` (not inside the child itself)."""
    return available() and not _IN_CHILD


def run_notebook(notebook: Any, parameters: dict[str, Any], output_ipynb: Any, *, cwd: str,
                 timeout: float | None, page: dict[str, Any] | None = None,
                 workbook: dict[str, Any] | None = None) -> dict[str, Any]:
    """``nrd.run.execute.execute_notebook`` of one report, run in a child of this thread's fork server.

    papermill, nbformat and the report's outputs then never enter this process (a Dask worker or the run's
    process): it only waits. The parameters travel pickled, so every value keeps its type. ``page``: the
    same child then writes the page (``nrd.run.html.export_html``'s keywords) and, with ``workbook``, the
    workbook (``nrd.run.export.write_report_workbook``'s): one fork per report, and neither leaves work to
    this process. Returns the child's outcome: ``workbook`` (its path) or ``workbook_error`` (the page
    stands without it; the caller may write it itself).

    Raises:
        ReportError: what the report or its page raised in the child (the same message and notebook path);
            ``WarmKernelError`` when the child crashed.
    """
    import base64
    import pickle

    from nrd.errors import ReportError

    def packed(value: Any) -> str:
        return base64.b64encode(pickle.dumps(value)).decode("ascii")

    job = {"path": str(notebook), "output": str(output_ipynb), "cwd": cwd, "timeout": timeout,
           "parameters": packed(dict(parameters)), "page": packed(page) if page else None,
           "workbook": packed(workbook) if page and workbook else None}
    server = server_for_this_thread()
    try:
        outcome = server.execute(job, inputs_of(parameters))
    except BaseException:
        discard_server(server.thread_id)
        raise
    if not outcome.get("ok"):
        path = outcome.get("notebook_path")
        raise ReportError(outcome.get("error") or "the report failed",
                          notebook_path=path and Path(path)) from FailedInChild(outcome.get("cause") or "")
    return outcome


class FailedInChild(Exception):
    """The cause of a report's ``ReportError`` in the fork server's child (its type and message, as text:
    papermill's exception classes are not loaded in this process)."""


def _run_cells_in_this_process(sources: list[str | None], cwd: str, timeout: float | None) -> list:
    from nrd.run.fork_shell import run_cells

    streams = sys.stdout, sys.stderr
    try:
        results = run_cells(sources, cwd, timeout)
    finally:
        sys.stdout, sys.stderr = streams  # papermill writes the notebook after the cells, with its streams
    # the outputs as the server's reply carried them (JSON), so the notebook is the same to the byte
    return json.loads(json.dumps(results))


def _execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None, stderr_file=None,
                              start_timeout=60, execution_timeout=None, **kwargs):
    import nbformat

    cwd = str(kwargs.pop("nrd_cwd", None) or os.getcwd())
    cells = nb_man.nb.cells
    sources = [c.source if c.cell_type == "code" else None for c in cells]
    timeout = execution_timeout or kwargs.get("timeout")
    if _IN_CHILD:
        results = _run_cells_in_this_process(sources, cwd, timeout)
    else:
        server = server_for_this_thread()
        try:
            results = server.run(sources, cwd, timeout, report_inputs(nb_man.nb))
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

"""``nrd-fork``: a papermill engine that runs each report in a child forked from a pre-imported server.

The warm kernel (``nrd-warm``) saves a kernel start per report but still pays ZMQ round trips per cell and
a reset of the shared kernel before each report, and its isolation leaks imported modules and module-level
caches. This engine starts no Jupyter kernel: one server process per worker thread
(``nrd.run.fork_server``), each forked from one template server that imported pandas, matplotlib, seaborn,
nrd and the reference data once and read the run's inputs (``nrd.run.fork_process``); for each
report a server forks a child that executes the notebook's cells in a fresh IPython shell and records the
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
import sys
import threading
from pathlib import Path
from typing import Any

from nrd.errors import WarmKernelError
from nrd.run.fork_process import ForkServer

ENGINE_NAME = "nrd-fork"


def available() -> bool:
    """Whether this platform can fork (POSIX)."""
    return hasattr(os, "fork")


_SERVERS: dict[int, ForkServer] = {}
_LOCK = threading.Lock()


def server_for_this_thread(inputs: dict[str, str] | None = None) -> ForkServer:
    """The calling thread's fork server: forked from the template (``template``) once the template holds
    ``inputs`` (the run's data: read once for every worker), or replaced when it died."""
    thread_id = threading.get_ident()
    with _LOCK:
        server = _SERVERS.get(thread_id)
    if server is not None and not server.alive():
        discard_server(thread_id)
        server = None
    if server is None:
        source = template()
        adopted = _adopt(source)
        try:
            server = source if adopted else source.fork_server(inputs)
        except WarmKernelError:
            _discard_template(source)  # the next report starts a new one
            raise
        server.thread_id = thread_id
        with _LOCK:
            _SERVERS[thread_id] = server
    return server


#: The template server (at most one per process): started first (``start_spare``), never runs a report;
#: every worker thread's server is forked from it (in a single-worker process, the worker takes it).
_SPARE: list[ForkServer] = []


#: This process runs one report at a time (``start_spare(single_worker=True)``): its one worker thread
#: takes the template as its own server instead of a server forked from it (one process, and its memory,
#: less).
_SINGLE_WORKER = False


def start_spare(single_worker: bool = False) -> None:
    """Start the template server now, before the caller has imported anything heavy (``nrd run`` starts it
    first thing: its imports then overlap the CLI's own and the data check instead of following them).
    ``single_worker``: the process's one worker thread will take it as its own server. Stopped at exit."""
    global _SINGLE_WORKER
    if not available():
        return
    with _LOCK:
        _SINGLE_WORKER = _SINGLE_WORKER or single_worker
        if not _SPARE:
            _SPARE.append(ForkServer(wait=False))


def _adopt(source: ForkServer) -> bool:
    """Take the template as the calling thread's own server, in a single-worker process."""
    with _LOCK:
        if not _SINGLE_WORKER or source not in _SPARE:
            return False
        _SPARE.remove(source)
        return True


def template() -> ForkServer:
    """The template server, started if needed, once it is ready.

    Raises:
        WarmKernelError: it could not start.
    """
    with _LOCK:
        source = _SPARE[0] if _SPARE else None
    if source is not None and not source.alive():
        _discard_template(source)
        source = None
    if source is None:
        start_spare()
        with _LOCK:
            source = _SPARE[0]
    try:
        source.wait_ready()
    except WarmKernelError:
        _discard_template(source)
        raise
    return source


def _discard_template(source: ForkServer) -> None:
    with _LOCK:
        if source in _SPARE:
            _SPARE.remove(source)
    source.process.kill()
    source.process.wait()


def discard_server(thread_id: int | None = None) -> None:
    with _LOCK:
        server = _SERVERS.pop(threading.get_ident() if thread_id is None else thread_id, None)
    if server is not None:
        server.shutdown()


def release(thread_ids: Any = None) -> int:
    """Stop the fork servers of the given threads (all when ``None``, the template too, after the servers
    it forked); how many were stopped (the template not counted)."""
    global _SINGLE_WORKER
    with _LOCK:
        ids = list(_SERVERS) if thread_ids is None else [t for t in thread_ids if t in _SERVERS]
        templates = list(_SPARE) if thread_ids is None else []
        if thread_ids is None:
            _SPARE.clear()
            _SINGLE_WORKER = False
    for thread_id in ids:
        discard_server(thread_id)
    for source in templates:
        source.shutdown()
    return len(ids)


def server_pids() -> list[int]:
    with _LOCK:
        return [s.pid for s in _SERVERS.values()]


def warm_up() -> None:
    """Have the template server ready now (an executor's worker, before its first report): the worker's own
    server is forked from it with the first report, once the template holds that report's inputs."""
    template()


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
    inputs = inputs_of(parameters)
    server = server_for_this_thread(inputs)
    try:
        outcome = server.execute(job, inputs)
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
        inputs = report_inputs(nb_man.nb)
        server = server_for_this_thread(inputs)
        try:
            results = server.run(sources, cwd, timeout, inputs)
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

"""The server process of the ``nrd-fork`` engine: pre-imported once, one forked child per report.

Started by ``nrd.run.fork`` as ``python -m nrd.run.fork_server``. It imports what the reports use (pandas,
matplotlib, seaborn, nrd, the reference data: ``nrd.run.warm_setup.install``), then reads one request per
line on stdin (JSON) and for each forks a child, waits for it and answers one JSON line. A request asks
for a whole report (``notebook``: papermill run in the child, the cells in its fresh IPython shell,
``nrd.run.fork_shell``, the executed notebook written there), for the cells of a notebook another process
parameterised (``sources``: the recorded outputs go back in the result file), or, of the template server,
for another server (``server``: forked once the template holds the request's inputs; its socket arrives on
the control socket whose descriptor is the second argument). A report's child also writes its page and
workbook when the request carries them (``page``, ``workbook``).

Before forking, the server holds the report's inputs (``inputs``: the dataset folder, the indicator table,
the period; read once, ``nrd.io.preload``) and what every report would compute from them (the prepared
frames, unit indexes, the period's shared intermediates, the table rows the reports select); while its
first child runs it compiles the page templates. Children inherit all of it, and the server freezes its
heap before forking so that a child's garbage collections do not copy it.

Isolation holds by construction: whatever a report changes (its namespace, rcParams, pandas options,
environment, imported or monkey-patched modules, cached reference frames) dies with its child; the server
never runs report code. The server is single-threaded, so ``fork`` copies a consistent process.

Replies go to a private copy of the original stdout; file descriptor 1 itself is pointed at /dev/null so
that nothing a report prints at the C level can corrupt the protocol.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import traceback

# Arrow buffers from the system allocator, which malloc_trim can give back after the read: with Arrow's
# default (mimalloc) a server holding the national dataset kept ~90 MB more than its frames (set before
# anything imports pyarrow; ``_use_system_allocator`` covers a pyarrow imported earlier).
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")

from nrd.run.fork_shell import INLINE_BACKEND


def _child(request: dict) -> int:
    if "notebook" in request:
        return _notebook_child(request)
    from nrd.run.fork_shell import run_cells

    _write_result(request["result"], run_cells(request["sources"], request["cwd"], request.get("timeout")))
    return 0


def _write_result(path: str, value: object) -> None:
    """The child's answer, complete or absent (written aside, then renamed)."""
    with open(path + ".part", "w", encoding="utf-8") as out:
        json.dump(value, out)
    os.replace(path + ".part", path)


def _notebook_child(request: dict) -> int:
    """Run a whole report here (``nrd.run.execute.execute_notebook`` with the engine running the cells in
    this process); the outcome, or the ``ReportError`` message and notebook path, goes to the result file."""
    import base64
    import pickle

    from nrd.errors import ReportError
    from nrd.run import fork
    from nrd.run.execute import execute_notebook

    job = request["notebook"]
    fork.run_cells_here()
    try:
        execute_notebook(job["path"], pickle.loads(base64.b64decode(job["parameters"])), job["output"],
                         engine_name=fork.ENGINE_NAME, cwd=job["cwd"], timeout=job["timeout"])
        outcome = {"ok": True}
        if job.get("page"):  # the page and the workbook too, in this child: no second fork, no other process
            page, workbook = (pickle.loads(base64.b64decode(job[k])) if job.get(k) else None
                              for k in ("page", "workbook"))
            outcome.update(_page_and_workbook(page, workbook))
    except ReportError as error:
        path = error.notebook_path
        cause = error.__cause__
        outcome = {"ok": False, "error": str(error), "notebook_path": str(path) if path else None,
                   "cause": _described(cause) if cause else None}
    except Exception as error:  # noqa: BLE001 - anything else is this report's failure, not the server's
        output = job["output"]
        outcome = {"ok": False, "notebook_path": output if os.path.exists(output) else None,
                   "error": f"{os.path.basename(job['path'])}: could not run: {type(error).__name__}: {error}",
                   "cause": _described(error)}
    _write_result(request["result"], outcome)
    return 0


def _page_and_workbook(page: dict, workbook: dict | None) -> dict:
    """Write the report's page (``nrd.run.html.export_html(**page)``, its ``ReportError`` raised) and, when
    asked, its workbook (``nrd.run.export.write_report_workbook(**workbook)``). The page stands without
    its workbook: a workbook that fails is reported (``workbook_error``) for the run to write it itself."""
    from nrd.run.html import export_html

    export_html(**page)
    if not workbook:
        return {}
    try:
        from nrd.run.export import write_report_workbook

        return {"workbook": str(write_report_workbook(**workbook))}
    except Exception as error:  # noqa: BLE001 - the page is done; the run's process retries the workbook
        return {"workbook_error": _described(error)}


def _described(error: BaseException) -> str:
    """An exception as text for the process that waits: its module-qualified type and message."""
    return f"{type(error).__module__}.{type(error).__name__}: {error}"


_exporter_warm = False


#: What a report's child imports after its cells (page, workbook, papermill's error path) besides the
#: reports' own modules: imported once here, not in every child (nrd's modules, compiled from source where
#: no bytecode is written, cost a child about 20 ms).
CHILD_MODULES = ("openpyxl", "openpyxl.packaging.extended", "encodings.cp437", "nrd.run.export",
                 "nrd.run.workbook_views", "nrd.run.model", "nrd.io.csv_safe", "nrd.run.kernels", "bdb",
                 "IPython.core.logger", "pandas.core.methods.to_dict")


def _warm_exporter_once() -> None:
    """Compile the page templates and import what the children import after their cells (``CHILD_MODULES``)
    here, once: every later child inherits them. A failure is left to the export, which raises it itself."""
    import importlib

    global _exporter_warm
    if _exporter_warm:
        return
    _exporter_warm = True
    try:
        from nrd.run.html import warm_up_exporter

        warm_up_exporter()
        for name in CHILD_MODULES:
            importlib.import_module(name)
    except Exception as error:  # noqa: BLE001 - only a speed-up
        print(f"nrd-fork: exporter not warmed: {type(error).__name__}: {error}", file=sys.__stderr__)


def _warm_papermill() -> None:
    """Import papermill, register the engine and compile nbformat's validator here: a child running a whole
    report (``notebook``) runs papermill, whose import alone costs about 0.3 s."""
    try:
        from nrd.run.engines import check_engine
        from nrd.run.execute import execute_notebook  # noqa: F401 - papermill's side, imported with it

        check_engine("nrd-fork")
        import nbformat
        from nbformat.validator import get_validator

        # nbformat compiles its schema validator on first use (~0.05 s): once here, not in every child
        for minor in (4, 5):
            get_validator(version=4, version_minor=minor)
        nbformat.reads(nbformat.writes(nbformat.v4.new_notebook()), as_version=4)
    except Exception as error:  # noqa: BLE001 - only a speed-up: the child imports it itself
        print(f"nrd-fork: papermill not preloaded: {type(error).__name__}: {error}", file=sys.__stderr__)


_held_inputs: dict | None = None


def _hold_inputs(inputs: dict | None) -> None:
    """Read the run's dataset and indicator table here, once, for every child forked after (see
    ``nrd.io.preload``); a failure is left to the report, which reads them itself and says why."""
    global _held_inputs
    if not inputs or inputs == _held_inputs:
        return
    from nrd.indicators.context import prepare
    from nrd.indicators.pipeline_views import remember_pipelines
    from nrd.indicators.unit_rows import warm_unit_indexes
    from nrd.indicators.warm import warm_period
    from nrd.io import preload, read_dataset
    from nrd.io.indicator_table import read_indicator_table

    preload.release()
    _held_inputs = inputs
    try:
        if inputs.get("data_dir"):
            dataset = read_dataset(inputs["data_dir"])
            preload.hold_dataset(inputs["data_dir"], dataset)
        if inputs.get("indicators_path"):
            preload.hold_table(inputs["indicators_path"], read_indicator_table(inputs["indicators_path"]))
        if inputs.get("data_dir"):  # what every report of the run would otherwise compute for itself
            dataset.reference  # noqa: B018
            prepared = prepare(dataset)  # the indicators' trimmed frames, remembered for this dataset object
            warm_unit_indexes([*dataset.tables.values(), *prepared.tables.values()])
            if inputs.get("period"):
                warm_period(prepared, inputs["period"])
                remember_pipelines(dataset, inputs["period"])
                if inputs.get("indicators_path"):
                    from nrd.present.inputs import warm_indicator_selection

                    warm_indicator_selection(dataset, inputs["period"], inputs["indicators_path"])
    except Exception as error:  # noqa: BLE001 - only a speed-up
        print(f"nrd-fork: inputs not preloaded: {type(error).__name__}: {error}", file=sys.__stderr__)
    _return_free_memory()


def _return_free_memory() -> None:
    """Give back what reading left free (parse buffers, Arrow's pool): the server holds the data for the
    whole run, and every child starts as a copy of it (national data: ~150 MB less per worker)."""
    import ctypes

    gc.collect()
    try:
        import pyarrow

        pyarrow.default_memory_pool().release_unused()
    except (ImportError, AttributeError):
        pass
    try:
        ctypes.CDLL(None).malloc_trim(0)  # glibc only
    except (OSError, AttributeError):
        pass


def _use_system_allocator() -> None:
    try:
        import pyarrow

        pyarrow.set_memory_pool(pyarrow.system_memory_pool())
    except (ImportError, AttributeError, NotImplementedError):
        pass


def _serve_one(request: dict) -> dict:
    _hold_inputs(request.get("inputs"))
    # Everything the server holds goes to the collector's permanent generation: a child's collections
    # then never walk (and so never write to, and copy) the server's pages of objects.
    gc.freeze()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the server loop
        code = 1
        try:
            code = _child(request)
        except BaseException:  # noqa: BLE001 - reported through the exit code and stderr
            traceback.print_exc(file=sys.__stderr__)
        finally:
            os._exit(code)
    _warm_exporter_once()  # the server is idle until its child exits: the other core does the report
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return {"status": "crashed", "detail": f"killed by signal {os.WTERMSIG(status)}"}
    code = os.WEXITSTATUS(status)
    return {"status": "ok" if code == 0 else "crashed", "detail": f"exit code {code}"}


def _fork_server(request: dict, control, channel: tuple) -> dict:
    """Fork another server for another worker thread, after holding the request's inputs: it shares every
    import and the held data with this one instead of paying them again (about 2 s of CPU with two
    workers). Its channel (one end of a socket pair) arrives on ``control``."""
    import socket

    _hold_inputs(request.get("inputs"))
    _, fds, _, _ = socket.recv_fds(control, 1, 1)
    if not fds:
        return {"status": "crashed", "detail": "no channel received for the new server"}
    gc.freeze()
    pid = os.fork()
    if pid == 0:  # the new server: this one's channel is not its own
        code = 1
        try:
            for stream in channel:
                stream.close()
            control.close()
            os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
            _SERVERS_FORKED.clear()
            own = socket.socket(fileno=fds[0])
            replies = own.makefile("w", encoding="utf-8")
            replies.write(json.dumps({"status": "ready", "pid": os.getpid()}) + "\n")
            replies.flush()  # a socket's text file is not line-buffered
            _serve(own.makefile("r", encoding="utf-8"), replies, None)
        except BaseException:  # noqa: BLE001 - the run sees the channel close
            traceback.print_exc(file=sys.__stderr__)
        finally:
            os._exit(code)
    os.close(fds[0])
    _SERVERS_FORKED.append(pid)
    _reap_forked_servers()
    return {"status": "ok", "pid": pid}


#: servers this one forked (its children: reaped once they exit)
_SERVERS_FORKED: list[int] = []


def _reap_forked_servers() -> None:
    for pid in list(_SERVERS_FORKED):
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done = pid
        if done:
            _SERVERS_FORKED.remove(pid)


def _serve(requests, replies, control) -> None:
    """Answer one JSON line per request line until the channel closes, then exit."""
    for line in requests:
        if not line.strip():
            continue
        request = json.loads(line)
        if "server" in request and control is not None:
            reply = _fork_server(request, control, (requests, replies))
        else:
            reply = _serve_one(request)
        replies.write(json.dumps(reply) + "\n")
        replies.flush()
    _reap_forked_servers()
    # Nothing is left to write: skip the interpreter's teardown of pandas, matplotlib and IPython (about
    # a second, which the run's close waited for).
    os._exit(0)


def main(modules: list[str], control_fd: int | None = None) -> None:
    import socket

    replies = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
    _use_system_allocator()
    from nrd.run import warm_setup

    warm_setup.install(modules)
    from nrd.run.fork_shell import prepare_shell

    prepare_shell()  # paid once here; each child runs in a copy of this pristine shell
    _warm_papermill()

    replies.write(json.dumps({"status": "ready", "pid": os.getpid()}) + "\n")
    # Until the first request (the run is still checking its data): the page templates and the workbook
    # writer, inherited by every server and child forked from here.
    _warm_exporter_once()
    control = socket.socket(fileno=control_fd) if control_fd is not None else None
    _serve(sys.stdin, replies, control)


if __name__ == "__main__":
    main(json.loads(sys.argv[1]) if len(sys.argv) > 1 else [], int(sys.argv[2]) if len(sys.argv) > 2 else None)

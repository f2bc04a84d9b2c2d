"""``nrd-warm``: a papermill engine that runs reports in a warm, reused Jupyter kernel.

A fresh kernel per report costs ~0.5 s to start, ~0.6 s of imports (pandas, seaborn, matplotlib, nrd) and
~0.5 s (sometimes 3.5 s) to shut down. This engine keeps one real ``nrd`` kernel per worker thread,
started once with those modules imported, and runs every report in it through papermill's own nbclient
client, so the executed notebook holds exactly the outputs a fresh kernel gives (``display_data`` with
``image/png``, ``text/html``, the ``application/vnd.nrd.report+json`` metadata, papermill's error cells).

Isolation: before each report the kernel is put back to the state it had right after the warm-up imports:
the user namespace is cleared (``InteractiveShell.reset(new_session=True)``, execution count back to 1),
figures are closed, matplotlib ``rcParams``, every pandas option, ``os.environ``, ``sys.path``, the
warnings filters and the working directory are restored to their snapshot. Nothing a report sets is seen
by the next one. A kernel that died, timed out or failed its reset is discarded and a new one started; a
kernel is also recycled after ``MAX_REPORTS_PER_KERNEL`` reports to bound its memory.

The kernel side (warm-up imports, the state snapshot, the reset) is ``nrd.run.warm_setup``, a module the
kernel imports. Registration: ``nrd.run.engines`` declares the engine (its papermill class from
``engine_class()``, its per-thread hooks ``warm_up()`` and ``release()``) and registers it with papermill
when first used; the ``papermill.engine`` entry point ``nrd-warm`` makes ``papermill --engine nrd-warm``
work from the shell. The standard engine (``nbclient``, papermill's default) stays the reference.
"""

from __future__ import annotations

import atexit
import os
import queue
import threading
from typing import Any

from nrd.errors import WarmKernelError
from nrd.log import logger

ENGINE_NAME = "nrd-warm"
#: Engine names that mean papermill's standard engine (a fresh kernel per report).
STANDARD_ENGINES = ("nbclient", "papermill", "standard")
MAX_REPORTS_PER_KERNEL = 60
WARM_MODULES = (
    "numpy",
    "pandas",
    "matplotlib",
    "matplotlib.pyplot",
    "seaborn",
    "nrd.periods",
    "nrd.io",
    "nrd.indicators",
    "nrd.present",
    "nrd.present.report",
    "nrd.present.plots",
    "nrd.present.tables",
    "nrd.present.sections",
    "nrd.present.phase",
    "nrd.present.commune_trend",
    "nrd.present.pipeline_sections",
    "nrd.run.meta",
    "nrd.reference",
    "pyarrow.parquet",
    "babel.numbers",
    "babel.dates",
)

# Runs once in a new kernel (``nrd.run.warm_setup.install``): warm-up imports, then the state snapshot.
_KERNEL_SETUP = "__import__('nrd.run.warm_setup', fromlist=['install']).install({modules!r})"
_KERNEL_RESET = "__import__('nrd.run.warm_setup', fromlist=['reset']).reset({cwd!r})"


class WarmKernel:
    """One real Jupyter kernel, started once and reused for many reports by one thread.

    Use it from a single thread only: its asyncio objects live in that thread's event loop.
    """

    def __init__(self, kernel_name: str | None = None, startup_timeout: float = 60) -> None:
        from jupyter_core.utils import run_sync

        from nrd.run.kernels import kernel_manager, report_kernel_name

        kernel_name = kernel_name or report_kernel_name()
        self.kernel_name = kernel_name
        self.reports = 0
        self.thread_id = threading.get_ident()
        self.km = kernel_manager(kernel_name)
        try:
            run_sync(self.km.start_kernel)(extra_arguments=["--HistoryManager.hist_file=:memory:"])
        except (RuntimeError, OSError, TimeoutError) as error:
            raise WarmKernelError(f"warm kernel could not start: {type(error).__name__}: {error}") from error
        try:
            self._run_silently(_KERNEL_SETUP.format(modules=WARM_MODULES), startup_timeout)
        except BaseException:
            self.shutdown()
            raise
        logger.info("warm kernel %s started (pid %s)", self.km.kernel_id, self.pid)

    @property
    def pid(self) -> int | None:
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        return getattr(process, "pid", None)

    def alive(self) -> bool:
        from jupyter_core.utils import run_sync

        try:
            return bool(run_sync(self.km.is_alive)())
        except (RuntimeError, OSError):  # a manager in a broken state counts as dead
            return False

    def _run_silently(self, code: str, timeout: float) -> None:
        """Execute ``code`` without touching the execution count or history; raise when it fails."""
        from jupyter_core.utils import run_sync

        async def run() -> dict[str, Any]:
            kc = self.km.client()
            kc.start_channels()
            try:
                await kc.wait_for_ready(timeout=timeout)
                msg_id = kc.execute(code, silent=True, store_history=False, allow_stdin=False)
                while True:
                    reply = await kc.get_shell_msg(timeout=timeout)
                    if reply["parent_header"].get("msg_id") == msg_id:
                        return reply
            finally:
                kc.stop_channels()

        try:
            reply = run_sync(run)()
        except (RuntimeError, TimeoutError, queue.Empty) as error:  # no reply: dead or too slow
            raise WarmKernelError(f"warm kernel setup failed: {type(error).__name__}: {error}") from error
        content = reply["content"]
        if content.get("status") != "ok":
            raise WarmKernelError(
                f"warm kernel setup failed: {content.get('ename')}: {content.get('evalue')}"
            )

    def execute(self, nb_man: Any, *, cwd: str, client_kwargs: dict[str, Any]) -> Any:
        """Run the managed notebook of papermill in this kernel, after resetting it to the warm state."""
        from papermill.clientwrap import PapermillNotebookClient

        client = PapermillNotebookClient(nb_man, km=self.km, **client_kwargs)
        run_cells = client.papermill_execute_cells
        reset_code = _KERNEL_RESET.format(cwd=cwd)

        def reset_then_run_cells() -> None:
            msg_id = client.kc.execute(reset_code, silent=True, store_history=False, allow_stdin=False)
            reply = client.wait_for_reply(msg_id)
            if not reply or reply["content"].get("status") != "ok":
                content = (reply or {}).get("content", {})
                raise WarmKernelError(
                    f"warm kernel reset failed: {content.get('ename')}: {content.get('evalue')}"
                )
            run_cells()

        client.papermill_execute_cells = reset_then_run_cells
        self.reports += 1
        try:
            return client.execute()
        finally:
            if client.kc is not None:
                client.kc.stop_channels()

    def shutdown(self) -> None:
        """Stop the kernel process now (no graceful wait: its state is thrown away anyway)."""
        from jupyter_core.utils import run_sync

        try:
            run_sync(self.km.shutdown_kernel)(now=True)
        except (RuntimeError, OSError, TimeoutError) as error:  # dead, or another thread's loop: kill it
            process = getattr(getattr(self.km, "provisioner", None), "process", None)
            if process is not None and process.poll() is None:
                process.kill()
            logger.debug("warm kernel shutdown fell back to kill: %s", error)


_KERNELS: dict[int, WarmKernel] = {}
_KERNELS_LOCK = threading.Lock()


def kernel_for_this_thread(kernel_name: str | None = None, startup_timeout: float = 60) -> WarmKernel:
    """The calling thread's warm kernel, started (or replaced when dead or worn) as needed."""
    from nrd.run.kernels import report_kernel_name

    kernel_name = kernel_name or report_kernel_name()
    thread_id = threading.get_ident()
    with _KERNELS_LOCK:
        kernel = _KERNELS.get(thread_id)
    if kernel is not None and (
        kernel.kernel_name != kernel_name or kernel.reports >= MAX_REPORTS_PER_KERNEL or not kernel.alive()
    ):
        discard_kernel(thread_id)
        kernel = None
    if kernel is None:
        kernel = WarmKernel(kernel_name, startup_timeout)
        with _KERNELS_LOCK:
            _KERNELS[thread_id] = kernel
    return kernel


def discard_kernel(thread_id: int | None = None) -> None:
    """Shut down the warm kernel of a thread (the calling thread by default)."""
    with _KERNELS_LOCK:
        kernel = _KERNELS.pop(threading.get_ident() if thread_id is None else thread_id, None)
    if kernel is not None:
        kernel.shutdown()


def shutdown_kernels(thread_ids: Any = None) -> int:
    """Shut down the warm kernels of the given threads (all when ``None``); how many were stopped."""
    with _KERNELS_LOCK:
        ids = list(_KERNELS) if thread_ids is None else [t for t in thread_ids if t in _KERNELS]
    for thread_id in ids:
        discard_kernel(thread_id)
    return len(ids)


def kernel_pids() -> list[int]:
    """Process ids of the live warm kernels of this process (benchmarks and tests)."""
    with _KERNELS_LOCK:
        return [k.pid for k in _KERNELS.values() if k.pid]


atexit.register(shutdown_kernels)


def __getattr__(name: str) -> Any:
    # The engine class is built on first access, not at import: papermill loads its entry points while
    # ``papermill.engines`` is still initialising, and this module is one of them; importing papermill at
    # the top of this module would make that import circular.
    if name == "WarmEngine":
        return engine_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_ENGINE_CLASS: Any = None


def engine_class() -> type:
    """The papermill engine class ``WarmEngine`` (a subclass of papermill's ``NBClientEngine``)."""
    global _ENGINE_CLASS
    if _ENGINE_CLASS is None:
        from papermill.engines import NBClientEngine

        _ENGINE_CLASS = type(
            "WarmEngine",
            (NBClientEngine,),
            {
                "__doc__": _ENGINE_DOC,
                "__module__": __name__,
                "execute_managed_notebook": classmethod(_execute_managed_notebook),
            },
        )
    return _ENGINE_CLASS


_ENGINE_DOC = """papermill engine ``nrd-warm``: like ``nbclient`` but in the calling thread's warm kernel.

Extra keyword understood: ``nrd_cwd`` (the report's working directory; default the process's current
directory, which is what ``papermill --cwd`` sets).
"""


def _execute_managed_notebook(
    cls,
    nb_man,
    kernel_name,
    log_output=False,
    stdout_file=None,
    stderr_file=None,
    start_timeout=60,
    execution_timeout=None,
    **kwargs,
):
    from papermill.utils import merge_kwargs, remove_args

    cwd = str(kwargs.pop("nrd_cwd", None) or os.getcwd())
    kwargs = remove_args(["input_path"], **kwargs)
    safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
    client_kwargs = merge_kwargs(
        safe_kwargs,
        timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
        startup_timeout=start_timeout,
        kernel_name=kernel_name,
        log=logger,
        log_output=log_output,
        stdout_file=stdout_file,
        stderr_file=stderr_file,
    )
    kernel = kernel_for_this_thread(kernel_name, start_timeout)
    from nbclient.exceptions import CellExecutionError

    try:
        return kernel.execute(nb_man, cwd=cwd, client_kwargs=client_kwargs)
    except CellExecutionError:
        raise
    except BaseException:
        # timeout, dead kernel, failed reset: the kernel's state is unknown, the next report gets a new one
        discard_kernel(kernel.thread_id)
        raise


def warm_up() -> None:
    """Start the calling thread's warm kernel now (an executor's worker, before its first report)."""
    kernel_for_this_thread()


def release(thread_ids: Any = None) -> int:
    """Stop the warm kernels of the given threads (all when ``None``); how many were stopped."""
    return shutdown_kernels(thread_ids)

"""``nrd-warm``: a papermill engine that runs reports in a warm, reused Jupyter kernel.

A fresh kernel per report costs ~0.5 s to start, ~0.6 s of imports (pandas, seaborn, matplotlib, nrd) and
~0.5 s (sometimes 3.5 s) to shut down. This engine keeps one real ``python3`` kernel per worker thread,
started once with those modules imported, and runs every report in it through papermill's own nbclient
client, so the executed notebook holds exactly the outputs a fresh kernel gives (``display_data`` with
``image/png``, ``text/html``, the ``application/vnd.nrd.report+json`` metadata, papermill's error cells).

Isolation: before each report the kernel is put back to the state it had right after the warm-up imports:
the user namespace is cleared (``InteractiveShell.reset(new_session=True)``, execution count back to 1),
figures are closed, matplotlib ``rcParams``, every pandas option, ``os.environ``, ``sys.path``, the
warnings filters and the working directory are restored to their snapshot. Nothing a report sets is seen
by the next one. A kernel that died, timed out or failed its reset is discarded and a new one started; a
kernel is also recycled after ``MAX_REPORTS_PER_KERNEL`` reports to bound its memory.

Registration: importing this module registers the engine with papermill (``register()``), and the
``papermill.engine`` entry point ``nrd-warm`` makes ``papermill --engine nrd-warm`` work from the shell.
The standard engine (``nbclient``, papermill's default) stays the reference.
"""

from __future__ import annotations

import atexit
import os
import threading
from typing import Any

from nrd.errors import ReportError
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
    "nrd.run.meta",
    "nrd.reference",
    "pyarrow.parquet",
    "babel.numbers",
    "babel.dates",
)

# Runs once in a new kernel: imports the warm modules, then snapshots the global state a report may
# change into a hidden module (``sys.modules`` survives the namespace reset, the user namespace does not).
_KERNEL_SETUP = r'''
def __nrd_warm_setup(modules):
    import copy, importlib, os, sys, types, warnings
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:
            pass  # a module that cannot be imported fails in the report that imports it, with its traceback
    import matplotlib
    import pandas as pd

    # Load the backend now: the inline backend activates itself (interactive mode, the post-execute hook
    # that sends figures) when the first figure is made, and the snapshot must hold the activated state.
    import matplotlib.pyplot as plt
    plt.close(plt.figure())
    # Pay the first-use costs every report would pay (reference tables and labels read into their caches)
    # here. Drawing a figure here is left out on purpose: it changed the PNG bytes of a later report.
    try:
        import nrd.reference as reference
        for loader in ("load_units", "load_criteria_sets", "load_departments", "load_assumptions"):
            getattr(reference, loader, lambda: None)()
        from nrd.present import i18n
        for lang in ("vi", "en", "fr"):
            i18n.t("section.level", lang)  # loads the label catalog (a YAML parse per process)
    except Exception:
        pass  # only a speed-up: the report pays these costs itself
    state = types.ModuleType("_nrd_warm_state")
    state.rc = {key: copy.deepcopy(value) for key, value in dict.items(matplotlib.rcParams)}
    state.pandas_options = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # reading a deprecated option warns
        for key in pd._config.config._registered_options:
            try:
                state.pandas_options[key] = pd.get_option(key)
            except Exception:
                pass
    state.environ = dict(os.environ)
    state.sys_path = list(sys.path)
    state.filters = list(warnings.filters)

    def reset(cwd):
        import matplotlib.pyplot as plt
        plt.close("all")
        shell = get_ipython()
        shell.reset(new_session=True)
        shell.execution_count = 1
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dict.update(matplotlib.rcParams, {k: copy.deepcopy(v) for k, v in state.rc.items()})
            pd.reset_option("all")
            for key, value in state.pandas_options.items():
                try:
                    if pd.get_option(key) != value:
                        pd.set_option(key, value)
                except Exception:
                    pass
        os.environ.clear()
        os.environ.update(state.environ)
        sys.path[:] = state.sys_path
        warnings.filters[:] = state.filters
        getattr(warnings, "_filters_mutated", lambda: None)()
        os.chdir(cwd)

    state.reset = reset
    sys.modules["_nrd_warm_state"] = state

__nrd_warm_setup(%r)
del __nrd_warm_setup
'''


class WarmKernelError(ReportError):
    """The warm kernel could not be started or reset (the report did not run)."""


class WarmKernel:
    """One real Jupyter kernel, started once and reused for many reports by one thread.

    Use it from a single thread only: its asyncio objects live in that thread's event loop.
    """

    def __init__(self, kernel_name: str = "python3", startup_timeout: float = 60) -> None:
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        self.kernel_name = kernel_name
        self.reports = 0
        self.thread_id = threading.get_ident()
        self.km = AsyncKernelManager(kernel_name=kernel_name)
        run_sync(self.km.start_kernel)(extra_arguments=["--HistoryManager.hist_file=:memory:"])
        try:
            self._run_silently(_KERNEL_SETUP % (WARM_MODULES,), startup_timeout)
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
        except Exception:  # a manager in a broken state counts as dead
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

        reply = run_sync(run)()
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
        reset_code = f"__import__('_nrd_warm_state').reset({cwd!r})"

        def reset_then_run_cells() -> None:
            msg_id = client.kc.execute(reset_code, silent=True, store_history=False, allow_stdin=False)
            reply = client.wait_for_reply(msg_id)
            if not reply or reply["content"].get("status") != "ok":
                content = (reply or {}).get("content", {})
                raise WarmKernelError(f"warm kernel reset failed: {content.get('ename')}: {content.get('evalue')}")
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
        except Exception as error:  # already dead, or called from another thread's loop: kill directly
            process = getattr(getattr(self.km, "provisioner", None), "process", None)
            if process is not None and process.poll() is None:
                process.kill()
            logger.debug("warm kernel shutdown fell back to kill: %s", error)


_KERNELS: dict[int, WarmKernel] = {}
_KERNELS_LOCK = threading.Lock()


def kernel_for_this_thread(kernel_name: str = "python3", startup_timeout: float = 60) -> WarmKernel:
    """The calling thread's warm kernel, started (or replaced when dead or worn) as needed."""
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
    kernel = kernel_for_this_thread(kernel_name or "python3", start_timeout)
    from nbclient.exceptions import CellExecutionError

    try:
        return kernel.execute(nb_man, cwd=cwd, client_kwargs=client_kwargs)
    except CellExecutionError:
        raise
    except BaseException:
        # timeout, dead kernel, failed reset: the kernel's state is unknown, the next report gets a new one
        discard_kernel(kernel.thread_id)
        raise


def is_warm(engine_name: str | None) -> bool:
    """Whether ``engine_name`` names this engine."""
    return engine_name == ENGINE_NAME


def standard_or(engine_name: str | None) -> str | None:
    """``None`` (papermill's default engine) for the standard names, else the name unchanged."""
    if engine_name in (None, "", *STANDARD_ENGINES):
        return None
    return engine_name


def check_engine(engine_name: str | None) -> str | None:
    """The engine name papermill will use (``None`` = standard); ``UsageError`` when none is registered so.

    Raises:
        UsageError: no papermill engine has that name.
    """
    from nrd.errors import UsageError

    from papermill.engines import papermill_engines

    name = standard_or(engine_name)
    if name is not None and name not in papermill_engines._engines:
        known = ", ".join(sorted({ENGINE_NAME, *STANDARD_ENGINES, *(n for n in papermill_engines._engines if n)}))
        raise UsageError(f"engine {engine_name!r}: not a papermill engine; expected one of {known}")
    return name


def register() -> None:
    """Register ``nrd-warm`` with papermill in this process (works without reinstalling the package)."""
    from papermill.engines import papermill_engines

    papermill_engines.register(ENGINE_NAME, engine_class())


register()

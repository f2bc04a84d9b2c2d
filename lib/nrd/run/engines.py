"""The papermill engines a report can run with, in one registry.

Papermill's own engine registry (``papermill.engines.papermill_engines``) executes a notebook by engine
name; this module declares nrd's engines, registers each with papermill (public ``register``) when it is
first asked for, and answers what the run needs to know about an engine:

- ``check_engine(name)``: the name papermill will use (``None`` for its standard engine), or ``UsageError``;
  ``resolve_engine(name)`` the same without registering nrd's engines with papermill (nor importing it);
- ``engine_arguments(name, cwd)``: how the report's working folder is passed (an engine that ``takes_cwd``
  gets it as the ``nrd_cwd`` keyword; papermill's own ``cwd`` changes the folder of the whole process, which
  reports running side by side on threads would race on);
- ``warm_up(name)`` / ``release_all(thread_ids)``: the per-worker hooks an executor calls (start the
  engine's kernel on a worker thread before its first report; stop what engines keep for those threads).

An engine is one ``register_engine(EngineSpec(...))`` line below; its module provides ``engine_class()``
(the papermill engine) and, when it keeps state per worker thread, ``warm_up()`` and ``release(thread_ids)``.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from nrd.errors import UsageError
from nrd.log import logger

#: Engine names that mean papermill's standard engine (a fresh kernel per report).
STANDARD_ENGINES = ("nbclient", "papermill", "standard")
#: The engine of ``nrd run`` when none is given (``benchmarks/run_bench.py`` compares them; docs/scale.md).
DEFAULT_ENGINE = "nrd-fork"


@dataclass(frozen=True)
class EngineSpec:
    """One of nrd's papermill engines.

    Attributes:
        name: the engine name (``--engine``, papermill's ``engine_name``).
        module: the module providing ``engine_class()`` and optionally ``warm_up()``, ``release(ids)``.
        takes_cwd: the engine receives the report's folder as ``nrd_cwd`` (thread-safe) instead of
            papermill's process-wide ``cwd``.
        fallback: the engine used instead where the module's ``available()`` says this one cannot run
            (``nrd-fork`` without ``os.fork``); the run logs the switch.
    """

    name: str
    module: str
    takes_cwd: bool = True
    fallback: str | None = None

    def usable(self) -> bool:
        """Whether the engine can run here (its module's ``available()``, when it has one)."""
        module = self.load()
        return not hasattr(module, "available") or bool(module.available())

    def load(self) -> ModuleType:
        return importlib.import_module(self.module)


_ENGINES: dict[str, EngineSpec] = {}
_REGISTERED: set[str] = set()
_WARNED: set[str] = set()


def register_engine(spec: EngineSpec) -> EngineSpec:
    """Declare an engine (a spec of the same name is replaced)."""
    _ENGINES[spec.name] = spec
    _REGISTERED.discard(spec.name)
    return spec


def engine_names() -> list[str]:
    """Every engine name ``--engine`` accepts: the standard names, nrd's, and papermill's entry points."""
    from importlib.metadata import entry_points

    plugins = {ep.name for ep in entry_points(group="papermill.engine")}
    return sorted({*STANDARD_ENGINES, *_ENGINES, *plugins})


def standard_or(engine_name: str | None) -> str | None:
    """``None`` (papermill's default engine) for the standard names, else the name unchanged."""
    if engine_name in (None, "", *STANDARD_ENGINES):
        return None
    return engine_name


def check_engine(engine_name: str | None) -> str | None:
    """The engine name papermill will use (``None`` = standard), registered with papermill.

    Raises:
        UsageError: no engine has that name (nrd's, or another package's ``papermill.engine`` plugin).
    """
    name = resolve_engine(engine_name)
    spec = _ENGINES.get(name or "")
    if spec is not None and name not in _REGISTERED:
        from papermill.engines import papermill_engines

        papermill_engines.register(name, spec.load().engine_class())
        _REGISTERED.add(name)
    return name


def resolve_engine(engine_name: str | None) -> str | None:
    """``check_engine`` without registering nrd's engines with papermill (nor importing it for them): for a
    process that may never run papermill itself (``notebook_runner``).

    Raises:
        UsageError: no engine has that name.
    """
    name = standard_or(engine_name)
    if name is None:
        return None
    spec = _ENGINES.get(name)
    if spec is not None and spec.fallback and not spec.usable():
        if name not in _WARNED:
            _WARNED.add(name)
            logger.warning("engine %s cannot run on this platform (%s): using %s", name, sys.platform,
                           spec.fallback)
        return resolve_engine(spec.fallback)
    if spec is not None:
        return name
    from papermill.engines import papermill_engines
    from papermill.exceptions import PapermillException

    try:
        papermill_engines.get_engine(name)
    except PapermillException:
        raise UsageError(
            f"engine {engine_name!r}: not a papermill engine; expected one of {', '.join(engine_names())}"
        ) from None
    return name


def engine_arguments(
    engine_name: str | None, cwd: str | Path
) -> tuple[str | None, dict[str, Any], str | None]:
    """papermill's engine name, the engine's extra keywords and papermill's ``cwd`` for one run.

    Raises:
        UsageError: unknown engine.
    """
    name = check_engine(engine_name)
    spec = _ENGINES.get(name or "")
    if spec is not None and spec.takes_cwd:
        return name, {"nrd_cwd": str(Path(cwd).resolve())}, None
    if name is None:  # papermill's own nbclient engine: our kernels, over IPC
        from nrd.run.kernels import IpcKernelManager

        # The kernel starts in the report's folder through nbclient's resources (metadata.path), not through
        # papermill's ``cwd``: that one chdirs the whole process, and two reports on two threads restoring
        # each other's folder left the run's process inside a report folder.
        return name, {"kernel_manager_class": IpcKernelManager,
                      "resources": {"metadata": {"path": str(Path(cwd).resolve())}}}, None
    return name, {}, str(cwd)


def _spec(engine_name: str | None) -> EngineSpec | None:
    """The spec of the engine that will actually run (its fallback where it cannot run here)."""
    spec = _ENGINES.get(standard_or(engine_name) or "")
    if spec is not None and spec.fallback and not spec.usable():
        return _ENGINES.get(spec.fallback)
    return spec


def keeps_workers(engine_name: str | None) -> bool:
    """Whether the engine keeps something per worker thread (a warm kernel) that ``warm_up`` starts."""
    spec = _spec(engine_name)
    return spec is not None and hasattr(spec.load(), "warm_up")


def warm_up(engine_name: str | None) -> None:
    """Run the engine's per-worker start-up on the calling thread (nothing for an engine without one)."""
    spec = _spec(engine_name)
    if spec is not None and hasattr(spec.load(), "warm_up"):
        spec.load().warm_up()


def notebook_runner(engine_name: str | None):
    """The engine's own way to run a whole report (``run_notebook(notebook, parameters, output, *, cwd,
    timeout)``, raising ``ReportError`` like ``nrd.run.execute.execute_notebook``), or ``None`` to run
    papermill in this process."""
    spec = _spec(engine_name)
    if spec is None or not spec.usable():
        return None
    module = spec.load()
    if hasattr(module, "run_notebook") and module.runs_whole_reports():
        return module.run_notebook
    return None


def start_spare(engine_name: str | None, single_worker: bool = False) -> None:
    """Start, in this process, the engine's per-process resource its workers draw on (``nrd-fork``: the
    template server each worker thread's server is forked from); nothing for an engine without spares.
    ``single_worker``: this process runs one report at a time (a Dask worker of one thread, a run of one
    worker): its worker takes the resource itself (one process less)."""
    spec = _spec(engine_name)
    if spec is not None and spec.usable() and hasattr(spec.load(), "start_spare"):
        spec.load().start_spare(single_worker)


def release_all(thread_ids: Iterable[int] | None = None) -> int:
    """Let every loaded engine stop what it keeps for ``thread_ids`` (all threads when ``None``).

    An engine whose module was never imported kept nothing; it is not imported here. Returns how many
    kernels (or other per-thread resources) were stopped.
    """
    ids = None if thread_ids is None else list(thread_ids)
    stopped = 0
    for spec in _ENGINES.values():
        module = sys.modules.get(spec.module)
        if module is not None and hasattr(module, "release"):
            stopped += module.release(ids)
    return stopped


# ---- nrd's engines ---------------------------------------------------------------------------------------
register_engine(EngineSpec("nrd-warm", "nrd.run.warm"))
register_engine(EngineSpec("nrd-fork", "nrd.run.fork", fallback="nrd-warm"))

"""Where the reports of a run execute: threads on this machine, or a Dask distributed cluster.

Executors are a registry (``register_executor(kind, factory)``, ``make_executor(kind, ...)``); each takes
the same tasks, ``render(job, work_dir, generated_on)``, and yields each outcome as it finishes; the run
(``nrd.run.batch``) moves the outputs into the publication on the machine that runs ``nrd run`` (and writes
the workbooks an engine did not write where the report ran). ``render_task`` is the isolation boundary of one report: whatever one render raises
becomes that report's failure (logged with its traceback), never the run's.

- ``LocalExecutor``: a thread pool; each thread keeps what its engine keeps per worker (the warm kernel of
  ``nrd-warm``, through ``nrd.run.engines``), released when the executor closes.
- ``DaskExecutor``: ``distributed.Client`` on a scheduler address, or a ``LocalCluster`` of processes
  (one thread each) when no address is given. Workers run the same renderer and engine, so they need the
  same environment (``nrd`` installed) and must see the data folder and the output folder at the same
  paths (a shared filesystem); see ``docs/scale.md``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from nrd.errors import NrdError, UsageError
from nrd.log import logger
from nrd.run import engines
from nrd.run.model import Outcome


def render_task(index: int, render: Callable[..., Any], job: Any, work: str, generated_on: str) -> Outcome:
    """Run one render and capture any error as text (exceptions do not always survive pickling)."""
    import time

    started = time.perf_counter()
    Path(work).mkdir(parents=True, exist_ok=True)
    try:
        rendered = render(job, Path(work), generated_on)
        return Outcome(index, rendered=rendered, duration_s=time.perf_counter() - started)
    except Exception as error:  # noqa: BLE001 - the isolation boundary: one report's failure, not the run's
        logger.error("report task %d raised %s: %s", index, type(error).__name__, error, exc_info=True)
        evidence = getattr(error, "notebook_path", None)
        return Outcome(
            index,
            error=f"{type(error).__name__}: {error}",
            evidence=str(evidence) if evidence else None,
            duration_s=time.perf_counter() - started,
        )


class LocalExecutor:
    """Reports on threads of this process; each thread's warm kernel is stopped on ``close``."""

    kind = "local"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self._threads: set[int] = set()
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None

    def prewarm(self, engine_name: str | None, limit: int | None = None) -> None:
        """Start the worker threads and their warm kernels now, in the background.

        The run computes the indicator table meanwhile, so kernel start-up costs no wall time. ``limit``:
        at most that many workers (the run has no more reports than that).
        """
        if not engines.keeps_workers(engine_name) or self._pool is not None:
            return
        if limit is not None:
            self.workers = max(1, min(self.workers, limit))
        if self.workers == 1:  # its one worker takes the engine's spare itself
            engines.start_spare(engine_name, single_worker=True)
        self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="nrd-report")
        barrier = threading.Barrier(self.workers)

        def start() -> None:
            with self._lock:
                self._threads.add(threading.get_ident())
            try:
                barrier.wait(timeout=120)  # one task per thread: every thread gets its own kernel
            except threading.BrokenBarrierError:
                pass
            try:
                engines.warm_up(engine_name)
            except NrdError as error:  # the report that runs on this thread will start one (and say why not)
                logger.warning("%s: worker start-up failed: %s", engine_name, error)

        for _ in range(self.workers):
            self._pool.submit(start).add_done_callback(_log_unexpected)

    def _tracked(self, *args: Any) -> Outcome:
        with self._lock:
            self._threads.add(threading.get_ident())
        return render_task(*args)

    def run(self, render: Callable[..., Any], tasks: Sequence[tuple[Any, str, str]]) -> Iterator[Outcome]:
        """Run ``render(job, work, generated_on)`` for every task; yield outcomes as they finish."""
        pool = self._pool or ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="nrd-report")
        self._pool = pool
        futures = [pool.submit(self._tracked, i, render, *task) for i, task in enumerate(tasks)]
        for future in as_completed(futures):
            yield future.result()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        with self._lock:
            threads, self._threads = set(self._threads), set()
        stopped = engines.release_all(threads)
        if stopped:
            logger.info("stopped %d warm kernel(s)", stopped)


def _log_unexpected(future: Future) -> None:
    """Log what a background start-up task raised (nobody waits on its result)."""
    error = future.exception()
    if error is not None:
        logger.error("worker start-up raised %s: %s", type(error).__name__, error,
                     exc_info=(type(error), error, error.__traceback__))


def _shutdown_worker_kernels() -> int:
    return engines.release_all()


def _start_worker_spare(engine_name: str | None, dask_worker: Any = None) -> None:
    """On a Dask worker (``Client.run`` passes it as ``dask_worker``): its engine's spare, taken by the
    worker itself when it runs one task at a time."""
    threads = getattr(dask_worker, "nthreads", None) or getattr(getattr(dask_worker, "state", None), "nthreads", 0)
    engines.start_spare(engine_name, single_worker=threads == 1)


class DaskExecutor:
    """Reports on a Dask distributed cluster (``scheduler`` address), or on a LocalCluster of processes."""

    kind = "dask"

    def __init__(self, scheduler: str | None = None, workers: int | None = None) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError as error:  # dask[distributed] is a dependency; a trimmed install may lack it
            raise UsageError(f"--executor dask needs dask[distributed]: {error}") from None
        self.cluster = None
        if scheduler:
            try:
                self.client = Client(scheduler, timeout="20s")
            except OSError as error:
                raise UsageError(f"--scheduler {scheduler}: cannot reach the Dask scheduler ({error})") from None
        else:
            n = max(1, workers or os.cpu_count() or 1)
            # processes, one thread each: one warm kernel per worker, no GIL shared between reports
            self.cluster = LocalCluster(
                n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
            )
            self.client = Client(self.cluster)
        self.workers = max(1, sum(w.get("nthreads", 1) for w in self.client.scheduler_info()["workers"].values()))
        logger.info("dask executor: %s, %d worker thread(s)", self.client.scheduler.address, self.workers)

    def prewarm(self, engine_name: str | None, limit: int | None = None) -> None:
        """Each worker starts its engine's spare now (``nrd-fork``: the template fork server, which a worker
        of one thread uses as its own), while this machine checks the data; an engine without spares starts
        with the worker's first report."""
        try:
            self.client.run(_start_worker_spare, engine_name)
        except Exception as error:  # noqa: BLE001 - only a speed-up: the first report starts its own
            logger.debug("dask workers could not start their spares: %s: %s", type(error).__name__, error)

    def run(self, render: Callable[..., Any], tasks: Sequence[tuple[Any, str, str]]) -> Iterator[Outcome]:
        """Submit every task to the cluster; yield outcomes as they finish."""
        from distributed import as_completed as dask_completed

        futures = [
            self.client.submit(render_task, i, render, *task, pure=False, key=f"nrd-report-{i}-{os.getpid()}")
            for i, task in enumerate(tasks)
        ]
        for future in dask_completed(futures):
            try:
                yield future.result()
            except Exception as error:  # noqa: BLE001 - the isolation boundary on Dask: the worker died,
                index = futures.index(future)  # or the task could not be unpickled: one report's failure
                logger.error("dask task %d failed: %s: %s", index, type(error).__name__, error, exc_info=True)
                yield Outcome(index, error=f"dask: {type(error).__name__}: {error}")

    def close(self) -> None:
        try:
            self.client.run(_shutdown_worker_kernels)
        except (OSError, TimeoutError) as error:  # workers gone: their kernels exited with their parent
            logger.debug("could not stop the workers' kernels: %s", error)
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _local(workers: int | None, scheduler: str | None) -> LocalExecutor:
    if scheduler:
        raise UsageError("--scheduler needs --executor dask")
    return LocalExecutor(workers)


def _dask(workers: int | None, scheduler: str | None) -> DaskExecutor:
    return DaskExecutor(scheduler, workers)


#: Executor kinds: ``kind -> factory(workers, scheduler)``, in the order ``--executor`` lists them.
EXECUTORS: dict[str, Callable[[int | None, str | None], Any]] = {}


def register_executor(kind: str, factory: Callable[[int | None, str | None], Any]) -> None:
    """Add an executor kind (``factory(workers, scheduler)`` returns the executor)."""
    EXECUTORS[kind] = factory


def make_executor(kind: str = "local", *, workers: int | None = None, scheduler: str | None = None):
    """The executor named ``kind`` (``local`` or ``dask``).

    Raises:
        UsageError: unknown kind, or a scheduler address given to the local executor.
    """
    factory = EXECUTORS.get(kind)
    if factory is None:
        raise UsageError(f"--executor {kind!r}: expected one of {', '.join(EXECUTORS)}")
    return factory(workers, scheduler)


register_executor("local", _local)
register_executor("dask", _dask)

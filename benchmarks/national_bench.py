"""National scale: commune scorecards of the 3,321-unit synthetic dataset through ``nrd run``'s Dask executor.

Usage::

    .venv/bin/python benchmarks/national_bench.py /tmp/national [--small 8] [--large 32] [--period 2026-10]
        [--engine nrd-fork] [--repeat 3]

Prints (figures for docs/scale.md; nothing is asserted):

Every figure is a median of ``--repeat`` rounds (the machine's speed drifts within minutes; the setups of a
round run one after the other, so a drift touches all of them).

1. the cold read of the national CSV dataset (a fresh cache folder each time) and the cached read;
2. the indicator table P-12..P;
3. for 1 and 2 Dask workers, two runs of ``nrd run --executor dask`` (``--small`` then ``--large``
   scorecards, every run from scratch: cluster start, data check, indicator table, fork servers): the
   marginal rate (the extra reports over the extra time — what thousands of reports cost each), the fixed
   part, the projection for all 3,321 units, the 1 -> 2 workers scaling, and the peak memory of a Dask
   worker (its process, and with its fork server and report children: their proportional set size, so
   memory the children share with the server copy-on-write is counted once), and how many of the machine's
   cores the run kept busy on average (CPU seconds of every process of the run / wall seconds): on two
   cores, the scaling from 1 to 2 workers cannot exceed 2 / (cores busy with 1 worker).

The dataset is built when DIR has none (``nrd demo-data DIR --province all --format csv``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
BIN = Path(sys.executable).parent
ALL_UNITS = 3321


class WorkerMemory:
    """Peak memory of each Dask worker's process tree (sampled): RSS of the worker process and PSS of the
    worker with its fork server and report children."""

    def __init__(self, root_pid: int, interval: float = 0.3) -> None:
        import psutil

        self.root = psutil.Process(root_pid)
        self.interval = interval
        self.worker_rss = 0
        self.tree_pss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _workers(self) -> list:
        import psutil

        try:
            procs = self.root.children(recursive=True)
        except psutil.Error:
            return []
        found = []
        for proc in procs:
            try:
                line = " ".join(proc.cmdline())
            except psutil.Error:
                continue
            # a LocalCluster worker is a multiprocessing child of its nanny; its own children are fork servers
            if "multiprocessing" in line and "spawn" in line:
                found.append(proc)
        return found

    def _sample(self) -> None:
        import psutil

        while not self._stop.is_set():
            for worker in self._workers():
                try:
                    self.worker_rss = max(self.worker_rss, worker.memory_info().rss)
                    tree = [worker, *worker.children(recursive=True)]
                    self.tree_pss = max(self.tree_pss, sum(p.memory_full_info().pss for p in tree))
                except psutil.Error:
                    continue
            self._stop.wait(self.interval)

    def __enter__(self) -> WorkerMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def build(data: Path) -> None:
    if (data / "dataset.yaml").is_file():
        return
    started = time.perf_counter()
    subprocess.run([str(BIN / "nrd"), "demo-data", str(data), "--province", "all", "--format", "csv"], check=True)
    print(f"national dataset built in {time.perf_counter() - started:.0f} s -> {data}")


def reads(data: Path, period: str | None, repeat: int = 1):
    """Cold reads (a fresh cache each: the median of ``repeat``), cached read, indicator table; the
    dataset's communes and the period."""
    from nrd.io import read_dataset
    from nrd.run.prepare import for_each_keys, indicator_tables

    colds = []
    for _ in range(max(1, repeat)):
        with tempfile.TemporaryDirectory(prefix="nrd-cold-cache-") as cache:
            previous = os.environ.get("NRD_CACHE_DIR")
            os.environ["NRD_CACHE_DIR"] = cache
            try:
                started = time.perf_counter()
                read_dataset(data)
                colds.append(time.perf_counter() - started)
                started = time.perf_counter()
                ds = read_dataset(data)
                cached = time.perf_counter() - started
            finally:
                os.environ.pop("NRD_CACHE_DIR") if previous is None else os.environ.update(NRD_CACHE_DIR=previous)
    print(f"read: cold {statistics.median(colds):.1f} s (median of {len(colds)}: "
          f"{', '.join(f'{c:.1f}' for c in colds)}; target < 5 s), cached {cached:.2f} s; {len(ds.units)} units")
    period = period or ds.latest_period
    started = time.perf_counter()
    history, _ = indicator_tables(ds, period)
    print(f"indicator table P-12..P: {len(history)} rows in {time.perf_counter() - started:.1f} s")
    return for_each_keys(ds, period)["commune"], period


def run(plan: Path, period: str, out: Path, workers: int, engine: str,
        cores: set[int] | None = None) -> tuple[float, WorkerMemory]:
    env = dict(os.environ, NRD_GENERATED_ON="2026-11-05")
    command = [str(BIN / "nrd"), "run", str(plan), "--period", period, "--out", str(out), "--workers", str(workers),
               "--executor", "dask", "--engine", engine, "--quiet", "--force"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with WorkerMemory(os.getpid()) as memory:
        started = time.perf_counter()
        # cores: every process of the run (client, scheduler, workers, fork servers, reports) on these CPUs
        pin = (lambda: os.sched_setaffinity(0, cores)) if cores else None
        done = subprocess.run(command, capture_output=True, text=True, env=env, preexec_fn=pin)
        elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU seconds of the run and every process it waited for (client, scheduler, workers, fork servers)
    memory.cores_busy = ((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)) / elapsed
    if done.returncode != 0:
        sys.exit(f"nrd run failed ({done.returncode}):\n{done.stderr[-3000:]}")
    manifest = json.loads((out / period / "manifest.json").read_text(encoding="utf-8"))
    failed = [r for r in manifest["reports"] if r.get("status") == "failed"]
    if failed:
        sys.exit(f"{len(failed)} report(s) failed: {failed[0]}")
    return elapsed, memory


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", help="national dataset folder (built when missing)")
    parser.add_argument("--small", type=int, default=8, help="scorecards of the first run per worker count")
    parser.add_argument("--large", type=int, default=32, help="scorecards of the second run per worker count")
    parser.add_argument("--period", default=None, help="YYYY-MM (default: the dataset's latest)")
    parser.add_argument("--engine", default="nrd-fork")
    # this machine's speed drifts by up to 1.5x within minutes: every setup runs in each round, the
    # rounds interleaved, and the figures are medians (the scaling: of each round's own ratio)
    parser.add_argument("--repeat", type=int, default=3, help="rounds of every setup (medians printed)")
    args = parser.parse_args()
    data = Path(args.data).resolve()
    build(data)
    communes, period = reads(data, args.period, args.repeat)
    tmp = Path(tempfile.mkdtemp(prefix="nrd-national-"))
    try:
        rates: dict[str, list[float]] = {}
        fixeds: dict[str, list[float]] = {}
        # (label, workers, CPUs the whole run may use): one worker free on the machine, one worker alone on
        # one core, two workers on two cores
        pinnable = hasattr(os, "sched_setaffinity") and len(os.sched_getaffinity(0)) >= 2
        first_two = sorted(os.sched_getaffinity(0))[:2] if pinnable else []
        setups = [("1 worker", 1, None)]
        if pinnable:
            setups.append(("1 worker on 1 core", 1, {first_two[0]}))
        setups.append(("2 workers", 2, set(first_two) if pinnable else None))
        for round_number in range(1, max(1, args.repeat) + 1):
            for label, workers, cores in setups:
                times = {}
                for count in (args.small, args.large):
                    plan = tmp / f"plan-{count}.yaml"
                    plan.write_text(f"dataset: {data}\nlanguages: [vi]\nnotebooks: {NOTEBOOKS}\nreports:\n"
                                    f"  - notebook: commune_scorecard\n    for_each: commune\n"
                                    f"    only: {json.dumps(communes[:count])}\n",
                                    encoding="utf-8")
                    times[count], memory = run(plan, period, tmp / f"out-{round_number}-{workers}-{count}",
                                               workers, args.engine, cores)
                    print(f"  round {round_number}, {label}, {count:3d} scorecards: {times[count]:6.1f} s, "
                          f"{memory.cores_busy:.2f} cores busy on average; peak per worker: "
                          f"process {memory.worker_rss / 2**20:.0f} MB, with its fork server and report "
                          f"children {memory.tree_pss / 2**20:.0f} MB PSS (target < 600 MB)", flush=True)
                rate = (args.large - args.small) / (times[args.large] - times[args.small])
                rates.setdefault(label, []).append(rate)
                fixeds.setdefault(label, []).append(times[args.small] - args.small / rate)
        for label, found in rates.items():
            rate, fixed = statistics.median(found), statistics.median(fixeds[label])
            print(f"  {label}: {rate:.2f} reports/s marginal (median of {', '.join(f'{r:.2f}' for r in found)}), "
                  f"{fixed:.0f} s fixed; all {ALL_UNITS:,} units projected {(fixed + ALL_UNITS / rate) / 60:.1f} min",
                  flush=True)

        def scaling(baseline: str) -> str:
            ratios = [two / one for two, one in zip(rates["2 workers"], rates[baseline])]
            return f"{statistics.median(ratios):.2f}x (rounds: {', '.join(f'{r:.2f}' for r in ratios)})"

        print(f"scaling 1 -> 2 workers: {scaling('1 worker')} (target >= 1.8; one worker alone also uses the "
              f"second core for the run's process and the Dask scheduler)")
        if "1 worker on 1 core" in rates:
            print(f"scaling 1 -> 2 cores, one worker per core: {scaling('1 worker on 1 core')}")
        two = statistics.median(rates["2 workers"])
        print(f"projection with 2 workers {(ALL_UNITS / two) / 60:.1f} min + start-up (target < 30 min)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

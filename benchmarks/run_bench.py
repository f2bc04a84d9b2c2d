"""Report throughput: shell loop of papermill + nbconvert CLI vs a 2-process papermill pool vs ``nrd run``.

Usage::

    .venv/bin/python benchmarks/run_bench.py [--communes 40] [--period 2025-09] [--data data/demo] [--repeat 3]

The default mode runs the same reports (1 province overview + N commune scorecards + 1 department brief)
three ways and prints the wall time of each, the ratios, and the peak memory per worker process:

1. ``shell``: for each report, ``papermill`` CLI (fresh process, fresh kernel) then
   ``jupyter nbconvert --to html --no-input`` CLI, one after the other (how a cron script would do it);
2. ``pool``: ``multiprocessing.Pool(2)`` of papermill's Python API (fresh kernel per report) + the
   project's HTML exporter;
3. ``nrd run``: the run command (indicator table computed once and shared), 2 workers, with its default
   engine and with each other engine named by ``--engines`` (``nrd-warm``, ``nrd-fork``);
4. ``floor``: the same reports' code cells executed as plain Python (``exec``) in one pre-imported process
   per core, the run's indicator table passed in, figures saved as PNG — no kernel, no papermill, no
   export. ``nrd run``'s ratio to it is printed (target <= 1.3).

Pages 2 and 3 use the same exporter, so their HTML must be byte-identical (checked); the shell loop's pages
use nbconvert's own template, so its executed notebooks' outputs are compared instead.

National scale has its own benchmark: ``benchmarks/national_bench.py``.

Memory: psutil samples the whole process tree every 0.2 s (peak RSS per process); it is installed with
jupyter. No dependency is added.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
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
GENERATED_ON = "2025-10-05"


class TreeMemory:
    """Peak RSS of every process under a root process (sampled), by process name and command."""

    def __init__(self, root_pid: int, interval: float = 0.2) -> None:
        import psutil

        self.root = psutil.Process(root_pid)
        self.interval = interval
        self.peaks: dict[int, tuple[int, str]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        import psutil

        while not self._stop.is_set():
            try:
                procs = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                procs = []
            for proc in procs:
                try:
                    rss = proc.memory_info().rss
                    label = " ".join(proc.cmdline()[:4])[-90:]
                except psutil.Error:
                    continue
                if rss > self.peaks.get(proc.pid, (0, ""))[0]:
                    self.peaks[proc.pid] = (rss, label)
            self._stop.wait(self.interval)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def kernel_peak_mb(self) -> float:
        kernels = [rss for rss, label in self.peaks.values() if "ipykernel" in label]
        return max(kernels, default=0) / 2**20

    def worker_peak_mb(self) -> float:
        """Largest driver/worker process that is not a kernel (papermill CLI, pool worker, nrd run)."""
        others = [rss for rss, label in self.peaks.values() if "ipykernel" not in label]
        return max(others, default=0) / 2**20


def report_set(data: Path, period: str, communes: int) -> list[tuple[str, dict]]:
    from nrd.io import read_dataset
    from nrd.run.batch import for_each_keys

    keys = for_each_keys(read_dataset(data), period)
    units = keys["commune"][:communes]
    return (
        [("province_overview", {})]
        + [("commune_scorecard", {"unit_code": u}) for u in units]
        + [("department_brief", {"department": keys["department"][0]})]
    )


def _stem(notebook: str, params: dict) -> str:
    return "-".join([notebook, *params.values()])


def run_shell(reports, data: Path, period: str, out: Path) -> None:
    out.mkdir(parents=True)
    for notebook, params in reports:
        ipynb = out / f"{_stem(notebook, params)}.ipynb"
        args = [str(BIN / "papermill"), str(NOTEBOOKS / f"{notebook}.ipynb"), str(ipynb), "--cwd", str(NOTEBOOKS),
                "-r", "period", period, "-r", "data_dir", str(data), "-r", "lang", "vi", "--no-progress-bar"]
        for name, value in params.items():
            args += ["-r", name, value]
        subprocess.run(args, check=True, capture_output=True)
        subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(ipynb)],
                       check=True, capture_output=True)


def _pool_task(task) -> str:
    notebook, params, data, period, out = task
    from nrd.run.render import render_report

    result = render_report(NOTEBOOKS / f"{notebook}.ipynb", period=period, parameters=params, out_dir=out,
                           lang="vi", data_dir=data, generated_on=GENERATED_ON)
    return result.status


def run_pool(reports, data: Path, period: str, out: Path) -> None:
    tasks = [(nb, p, str(data), period, str(out)) for nb, p in reports]
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        statuses = pool.map(_pool_task, tasks, chunksize=1)
    if any(s != "ok" for s in statuses):
        print(f"  pool: {statuses.count('failed')} report(s) failed")


def write_plan(path: Path, reports, data: Path) -> Path:
    units = [p["unit_code"] for nb, p in reports if nb == "commune_scorecard"]
    departments = [p["department"] for nb, p in reports if nb == "department_brief"]
    lines = [
        f"dataset: {data}", "languages: [vi]", f"notebooks: {NOTEBOOKS}", "reports:",
        "  - notebook: province_overview",
        "  - notebook: commune_scorecard", "    for_each: commune", f"    only: {json.dumps(units)}",
        "  - notebook: department_brief", "    for_each: department", f"    only: {json.dumps(departments)}",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_nrd(plan: Path, period: str, out: Path, workers: int = 2, extra: tuple[str, ...] = ()) -> None:
    env = dict(os.environ, NRD_GENERATED_ON=GENERATED_ON)
    subprocess.run([str(BIN / "nrd"), "run", str(plan), "--period", period, "--out", str(out), "--workers",
                    str(workers), "--quiet", "--force", *extra], check=True, capture_output=True, env=env)


_FLOOR_MODULES: tuple = ()


def _floor_init(modules) -> None:
    import importlib

    os.environ["MPLBACKEND"] = "Agg"
    for name in modules:
        importlib.import_module(name)


def _floor_task(task) -> float:
    """One report's code cells as plain Python in this (pre-imported) process; its CPU-side wall time."""
    import io

    import matplotlib.pyplot as plt
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    notebook, params, indicators = task
    started = time.perf_counter()
    nb = parameterize_notebook(load_notebook_node(str(NOTEBOOKS / f"{notebook}.ipynb")), params)
    namespace: dict = {"__name__": "__main__"}
    cwd = os.getcwd()
    os.chdir(NOTEBOOKS)
    try:
        for cell in nb.cells:
            if cell.cell_type == "code" and cell.source.strip():
                exec(compile(cell.source, notebook, "exec"), namespace)
                for number in plt.get_fignums():
                    plt.figure(number).savefig(io.BytesIO(), format="png", bbox_inches="tight")
                plt.close("all")
    finally:
        os.chdir(cwd)
    return time.perf_counter() - started


def run_floor(reports, data: Path, period: str, out: Path) -> None:
    from nrd.io import read_dataset
    from nrd.run.prepare import indicator_tables
    from nrd.run.warm import WARM_MODULES

    out.mkdir(parents=True)
    history, _ = indicator_tables(read_dataset(data), period)
    table = out / "indicators.parquet"
    history.to_parquet(table, index=False)
    tasks = []
    for notebook, params in reports:
        full = {"period": period, "data_dir": str(data), "lang": "vi", "indicators_path": str(table), **params}
        tasks.append((notebook, full, str(table)))
    with multiprocessing.get_context("spawn").Pool(2, _floor_init, (WARM_MODULES,)) as pool:
        pool.map(_floor_task, tasks, chunksize=1)


def timed(label: str, fn, *args) -> tuple[float, TreeMemory]:
    with TreeMemory(os.getpid()) as memory:
        started = time.perf_counter()
        fn(*args)
        elapsed = time.perf_counter() - started
    print(f"  {label:<10} {elapsed:7.1f} s   peak kernel {memory.kernel_peak_mb():5.0f} MB   "
          f"peak driver/worker {memory.worker_peak_mb():5.0f} MB", flush=True)
    return elapsed, memory


def _outputs(path: Path) -> list:
    import nbformat

    nb = nbformat.read(path, as_version=4)
    return [c.get("outputs") for c in nb.cells if "injected-parameters" not in c.metadata.get("tags", [])]


def compare_three_ways(args) -> int:
    data = Path(args.data).resolve()
    reports = report_set(data, args.period, args.communes)
    print(f"{len(reports)} reports (1 province overview, {args.communes} commune scorecards, 1 department brief),"
          f" period {args.period}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}", flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="nrd-bench-"))
    try:
        times = {}
        if not args.skip_shell:
            times["shell"], _ = timed("shell", run_shell, reports, data, args.period, tmp / "shell")
        times["pool"], pool_mem = timed("pool x2", run_pool, reports, data, args.period, tmp / "pool")
        plan = write_plan(tmp / "plan.yaml", reports, data)
        # nrd run and the floor alternate --repeat times; each figure is the median (one run of either
        # varies by about a second on this machine)
        nrd_runs, floor_runs = [], []
        for attempt in range(max(1, args.repeat)):
            suffix = "" if attempt == 0 else f"-{attempt + 1}"
            seconds, memory = timed(f"nrd run{suffix}", run_nrd, plan, args.period, tmp / f"nrd{suffix}")
            nrd_runs.append(seconds)
            nrd_mem = memory if attempt == 0 else nrd_mem
            floor_runs.append(timed(f"floor{suffix}", run_floor, reports, data, args.period,
                                    tmp / f"floor{suffix}")[0])
        times["nrd"], times["floor"] = statistics.median(nrd_runs), statistics.median(floor_runs)
        for engine in args.engines:
            times[engine], _ = timed(engine[:10], run_nrd, plan, args.period, tmp / engine, 2,
                                     ("--engine", engine))
        n = len(reports)
        for label, seconds in times.items():
            print(f"  {label:<10} {seconds / n:6.2f} s per report")
        if "shell" in times:
            print(f"  nrd run is {times['shell'] / times['nrd']:.1f}x faster than the shell loop (target >= 12)")
        print(f"  nrd run is {times['pool'] / times['nrd']:.1f}x faster than the 2-process pool (target >= 4)")
        for engine in args.engines:
            print(f"  nrd run --engine {engine}: {times['pool'] / times[engine]:.1f}x the pool"
                  + (f", {times['shell'] / times[engine]:.1f}x the shell loop" if "shell" in times else ""))
        print(f"  nrd run / plain-Python floor: {times['nrd'] / times['floor']:.2f} (target <= 1.3; both include "
              f"the indicator table and the workers' imports)")
        published = tmp / "nrd" / args.period
        same = differ = 0
        for html in sorted((tmp / "pool").glob("*.html")):
            other = published / "html" / html.name
            if other.is_file() and other.read_bytes() == html.read_bytes():
                same += 1
            else:
                differ += 1
        print(f"  HTML pool vs nrd run: {same} byte-identical, {differ} different")
        for engine in args.engines:
            equal = sum((tmp / engine / args.period / "html" / h.name).is_file()
                        and (tmp / engine / args.period / "html" / h.name).read_bytes() == h.read_bytes()
                        for h in (tmp / "pool").glob("*.html"))
            print(f"  HTML pool vs nrd run --engine {engine}: {equal}/{n} byte-identical")
            differ += n - equal
        if "shell" in times:
            equal = sum(_outputs(nb) == _outputs(tmp / "pool" / nb.name) for nb in (tmp / "shell").glob("*.ipynb"))
            print(f"  executed outputs shell vs pool: {equal}/{n} identical")
        worst = max(pool_mem.kernel_peak_mb(), nrd_mem.kernel_peak_mb())
        print(f"  peak memory per worker: kernel {nrd_mem.kernel_peak_mb():.0f} MB + driver "
              f"{nrd_mem.worker_peak_mb():.0f} MB (nrd run); target < 600 MB; worst kernel {worst:.0f} MB")
        return 0 if differ == 0 else 1
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"  outputs kept in {tmp}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    # 40 scorecards: a run long enough that per-report cost, not start-up, decides (the monthly run has 108)
    parser.add_argument("--communes", type=int, default=40)
    parser.add_argument("--period", default="2025-09")
    parser.add_argument("--data", default=str(ROOT / "data" / "demo"))
    parser.add_argument("--skip-shell", action="store_true", help="leave out the (slow) shell loop")
    parser.add_argument("--engines", nargs="*", default=["nrd-warm", "nrd-fork"],
                        help="also time nrd run with these engines")
    parser.add_argument("--keep", action="store_true", help="keep the outputs")
    parser.add_argument("--repeat", type=int, default=3, help="runs of nrd run and of the floor (median)")
    args = parser.parse_args()
    return compare_three_ways(args)


if __name__ == "__main__":
    sys.exit(main())

"""Timings of the indicator engine (printed, not asserted).

1. the demo dataset (data/demo), every month it holds;
2. a synthetic national dataset (3,321 units), generated once into a cache folder with
   ``nrd demo-data DIR --province all``, one period; its cold read also with CSV read row by row (the
   reference the column-wise path of ``nrd.io.fast_csv`` is tested against).

Usage: .venv/bin/python benchmarks/bench_indicators.py [--cache DIR]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _timed(label: str, fn):
    start = time.perf_counter()
    result = fn()
    print(f"{label}: {time.perf_counter() - start:.2f} s")
    return result


def main() -> None:
    from nrd.indicators import build_indicator_table, compute_indicators
    from nrd.io import read_dataset

    parser = argparse.ArgumentParser()
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "nrd-bench-national")
    args = parser.parse_args()

    demo = _timed("demo read (cold, no cache)", lambda: read_dataset(REPO / "data" / "demo", use_cache=False))
    demo = _timed("demo read (cached)", lambda: read_dataset(REPO / "data" / "demo"))
    months = demo.periods
    table = _timed(f"demo build all {len(months)} months", lambda: build_indicator_table(demo, months))
    print(f"  {len(table)} rows")

    if not (args.cache / "criteria_status.csv").exists() and not (args.cache / "criteria_status.xlsx").exists():
        _timed("national generate", lambda: subprocess.run(
            [str(Path(sys.executable).parent / "nrd"), "demo-data", str(args.cache), "--province", "all",
             "--format", "csv"], check=True))
    else:
        print(f"national generate: reused {args.cache}")
    _timed("national read (cold, no cache)", lambda: read_dataset(args.cache, use_cache=False))
    from nrd.io import fast_csv

    column_wise = fast_csv.read_columns
    fast_csv.read_columns = lambda *a, **k: None  # every CSV through the csv module, row by row
    try:
        _timed("national read (cold, no cache, CSV row by row: the reference)",
               lambda: read_dataset(args.cache, use_cache=False))
    finally:
        fast_csv.read_columns = column_wise
    _timed("national read (filling the cache)", lambda: read_dataset(args.cache))
    national = _timed("national read (cached)", lambda: read_dataset(args.cache))
    period = national.latest_period
    table = _timed(f"national build one period ({period})", lambda: compute_indicators(national, period))
    print(f"  {len(table)} rows")

if __name__ == "__main__":
    main()

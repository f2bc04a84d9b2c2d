"""Deterministic demo dataset: the office's input files for Ninh Bình (or any province), synthetic.

Public names::

    generate_demo_dataset(out_dir, *, province="37", seed=37, end="2026-10", fmt="xlsx") -> dict[str, Path]
    build_demo_tables(province="37", seed=37, end="2026-10") -> (dict[str, DataFrame], DemoTargets)
    NINH_BINH_2025_09, REFERENCE_PERIOD, DemoTargets
"""

from nrd.demo.generate import CSV_TABLES, DEFAULT_SEED, build_demo_tables, generate_demo_dataset
from nrd.demo.targets import NINH_BINH_2025_09, REFERENCE_PERIOD, DemoTargets

__all__ = [
    "CSV_TABLES",
    "DEFAULT_SEED",
    "NINH_BINH_2025_09",
    "REFERENCE_PERIOD",
    "DemoTargets",
    "build_demo_tables",
    "generate_demo_dataset",
]

"""``read_dataset`` and ``validate_dataset``: locate, read, parse, validate, cache — the one entry point to
a dataset folder (``locate`` → ``read`` → ``parse`` → ``validate`` → ``defaults``, each its own module)."""

from __future__ import annotations

import datetime as _dt
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, replace
from pathlib import Path

import pandas as pd

from nrd.contract import TABLE_NAMES
from nrd.io import cache, locate
from nrd.io.dataset import Dataset, TableStats
from nrd.io.defaults import apply_defaults
from nrd.io.findings import ERROR, Finding, sort_findings
from nrd.io.locate import UNREADABLE, TableSource
from nrd.io.parse import parse_table
from nrd.io.read import read_raw
from nrd.io.schemas import ROW, SOURCE, get_table
from nrd.io.validate import validate_tables
from nrd.log import logger


def _drop_error_rows(frames: dict[str, pd.DataFrame], findings) -> dict[str, pd.DataFrame]:
    bad: dict[str, set[tuple[str, int]]] = {}
    for f in findings:
        if f.severity == ERROR and f.row is not None and f.table:
            label = f"{f.file}:{f.sheet}" if f.sheet else f.file
            bad.setdefault(f.table, set()).add((label, f.row))
    out = {}
    for name, frame in frames.items():
        rows = bad.get(name)
        if rows:
            keep = pd.Series(
                [(s, r) not in rows for s, r in zip(frame[SOURCE], frame[ROW])], index=frame.index, dtype=bool
            )
            frame = frame[keep].reset_index(drop=True)
        out[name] = frame
    return out



@contextmanager
def _paused_gc() -> Iterator[None]:
    """The cyclic garbage collector paused for the block.

    Reading a table builds millions of small lists and tuples (none of them cyclic); each allocation burst
    would otherwise trigger full collections over them, which cost more than the reading itself at national
    scale.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_tables(
    data_dir: Path, sources: dict[str, TableSource], registry
) -> tuple[dict, list[Finding], dict]:
    """Parse every located table; returns (frames, findings, stats as (sheet, rows_read, written headers))."""
    frames: dict[str, pd.DataFrame] = {}
    findings: list[Finding] = []
    stats: dict[str, tuple[str, int]] = {}
    for name, source in sources.items():
        try:
            with _paused_gc():
                raw = read_raw(source)
        except UNREADABLE as error:  # corrupt/locked/not-a-workbook: the user's file, reported, not raised
            logger.warning("cannot read %s: %s", source.label, error)
            findings.append(
                Finding(
                    ERROR,
                    "unreadable_file",
                    name,
                    source.file,
                    source.sheet,
                    message=f"cannot read the file: {error}",
                )
            )
            continue
        with _paused_gc():
            frame, table_findings, headers = parse_table(raw, registry)
        frames[name] = frame
        findings.extend(table_findings)
        stats[name] = (raw.source.sheet, len(raw.rows), headers)
    return frames, findings, stats

def read_dataset(
    data_dir, *, tables: list[str] | None = None, use_cache: bool = True, today: _dt.date | None = None
) -> Dataset:
    """Read and validate the dataset folder ``data_dir``.

    Args:
        data_dir: folder holding ``<table>.csv``/``<table>.xlsx`` files or a ``dataset.xlsx`` workbook,
            and optionally ``dataset.yaml`` with ``province_code``.
        tables: the tables to read (default: all nine); absent tables are simply not in ``Dataset.tables``.
        use_cache: reuse (and store) the validated frames under ``<data_dir>/.cache/``.
        today: the date the "no future period" rule compares against (default: today).

    Returns:
        A ``Dataset`` whose frames hold only rows without error findings; ``findings`` lists every error
        and warning (sorted by file, sheet, row).

    Raises:
        UsageError: ``data_dir`` is not a folder. UnknownNameError: a table name is not in the contract.
        ReferenceDataError: ``dataset.yaml`` is unreadable.
    """
    from nrd.reference import UnitRegistry, load_units

    data_dir = locate.check_data_dir(data_dir)
    wanted = list(tables) if tables else list(TABLE_NAMES)
    for name in wanted:
        get_table(name)
    province = locate.read_province_code(data_dir)
    sources, findings = locate.locate_tables(data_dir, wanted)
    hashes = locate.hash_inputs(data_dir, sources)
    today = today or _dt.date.today()
    month = f"{today.year:04d}-{today.month:02d}"
    key = cache.cache_key(hashes, province_code=province, tables=wanted, current_month=month)
    if use_cache:
        entry = cache.load_entry(data_dir, key)
        if entry is not None:
            logger.info("dataset %s read from cache %s", data_dir, key)
            return Dataset(
                data_dir=data_dir,
                province_code=province,
                tables=entry["frames"],
                findings=entry["findings"],
                files=entry["files"],
                input_hashes=entry["input_hashes"],
                stats={k: TableStats(**v) for k, v in entry["stats"].items()},
            )

    units = load_units(province)
    registry = UnitRegistry(units)
    frames, read_findings, raw_stats = read_tables(data_dir, sources, registry)
    findings = findings + read_findings
    # Cross-table rules name canonical columns; show the header as the user wrote it.
    findings += [
        replace(f, column=raw_stats[f.table][2].get(f.column, f.column)) if f.table in raw_stats else f
        for f in validate_tables(frames, units, today=today)
    ]
    findings = sort_findings(findings)
    frames = apply_defaults(_drop_error_rows(frames, findings))
    stats = {
        name: TableStats(sources[name].file, sheet, rows_read, rows_read - len(frames[name]))
        for name, (sheet, rows_read, _) in raw_stats.items()
    }
    dataset = Dataset(
        data_dir=data_dir,
        province_code=province,
        tables=frames,
        findings=findings,
        files={name: s.file for name, s in sources.items()},
        input_hashes=hashes,
        stats=stats,
        _units=units,
    )
    if use_cache:
        meta = {
            "findings": findings,
            "files": dataset.files,
            "input_hashes": hashes,
            "stats": {k: asdict(v) for k, v in stats.items()},
        }
        cache.store_entry(data_dir, key, frames, meta)
    return dataset


def validate_dataset(
    data_dir, *, tables: list[str] | None = None, today: _dt.date | None = None
) -> list[Finding]:
    """Every finding of reading and validating the dataset folder ``data_dir`` (errors and warnings)."""
    return read_dataset(data_dir, tables=tables, today=today).findings

"""``read_dataset`` and ``validate_dataset``: locate, read, parse, validate, cache — the one entry point to
a dataset folder (``locate`` → ``read`` → ``parse`` → ``validate`` → ``defaults``, each its own module)."""

from __future__ import annotations

import datetime as _dt
from dataclasses import asdict, replace
from pathlib import Path

import pandas as pd

from nrd.contract import TABLE_NAMES
from nrd.io import cache, locate, office, preload
from nrd.io.dataset import Dataset, TableStats
from nrd.io.defaults import apply_defaults
from nrd.io.findings import ERROR, Finding, sort_findings
from nrd.io.pipelines import validate_pipelines
from nrd.io.tables import read_tables
from nrd.io.schemas import ROW, SOURCE, get_table
from nrd.io.validate import validate_tables
from nrd.log import logger


_REFERENCE_PREFIX = "reference."  # office reference frames in a cache entry


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



def read_dataset(
    data_dir, *, tables: list[str] | None = None, use_cache: bool = True, today: _dt.date | None = None
) -> Dataset:
    """Read and validate the dataset folder ``data_dir``.

    Args:
        data_dir: folder holding ``<table>.csv``/``<table>.xlsx`` files or a ``dataset.xlsx`` workbook,
            and optionally ``dataset.yaml`` with ``province_code`` and ``number_locale`` (``vi``, the
            default, or ``en``: how numbers typed as text are read).
        tables: the tables to read (default: all nine); absent tables are simply not in ``Dataset.tables``.
        use_cache: reuse (and store) the validated frames in the user's cache folder (``nrd.io.cache``).
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
    if use_cache and not tables:
        held = preload.held_dataset(data_dir, today)  # read once by the parent of a forked report
        if held is not None:
            return held
    wanted = list(tables) if tables else list(TABLE_NAMES)
    for name in wanted:
        get_table(name)
    province = locate.read_province_code(data_dir)
    number_locale = locate.read_number_locale(data_dir)
    sources, findings = locate.locate_tables(data_dir, wanted)
    hashes = locate.hash_inputs(data_dir, sources)
    reference_sources, reference_findings = office.locate_reference(data_dir)
    hashes.update(office.reference_hashes(data_dir, reference_sources))
    findings += reference_findings
    today = today or _dt.date.today()
    key = cache.cache_key(hashes, province_code=province, tables=wanted, as_of=today.isoformat())
    # Files that are no table of the contract are listed on every read, cached or not (they are not hashed).
    unknown = locate.unknown_files(data_dir)
    if use_cache:
        entry = cache.load_entry(data_dir, key)
        if entry is not None:
            logger.info("dataset %s read from cache %s", data_dir, key)
            frames = {n: f for n, f in entry["frames"].items() if not n.startswith(_REFERENCE_PREFIX)}
            dataset = Dataset(
                data_dir=data_dir,
                province_code=province,
                number_locale=number_locale,
                tables=frames,
                reference_tables={n[len(_REFERENCE_PREFIX):]: f for n, f in entry["frames"].items()
                                  if n.startswith(_REFERENCE_PREFIX)},
                findings=sort_findings([*entry["findings"], *unknown]),
                files=entry["files"],
                input_hashes=entry["input_hashes"],
                stats={k: TableStats(**v) for k, v in entry["stats"].items()},
            )
            dataset.remember_as_read(key)
            return dataset

    units = load_units(province)
    registry = UnitRegistry(units)
    frames, read_findings, raw_stats = read_tables(data_dir, sources, registry, number_locale)
    reference_frames, office_findings, reference_stats = office.read_reference(
        data_dir, reference_sources, registry, units, number_locale
    )
    findings = findings + read_findings + office_findings
    reference = Dataset(data_dir=data_dir, reference_tables=reference_frames).reference
    # Cross-table rules name canonical columns (a key: several, joined by ", "); show the headers as written.
    findings += [
        replace(f, column=_as_written(f.column, raw_stats[f.table][2])) if f.table in raw_stats else f
        for f in [*validate_tables(frames, units, today=today, sets={s.id: s for s in reference.sets}),
                  *validate_pipelines(frames, units)]
    ]
    findings = sort_findings(findings)
    frames = apply_defaults(_drop_error_rows(frames, findings))
    stats = {
        name: TableStats(sources[name].file, sheet, rows_read, rows_read - len(frames[name]))
        for name, (sheet, rows_read, _) in raw_stats.items()
    }
    stats.update({
        name: TableStats(f"{office.REFERENCE_DIR}/{reference_sources[name].file}", sheet, rows_read,
                         rows_read - len(reference_frames[name]))
        for name, (sheet, rows_read, _) in reference_stats.items()
    })
    files = {name: s.file for name, s in sources.items()}
    files.update({name: f"{office.REFERENCE_DIR}/{s.file}" for name, s in reference_sources.items()})
    dataset = Dataset(
        data_dir=data_dir,
        province_code=province,
        number_locale=number_locale,
        tables=frames,
        findings=findings,
        files=files,
        input_hashes=hashes,
        stats=stats,
        _units=units,
        reference_tables=reference_frames,
        _reference=reference,
    )
    if use_cache:
        meta = {
            "findings": findings,
            "files": dataset.files,
            "input_hashes": hashes,
            "stats": {k: asdict(v) for k, v in stats.items()},
        }
        stored = {**frames, **{_REFERENCE_PREFIX + n: f for n, f in reference_frames.items()}}
        if cache.store_entry(data_dir, key, stored, meta) is not None:
            dataset.remember_as_read(key)
    if unknown:
        dataset.findings = sort_findings([*findings, *unknown])
    return dataset


def _as_written(column: str, headers: dict[str, str]) -> str:
    return ", ".join(headers.get(name, name) for name in column.split(", "))


def validate_dataset(
    data_dir, *, tables: list[str] | None = None, today: _dt.date | None = None
) -> list[Finding]:
    """Every finding of reading and validating the dataset folder ``data_dir`` (errors and warnings)."""
    return read_dataset(data_dir, tables=tables, today=today).findings

"""Reading the located tables of a folder: each file read raw, then parsed into a typed frame.

One entry point for the dataset's tables and the office's reference tables alike (``nrd.io.load``,
``nrd.io.office``); an unreadable file is a finding, not an exception.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from nrd.io.cells import DEFAULT_NUMBER_LOCALE
from nrd.io import text_files
from nrd.io.findings import ERROR, WARNING, Finding
from nrd.io.locate import UNREADABLE, TableSource
from nrd.io.parse import parse_table
from nrd.io.read import read_raw
from nrd.log import logger


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
    data_dir: Path, sources: dict[str, TableSource], registry, number_locale: str = DEFAULT_NUMBER_LOCALE,
    fast: bool = True,
) -> tuple[dict, list[Finding], dict]:
    """Parse every located table (numbers typed as text in ``number_locale``); returns (frames, findings,
    stats as (sheet, rows_read, written headers)). ``fast=False``: CSV files row by row, the reference
    the column-wise path (``nrd.io.fast_csv``) is tested against."""
    frames: dict[str, pd.DataFrame] = {}
    findings: list[Finding] = []
    stats: dict[str, tuple[str, int]] = {}
    for name, source in sources.items():
        try:
            with _paused_gc():
                raw = read_raw(source, fast)
        except UNREADABLE as error:  # corrupt/locked/not-a-workbook: the user's file, reported, not raised
            logger.warning("cannot read %s: %s", source.label, error)
            findings.append(
                Finding(
                    ERROR,
                    "unreadable_file",
                    name,
                    source.file,
                    source.sheet,
                    expected=getattr(error, "expected", ""),
                    message=f"cannot read the file: {error}",
                )
            )
            continue
        if raw.not_utf8:
            findings.append(
                Finding(
                    WARNING,
                    "encoding_not_utf8",
                    name,
                    source.file,
                    expected="CSV UTF-8",
                    message=f"read as {raw.encoding_name}, not UTF-8: check that accented names read right; "
                    f"to be sure, {text_files.SAVE_AS}",
                )
            )
        with _paused_gc():
            frame, table_findings, headers = parse_table(raw, registry, number_locale)
        frames[name] = frame
        findings.extend(table_findings)
        stats[name] = (raw.source.sheet, raw.row_count, headers)
    return frames, findings, stats

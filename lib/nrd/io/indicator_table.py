"""The indicator table on disk: one writer (``nrd indicators`` and the run's publication) and one reader.

The reader loads a table that a run computed once (``indicators.parquet``) so reports need not recompute it.

The table's columns are the data contract's (``period, unit_code, indicator, value, numerator,
denominator``). This module sits in the io layer, below ``nrd.indicators``: it checks the shape of the
file, never what an indicator means.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd

from nrd.errors import IndicatorTableError  # re-exported: declared in nrd.errors
from nrd.io import preload

#: The indicator table's columns, in the contract's order (``nrd.indicators.TABLE_COLUMNS`` is the same list).
INDICATOR_COLUMNS = ("period", "unit_code", "indicator", "value", "numerator", "denominator")
_TEXT_COLUMNS = ("period", "unit_code", "indicator")
_NUMBER_COLUMNS = ("value", "numerator", "denominator")
_PERIOD = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def _unreadable() -> tuple[type[BaseException], ...]:
    """What pandas/pyarrow raise for a file that is not a readable table (pyarrow imported only here)."""
    from pyarrow import ArrowException

    return (OSError, ValueError, ArrowException)  # ParserError and ArrowInvalid are ValueErrors


def format_number(x: float) -> str:
    """A deterministic CSV rendering: integers without decimals, others with at most 6, blank for NaN."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    if float(x).is_integer() and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.6f}".rstrip("0").rstrip(".")


def write_indicator_table(table: pd.DataFrame, out: str | Path) -> tuple[Path, Path]:
    """Write ``table`` to ``out`` (CSV, UTF-8, fixed number format) and the same rows as Parquet beside it.

    Returns:
        The paths of the CSV and the Parquet file.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    text = table.copy()
    for column in _NUMBER_COLUMNS:
        text[column] = table[column].map(format_number)
    text.to_csv(out, index=False, lineterminator="\n")
    parquet = out.with_suffix(".parquet")
    table.reset_index(drop=True).to_parquet(parquet, index=False)
    return out, parquet


def read_indicator_table(path: str | Path) -> pd.DataFrame:
    """The indicator table stored at ``path`` (Parquet, or CSV when the name ends in ``.csv``), typed.

    Returns:
        period, unit_code, indicator (str), value, numerator, denominator (float64), rows in file order.

    Raises:
        IndicatorTableError: the file is missing or unreadable, lacks a contract column, holds a value that
            is not a number, or a period that is not ``YYYY-MM``.
    """
    path = Path(path)
    held = preload.held_table(path)  # read once by the parent of a forked report
    if held is not None:
        return held
    if not path.is_file():
        raise IndicatorTableError(path, "file not found", expected="the indicators.parquet a run wrote")
    try:
        if path.suffix.lower() == ".csv":
            raw = pd.read_csv(path, dtype={c: "str" for c in _TEXT_COLUMNS}, keep_default_na=True)
        else:
            raw = pd.read_parquet(path)
    except _unreadable() as error:  # the user needs the file name, whatever the parser's complaint
        raise IndicatorTableError(path, f"not readable ({type(error).__name__}: {error})",
                                  expected="a Parquet file (or .csv)") from None
    missing = [c for c in INDICATOR_COLUMNS if c not in raw.columns]
    if missing:
        raise IndicatorTableError(path, f"lacks column(s) {missing}; it has {list(raw.columns)}",
                                  column=missing[0], expected=", ".join(INDICATOR_COLUMNS))
    table = raw[list(INDICATOR_COLUMNS)]
    typed = {c: table[c].astype("str").where(table[c].notna()) for c in _TEXT_COLUMNS}
    for column in _NUMBER_COLUMNS:
        numbers = pd.to_numeric(table[column], errors="coerce").astype("float64")
        bad = numbers.isna() & table[column].notna()
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0])
            raise IndicatorTableError(path, f"row {row + 1} holds {table[column].iloc[row]!r}", column=column,
                                      expected="a number or blank")
        typed[column] = numbers
    out = pd.DataFrame(typed, index=pd.RangeIndex(len(table)))
    for column in _TEXT_COLUMNS:
        blank = out[column].isna()
        if blank.any():
            row = int(blank.to_numpy().nonzero()[0][0])
            raise IndicatorTableError(path, f"row {row + 1} is blank", column=column, expected="a value")
    bad_period = ~out["period"].str.fullmatch(_PERIOD)
    if bad_period.any():
        row = int(bad_period.to_numpy().nonzero()[0][0])
        raise IndicatorTableError(path, f"row {row + 1} holds {out['period'].iloc[row]!r}", column="period",
                                  expected="a month YYYY-MM")
    return out.astype({c: "str" for c in _TEXT_COLUMNS})


def period_rows(table: pd.DataFrame, period: str) -> pd.DataFrame:
    """The rows of one period of a multi-period indicator table, numbered from 0: the publication's table
    of P, and what a report's workbook is written from (the same selection wherever it is made)."""
    return table[table["period"] == period].reset_index(drop=True)

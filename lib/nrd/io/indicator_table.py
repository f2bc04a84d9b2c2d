"""Read an indicator table that a run computed once (``indicators.parquet``) so reports need not recompute it.

The table's columns are the data contract's (``period, unit_code, indicator, value, numerator,
denominator``). This module sits in the io layer, below ``nrd.indicators``: it checks the shape of the
file, never what an indicator means.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from nrd.errors import NrdError

#: The indicator table's columns, in the contract's order (``nrd.indicators.TABLE_COLUMNS`` is the same list).
INDICATOR_COLUMNS = ("period", "unit_code", "indicator", "value", "numerator", "denominator")
_TEXT_COLUMNS = ("period", "unit_code", "indicator")
_NUMBER_COLUMNS = ("value", "numerator", "denominator")
_PERIOD = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


class IndicatorTableError(NrdError):
    """Raised when a precomputed indicator table cannot be used; names the file, column and what was expected."""

    def __init__(self, path: object, problem: str, *, column: str | None = None, expected: str | None = None):
        self.path, self.column, self.expected = str(path), column, expected
        where = f"{self.path}" + (f", column {column!r}" if column else "")
        fix = f"; expected {expected}" if expected else ""
        super().__init__(f"indicator table {where}: {problem}{fix}. Recompute it with `nrd indicators` or "
                         f"leave indicators_path blank.")


def read_indicator_table(path: str | Path) -> pd.DataFrame:
    """The indicator table stored at ``path`` (Parquet, or CSV when the name ends in ``.csv``), typed.

    Returns:
        period, unit_code, indicator (str), value, numerator, denominator (float64), rows in file order.

    Raises:
        IndicatorTableError: the file is missing or unreadable, lacks a contract column, holds a value that
            is not a number, or a period that is not ``YYYY-MM``.
    """
    path = Path(path)
    if not path.is_file():
        raise IndicatorTableError(path, "file not found", expected="the indicators.parquet a run wrote")
    try:
        if path.suffix.lower() == ".csv":
            raw = pd.read_csv(path, dtype={c: "str" for c in _TEXT_COLUMNS}, keep_default_na=True)
        else:
            raw = pd.read_parquet(path)
    except Exception as error:  # pyarrow and the CSV parser raise many kinds; the user needs the file name
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

"""Typed frames of the contract tables: dtypes, coercion and the pandera schemas, all built from
``nrd.contract`` (the one declaration of the columns); only the value ranges are added here.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import pandas as pd

from nrd.contract import REFERENCE_TABLES, TABLES, Column, Table
from nrd.errors import UnknownNameError

if TYPE_CHECKING:  # pandera is imported where a frame is validated: a cached read never needs it
    import pandera.pandas as pa

ROW = "_row"
SOURCE = "_source"

# pandas dtype of each contract type in a typed frame (docs/architecture.md).
DTYPES = {
    "code": "str",
    "text": "str",
    "enum": "str",
    "period": "str",
    "date": "datetime64[ns]",
    "money": "float64",
    "number": "float64",
    "int": "Int64",
    "bool": "boolean",
}

# Value ranges the contract states in prose, as (min, max) with None for open ends.
RANGES: dict[tuple[str, str], tuple[float | None, float | None]] = {
    ("ocop_products", "group"): (1, 6),
    ("ocop_products", "score"): (0, 100),
    ("ocop_products", "stars"): (3, 5),
    ("ocop_registrations", "proposed_stars"): (3, 5),
    ("ocop_registrations", "cycle"): (2000, 2100),
    ("organization", "nrd_officials"): (0, None),
    ("capital_plan", "amount_mvnd"): (0, None),
    ("capital_plan", "year"): (2000, 2100),
    ("capital_disbursement", "disbursed_mvnd"): (0, None),
    ("capital_disbursement", "year"): (2000, 2100),
    ("capital_mobilized", "cumulative_mvnd"): (0, None),
    ("ocop_registrations", "result_stars"): (3, 5),
    ("projects", "total_investment_mvnd"): (0, None),
    ("project_progress", "physical_pct"): (0, 100),
    ("project_progress", "disbursed_mvnd"): (0, None),
}


def get_table(name: str) -> Table:
    """The contract table ``name`` (an input table or an office reference table); ``UnknownNameError``
    for anything else."""
    try:
        return TABLES[name] if name in TABLES else REFERENCE_TABLES[name]
    except KeyError:
        raise UnknownNameError("table", name, [*TABLES, *REFERENCE_TABLES]) from None


def range_text(table: str, column: str) -> str:
    low, high = RANGES[(table, column)]
    if high is None:
        return f">= {low:g}"
    return f"{low:g}-{high:g}"


def empty_frame(table: str) -> pd.DataFrame:
    """A typed frame with no rows (canonical columns, then ``_row`` and ``_source``)."""
    columns = {c.name: pd.Series([], dtype=DTYPES[c.type]) for c in get_table(table).columns}
    columns[ROW] = pd.Series([], dtype="int64")
    columns[SOURCE] = pd.Series([], dtype="str")
    return pd.DataFrame(columns)


def typed_series(values: list, column: Column) -> pd.Series:
    """Already-parsed Python values (``None`` = blank) as a series of the column's dtype."""
    dtype = DTYPES[column.type]
    if column.type == "date":
        return pd.to_datetime(pd.Series(values, dtype="object"), errors="raise").astype(dtype)
    return pd.Series(values, dtype="object").astype(dtype) if values else pd.Series([], dtype=dtype)


def _coerce_column(series: pd.Series, column: Column) -> pd.Series:
    """Coerce one column of a frame given by a program (``Dataset.from_frames``) to its typed dtype."""
    from nrd.io import cells

    if column.type == "date":
        return pd.to_datetime(series).astype("datetime64[ns]")
    if column.type in ("money", "number"):
        return pd.to_numeric(series).astype("float64")
    if column.type == "int":
        return pd.to_numeric(series).astype("Int64")
    if column.type == "bool":
        return pd.Series([cells.parse_bool(v) for v in series], index=series.index, dtype="boolean")
    if column.type == "code":
        values = [None if cells.is_blank(v) else (cells.parse_code_digits(v) or str(v)) for v in series]
    elif column.type == "period":
        values = [cells.parse_month(v) for v in series]
    elif column.type == "enum":
        lookup = cells.enum_lookup(column.enum)
        values = [cells.parse_enum(v, lookup, column.name) for v in series]
    else:
        values = [None if cells.is_blank(v) else cells.cell_text(v) for v in series]
    return pd.Series(values, index=series.index, dtype="object").astype("str")


def coerce_frame(table: str, frame: pd.DataFrame, source: str = "<frame>") -> pd.DataFrame:
    """A new typed frame from a frame with canonical columns (missing optional columns become blank).

    Extra columns are kept as they are; ``_row`` (2, 3, ...) and ``_source`` are added when missing.
    """
    spec = get_table(table)
    out = frame.reset_index(drop=True).copy()
    for column in spec.columns:
        if column.name in out.columns:
            out[column.name] = _coerce_column(out[column.name], column)
        else:
            out[column.name] = pd.Series([None] * len(out), dtype="object").astype(DTYPES[column.type])
    if ROW not in out.columns:
        out[ROW] = pd.Series(range(2, len(out) + 2), dtype="int64")
    if SOURCE not in out.columns:
        out[SOURCE] = pd.Series([source] * len(out), dtype="str")
    ordered = spec.column_names + [ROW, SOURCE]
    return out[ordered + [c for c in out.columns if c not in ordered]]


@lru_cache(maxsize=None)
def table_schema(table: str) -> pa.DataFrameSchema:
    """The pandera schema of a typed frame, derived from the contract declaration of ``table``."""
    import pandera.pandas as pa

    columns = {}
    for column in get_table(table).columns:
        checks = []
        if (table, column.name) in RANGES:
            low, high = RANGES[(table, column.name)]
            if low is not None:
                checks.append(pa.Check.ge(low))
            if high is not None:
                checks.append(pa.Check.le(high))
        if column.enum is not None:
            checks.append(pa.Check.isin(list(column.enum)))
        if column.type in ("code",):
            checks.append(pa.Check.str_matches(r"^\d{5}$"))
        if column.type in ("period",):
            checks.append(pa.Check.str_matches(r"^\d{4}-\d{2}$"))
        # String dtypes are checked by their values (pandas 3 has two string storages); others by dtype.
        dtype = None if DTYPES[column.type] == "str" else DTYPES[column.type]
        columns[column.name] = pa.Column(dtype, checks=checks, nullable=not column.required, required=True)
    columns[ROW] = pa.Column("int64")
    columns[SOURCE] = pa.Column(None)
    return pa.DataFrameSchema(columns, strict=False, name=table)


def schema_failures(
    table: str, frame: pd.DataFrame, distinct: dict[str, pd.Series] | None = None
) -> pd.DataFrame:
    """Run the pandera schema lazily; one row per failing cell: ``column, check, failure_case, index``.

    ``index`` is the frame's index label of the failing row (``None`` for a column-level failure).
    ``distinct`` (column -> a series holding at least every value of the column, each once: the parsed
    distinct cells) lets ``surely_valid`` answer first: when it is sure that no check fails, pandera is
    not run (nor imported) — at national scale, half a second of a cold read.
    """
    if distinct is not None and surely_valid(table, frame, distinct):
        return pd.DataFrame(columns=["column", "check", "failure_case", "index"])
    import pandera.pandas as pa

    try:
        table_schema(table).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        return cases[["column", "check", "failure_case", "index"]].reset_index(drop=True)
    return pd.DataFrame(columns=["column", "check", "failure_case", "index"])


def _all_shaped(values: pd.Series, digits: tuple[int, ...]) -> bool:
    """Every value is groups of ASCII digits joined by ``-`` (``(5,)``: a unit code, ``(4, 2)``: a period):
    the strictest reading of the schema's patterns (``\\d`` reads more in Python than in pyarrow)."""
    def shaped(value) -> bool:
        parts = value.split("-") if isinstance(value, str) else ()
        return len(parts) == len(digits) and all(
            len(part) == size and part.isascii() and part.isdigit() for part, size in zip(parts, digits)
        )

    return all(map(shaped, values))


def surely_valid(table: str, frame: pd.DataFrame, distinct: dict[str, pd.Series]) -> bool:
    """Whether ``table_schema(table)`` surely finds nothing wrong with ``frame``, checked the cheap way:
    dtypes and blanks on the frame, values on ``distinct`` (see ``schema_failures``). Conservative: any
    doubt answers ``False``, and pandera decides (``tests/test_io_schemas.py`` holds it to that)."""
    for column in get_table(table).columns:
        series = frame.get(column.name)
        if series is None or (DTYPES[column.type] != "str" and series.dtype != DTYPES[column.type]):
            return False
        if column.required and series.isna().any():
            return False
        values = distinct[column.name].dropna() if column.name in distinct else series.dropna()
        low, high = RANGES.get((table, column.name), (None, None))
        if low is not None and not (values >= low).all() or high is not None and not (values <= high).all():
            return False
        if column.enum is not None and not values.isin(list(column.enum)).all():
            return False
        shape = {"code": (5,), "period": (4, 2)}.get(column.type)
        if shape is not None and not _all_shaped(values, shape):
            return False
    row, source = frame.get(ROW), frame.get(SOURCE)
    return row is not None and row.dtype == "int64" and source is not None and not source.isna().any()

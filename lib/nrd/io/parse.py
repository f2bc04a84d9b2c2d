"""Parse a raw table per the contract into a typed frame; each rejected cell becomes a ``Finding``.

A finding names file, sheet, row and column as the user sees them. Each distinct cell of a column is parsed
once (columns repeat the same few values); the pandera schema then checks ranges (not run when the distinct
values surely pass it: ``schemas.surely_valid``). Cross-table rules live in ``nrd.io.validate``.
"""

from __future__ import annotations

import operator
import unicodedata

import numpy as np
import pandas as pd

from nrd.contract import Column
from nrd.io import cells
from nrd.io.findings import ERROR, WARNING, Finding
from nrd.io.read import RawTable, header_key_map
from nrd.io.schemas import (
    RANGES,
    ROW,
    SOURCE,
    empty_frame,
    get_table,
    range_text,
    schema_failures,
    typed_series,
)


_NUMBER_TYPES = ("money", "number", "int")


def _expected(column: Column, number_locale: str = cells.DEFAULT_NUMBER_LOCALE) -> str:
    if column.type == "enum":
        return ", ".join(f"{code} ({word})" for code, word in column.enum.items())
    return {
        "code": "a 5-digit unit code of the province, or a unit name",
        "period": "a month YYYY-MM",
        "date": "a date dd/mm/yyyy or YYYY-MM-DD",
        "money": f"an amount in million VND, e.g. {cells.number_example(number_locale)}",
        "number": f"a number, e.g. {cells.number_example(number_locale)}",
        "int": "a whole number",
        "bool": "có/không (yes/no)",
        "text": "text",
    }[column.type]


def _cell_parser(column: Column, registry, number_locale: str):
    """A function cell -> typed value (``None`` for blank) raising ``CellError``; for a number column,
    cell -> (value, how it was read: ``cells.read_number``)."""
    if column.type == "code":

        def parse_code(cell):
            if cells.is_blank(cell):
                return None
            digits = cells.parse_code_digits(cell)
            try:
                return registry.resolve(digits or cells.cell_text(cell))
            except KeyError as error:  # UnknownNameError and AmbiguousNameError are KeyErrors
                raise cells.CellError(f"{_expected(column)} ({error})") from None

        return parse_code
    if column.type == "enum":
        lookup = cells.enum_lookup(column.enum)
        expected = _expected(column)
        return lambda cell: cells.parse_enum(cell, lookup, expected)
    if column.type == "text":
        # NFC: a name typed on a Mac (NFD) or read from Windows-1258 equals the same name typed elsewhere.
        def parse_text(cell):
            if type(cell) is str:  # a CSV cell: what is_blank and cell_text do with a str, in short
                cell = cell.strip()
                return unicodedata.normalize("NFC", cell) if cell else None
            return None if cells.is_blank(cell) else unicodedata.normalize("NFC", cells.cell_text(cell))

        return parse_text
    if column.type in _NUMBER_TYPES:
        read = cells.read_int if column.type == "int" else cells.read_number
        return lambda cell: read(cell, number_locale)
    return {
        "period": cells.parse_month,
        "date": cells.parse_date,
        "bool": cells.parse_bool,
    }[column.type]


def _factorize_cells(values: list) -> tuple[np.ndarray, list]:
    """(codes, distinct cells) of a column; code -1 for blank (None/NaN) cells.

    Cells of one Python type (plus blanks) are factorized by value in C; a column mixing types (an XLSX
    column holding 1, 1.0 and True, which compare equal) is keyed by (type, value) so that each keeps its
    own text in findings.
    """
    kinds = set(map(type, values)) - {type(None)}
    if len(kinds) <= 1:
        codes, uniques = pd.factorize(np.array(values, dtype=object), use_na_sentinel=True)
        return codes, list(uniques)
    keys = np.empty(len(values), dtype=object)
    keys[:] = [(type(v), v) for v in values]
    codes, unique_keys = pd.factorize(keys, use_na_sentinel=True)
    return codes, [key[1] for key in unique_keys]


# Plain ASCII digits with at most a leading minus read the same in every locale (``cells.read_number``'s
# NEUTRAL); at most 15 digits, a float holds them exactly, as ``float(text)`` does.
_PLAIN_DIGITS = r"^-?[0-9]{1,15}$"


def _plain_numbers(uniques: list) -> list | None:
    """The value of each distinct cell written in plain digits (``_PLAIN_DIGITS``), cast by pyarrow all at
    once, and ``None`` for every other cell; ``None`` when the cells are not all text (a workbook's)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        texts = pa.array(uniques, type=pa.string())
    except (pa.ArrowException, TypeError, ValueError):
        return None
    plain = pc.match_substring_regex(texts, _PLAIN_DIGITS)
    return pc.cast(pc.if_else(plain, texts, pa.scalar(None, pa.string())), pa.float64()).to_pylist()


def _parse_distinct(column: Column, parse, uniques: list) -> list:
    """What ``parse`` makes of each distinct cell and, in the last slot, of the blank cell: the value (for a
    number column, (value, how it was read)) or the ``CellError``. Plain-digit number cells are cast by
    ``_plain_numbers``, every other cell goes through ``parse``."""
    if column.type == "text":  # never raises
        return [*map(parse, uniques), parse(None)]
    known = _plain_numbers(uniques) if column.type in _NUMBER_TYPES and uniques else None
    whole = column.type == "int"
    results = []
    for cell, value in zip([*uniques, None], [*(known or [None] * len(uniques)), None]):
        if value is not None:
            results.append((int(value) if whole else value, cells.NEUTRAL))
            continue
        try:
            results.append(parse(cell))
        except cells.CellError as error:
            results.append(error)
    return results


class _CellsByCode:
    """The cells of a factorized column by row position (only the few cells a finding shows are asked)."""

    def __init__(self, codes: np.ndarray, uniques: list):
        self.codes, self.uniques = codes, uniques

    def __getitem__(self, position) -> object:
        return self.uniques[self.codes[position]]


def _collect_forms(forms, results, codes, cells_of_column, row_numbers, written, ambiguous, other_form):
    """Add the cells of one number column that the two locales read differently, and its first cell only
    the other locale reads, to the table's lists (for ``number_locale_dependent``). ``forms`` and
    ``results`` are per distinct cell, the last slot the blank cell (``codes`` -1)."""
    per_cell = np.array(forms, dtype=object)[codes]
    for position in np.flatnonzero(per_cell == cells.AMBIGUOUS):
        cell = cells_of_column[position]
        ambiguous.append((int(row_numbers[position]), written, cell, results[codes[position]]))
    others = np.flatnonzero(per_cell == cells.OTHER)
    if others.size:
        other_form.append((int(row_numbers[others[0]]), written, cells_of_column[others[0]]))


def _plain(value: float) -> str:
    # Python's notation (a decimal point, no grouping): the one reading that is not itself locale-dependent.
    return format(value, "f").rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def _locale_message(cell, value: float, number_locale: str, other_form) -> str:
    other = cells.other_locale(number_locale)
    text = cells.cell_text(cell)
    row, column, example = min(other_form, key=lambda entry: entry[0])
    return (
        f"{text!r} reads as {_plain(value)} in the {number_locale} form (number_locale of dataset.yaml) but "
        f"as {_plain(cells.parse_number(text, other))} in the {other} form, and this file also holds "
        f"{other}-form numbers (row {row}, {column!r}: {cells.cell_text(example)!r}): check the value, or "
        f"write every number of the file in one form"
    )


def parse_table(
    raw: RawTable, registry, number_locale: str = cells.DEFAULT_NUMBER_LOCALE
) -> tuple[pd.DataFrame, list[Finding], dict[str, str]]:
    """The typed frame of a raw table, the findings of its cells (rows with an error are left out), and
    the header as written for each canonical column found.

    Number cells written as text are read in ``number_locale`` (``cells.read_number``); when the file also
    holds numbers only the other locale reads, every cell that the two locales read differently gets a
    ``number_locale_dependent`` warning."""
    source = raw.source
    table = get_table(source.table)
    findings: list[Finding] = []

    def finding(severity, rule, row=None, column="", value="", expected="", message=""):
        findings.append(
            Finding(
                severity, rule, table.name, source.file, source.sheet, row, column, value, expected, message
            )
        )

    keys = header_key_map(table)
    positions: dict[str, tuple[int, str]] = {}
    for index, header in enumerate(raw.headers):
        if cells.is_blank(header):
            continue
        name = keys.get(cells.normalize_header(header))
        written = cells.cell_text(header)
        if name is None:
            finding(
                WARNING,
                "unknown_column",
                raw.header_row,
                written,
                message=f"column {written!r} is not part of table {table.name!r}; ignored",
            )
        elif name in positions:
            finding(
                ERROR,
                "duplicate_column",
                raw.header_row,
                written,
                message=f"column {name!r} appears twice; the first is read",
            )
        else:
            positions[name] = (index, written)
    missing = [c for c in table.columns if c.required and c.name not in positions]
    for column in missing:
        finding(
            ERROR,
            "missing_column",
            raw.header_row,
            column.name,
            expected=f"a column {column.name!r} or {column.label_vi!r}",
            message=f"required column {column.name!r} ({column.label_vi}) is missing; table not read",
        )
    written_headers = {name: written for name, (_, written) in positions.items()}
    if missing:
        return empty_frame(table.name), findings, written_headers

    if raw.columns is not None:  # read column-wise (``nrd.io.fast_csv``): already factorized
        row_numbers = raw.columns.row_numbers
        row_cells = []
    else:
        row_numbers = np.array([number for number, _ in raw.rows], dtype=np.int64)
        row_cells = [row for _, row in raw.rows]
    bad_rows: set[int] = set()
    columns: dict[str, pd.Series] = {}
    distinct: dict[str, pd.Series] = {}  # every value a column may hold, once (for ``schema_failures``)
    ambiguous: list[tuple[int, str, object, float]] = []  # (row, column as written, cell, value read)
    other_form: list[tuple[int, str, object]] = []
    shortest = min(map(len, row_cells), default=0)
    for column in table.columns:
        if column.name not in positions:
            columns[column.name] = typed_series([None] * len(row_numbers), column)
            continue
        index, written = positions[column.name]
        if raw.columns is not None:
            codes, uniques = raw.columns.columns[index]
            cells_of_column = _CellsByCode(codes, uniques)
        else:
            if index < shortest:  # every row reaches the column: extract it in C
                cells_of_column = list(map(operator.itemgetter(index), row_cells))
            else:
                cells_of_column = [row[index] if index < len(row) else None for row in row_cells]
            codes, uniques = _factorize_cells(cells_of_column)
        # Each distinct cell is parsed once; the last slot is the blank cell (factorize's code -1).
        results = _parse_distinct(column, _cell_parser(column, registry, number_locale), uniques)
        if column.type in _NUMBER_TYPES:
            forms = [cells.NEUTRAL if isinstance(r, cells.CellError) else r[1] for r in results]
            results = [r if isinstance(r, cells.CellError) else r[0] for r in results]
            _collect_forms(forms, results, codes, cells_of_column, row_numbers, written, ambiguous,
                           other_form)
        bad = np.array([isinstance(r, cells.CellError) for r in results], dtype=bool)
        blank = np.array([r is None for r in results], dtype=bool)
        flagged = bad | (blank & column.required)
        for position in np.flatnonzero(flagged[codes]):
            number, cell = int(row_numbers[position]), cells_of_column[position]
            result = results[codes[position]]
            if isinstance(result, cells.CellError):
                finding(ERROR, "bad_value", number, written, cells.cell_text(cell), result.expected,
                        f"{written!r} cannot be read as {column.type}")
            else:
                finding(ERROR, "required_missing", number, written, "", _expected(column, number_locale),
                        f"{written!r} is required")
            bad_rows.add(number)
        typed = typed_series([None if isinstance(r, cells.CellError) else r for r in results], column)
        distinct[column.name] = typed
        columns[column.name] = typed.take(codes).reset_index(drop=True)

    if ambiguous and other_form:
        for number, written, cell, value in ambiguous:
            if number not in bad_rows:
                finding(WARNING, "number_locale_dependent", number, written, cells.cell_text(cell),
                        message=_locale_message(cell, value, number_locale, other_form))

    frame = pd.DataFrame({c.name: columns[c.name] for c in table.columns})
    frame[ROW] = pd.Series(row_numbers, dtype="int64")
    frame[SOURCE] = pd.Series(source.label, index=frame.index, dtype="str")
    if bad_rows:
        frame = frame[~frame[ROW].isin(bad_rows)].reset_index(drop=True)

    rejected = len(bad_rows)
    failures = schema_failures(table.name, frame, distinct)
    for case in failures.itertuples(index=False):
        if case.index is None or pd.isna(case.index):
            continue
        number = int(frame.at[int(case.index), ROW])
        name = str(case.column)
        written = positions.get(name, (0, name))[1]
        expected = range_text(table.name, name) if (table.name, name) in RANGES else str(case.check)
        finding(
            ERROR,
            "out_of_range",
            number,
            written,
            cells.cell_text(case.failure_case),
            expected,
            f"{written!r} is outside the allowed range",
        )
        bad_rows.add(number)
    if len(bad_rows) > rejected:
        frame = frame[~frame[ROW].isin(bad_rows)].reset_index(drop=True)
    return frame, findings, written_headers

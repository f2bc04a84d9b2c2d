"""Read a dataset folder: locate each table's file, read every cell as the user wrote it, and parse it
per the contract into typed frames; each rejected cell becomes a ``Finding`` naming file, sheet, row and
column. Cross-table rules live in ``nrd.io.validate``; the cache in ``nrd.io.cache``.
"""

from __future__ import annotations

import csv
import gc
import hashlib
import io as _io
import operator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from nrd.contract import DEFAULT_PROVINCE, TABLE_NAMES, Column, Table
from nrd.errors import ReferenceDataError, UsageError
from nrd.io import cells
from nrd.io.findings import ERROR, WARNING, Finding
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
from nrd.log import logger

WORKBOOK = "dataset.xlsx"
DATASET_YAML = "dataset.yaml"
_HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True)
class TableSource:
    """Where one table is read from: a CSV file, or one sheet of an XLSX workbook."""

    table: str
    path: Path
    file: str  # relative to the dataset folder
    sheet: str = ""

    @property
    def label(self) -> str:
        return f"{self.file}:{self.sheet}" if self.sheet else self.file


@dataclass
class RawTable:
    """A table as written: its header cells and its data rows with their row numbers as the user sees them."""

    source: TableSource
    header_row: int
    headers: list
    rows: list[tuple[int, list]]


# ---------------------------------------------------------------------------------------------------------
# locating files


def read_province_code(data_dir: Path) -> str:
    """``province_code`` of ``dataset.yaml`` when present, else ``"37"``; ``ReferenceDataError`` when bad."""
    path = data_dir / DATASET_YAML
    if not path.exists():
        return DEFAULT_PROVINCE
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise ReferenceDataError(f"{path}: not valid YAML ({error})") from None
    if not isinstance(data, dict):
        raise ReferenceDataError(f"{path}: expected a mapping with province_code")
    code = str(data.get("province_code", DEFAULT_PROVINCE)).strip()
    if code.lower() == "all":  # the synthetic national dataset: every unit of the national registry
        return "all"
    if not code.isdigit() or len(code) > 2:
        raise ReferenceDataError(
            f"{path}: province_code {code!r} is not a 2-digit province code (e.g. 37) or 'all'"
        )
    return code.zfill(2)


def _sheet_names(path: Path) -> list[str]:
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    try:
        return list(workbook.sheet_names)
    finally:
        workbook.close()


def _matches_table(name: str, table: Table) -> bool:
    key = cells.normalize_header(name)
    return key in {cells.normalize_header(table.name), cells.normalize_header(table.label_vi)}


def locate_tables(
    data_dir: Path, tables: list[str] | None = None
) -> tuple[dict[str, TableSource], list[Finding]]:
    """Find the file (and sheet) of each table in ``data_dir``.

    Order of precedence: ``<table>.csv``, ``<table>.xlsx``, a sheet of ``dataset.xlsx``; a table found in
    more than one place is read from the first, with a warning.
    """
    wanted = list(tables) if tables is not None else list(TABLE_NAMES)
    found: dict[str, TableSource] = {}
    findings: list[Finding] = []
    files = {
        p.name.lower(): p for p in data_dir.iterdir() if p.is_file() and not p.name.startswith((".", "~$"))
    }
    workbook_sheets: list[str] = []
    if WORKBOOK in files:
        try:
            workbook_sheets = _sheet_names(files[WORKBOOK])
        except Exception as error:  # a corrupt workbook is the user's file, not our bug
            findings.append(
                Finding(ERROR, "unreadable_file", "", files[WORKBOOK].name, message=f"cannot open: {error}")
            )
    for name in wanted:
        table = get_table(name)
        candidates: list[TableSource] = []
        for ext in ("csv", "xlsx"):
            path = files.get(f"{name}.{ext}")
            if path is not None:
                candidates.append(TableSource(name, path, path.name))
        for sheet in workbook_sheets:
            if _matches_table(sheet, table):
                candidates.append(TableSource(name, files[WORKBOOK], files[WORKBOOK].name, sheet))
                break
        if not candidates:
            continue
        found[name] = candidates[0]
        for other in candidates[1:]:
            findings.append(
                Finding(
                    WARNING,
                    "duplicate_source",
                    name,
                    other.file,
                    other.sheet,
                    message=f"table {name!r} is also in {candidates[0].label}; read from there",
                )
            )
    return found, findings


def hash_inputs(data_dir: Path, sources: dict[str, TableSource]) -> dict[str, str]:
    """sha256 of every file the dataset is read from (and ``dataset.yaml``), keyed by relative name."""
    paths = {s.path for s in sources.values()}
    if (data_dir / DATASET_YAML).exists():
        paths.add(data_dir / DATASET_YAML)
    hashes = {}
    for path in sorted(paths):
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        hashes[path.name] = digest.hexdigest()
    return hashes


# ---------------------------------------------------------------------------------------------------------
# reading cells


def _read_csv_rows(path: Path) -> list[list[str]]:
    text = path.read_bytes().decode("utf-8-sig")
    first_line = text.split("\n", 1)[0]
    # Excel in a Vietnamese locale (decimal comma) saves CSV with semicolons.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    return list(csv.reader(_io.StringIO(text, newline=""), delimiter=delimiter))


def _read_sheet_rows(path: Path, sheet: str) -> tuple[str, list[list]]:
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    try:
        names = list(workbook.sheet_names)
        chosen = sheet or names[0]
        return chosen, workbook.get_sheet_by_name(chosen).to_python(skip_empty_area=False)
    finally:
        workbook.close()


def _header_key_map(table: Table) -> dict[str, str]:
    keys = {}
    for column in table.columns:
        keys[cells.normalize_header(column.name)] = column.name
        keys[cells.normalize_header(column.label_vi)] = column.name
    return keys


def _filled(cell) -> bool:
    # Fast path of ``not is_blank``: most cells are non-empty, so ``any`` stops at the first one.
    if isinstance(cell, str):
        return bool(cell.strip())
    return cell is not None and not (isinstance(cell, float) and cell != cell)


def read_raw(source: TableSource) -> RawTable:
    """Every cell of the table's file as written; ``ValueError``/``OSError`` when the file is unreadable.

    For XLSX, the sheet named after the table (canonical name or Vietnamese label) is read, else the first
    sheet. The header is the first of the first rows that names the most contract columns (templates may
    carry a title above it); row numbers are those of the sheet.
    """
    sheet = source.sheet
    if source.path.suffix.lower() == ".csv":
        rows = _read_csv_rows(source.path)
    else:
        if not sheet:
            table = get_table(source.table)
            named = [s for s in _sheet_names(source.path) if _matches_table(s, table)]
            sheet = named[0] if named else ""
        sheet, rows = _read_sheet_rows(source.path, sheet)
        source = TableSource(source.table, source.path, source.file, sheet)
    keys = _header_key_map(get_table(source.table))
    best_row, best_count = 0, 0
    for index, row in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        count = sum(1 for cell in row if not cells.is_blank(cell) and cells.normalize_header(cell) in keys)
        if count > best_count:
            best_row, best_count = index, count
    headers = rows[best_row] if rows else []
    if source.path.suffix.lower() == ".csv":
        # CSV cells are all text: a row is blank when its joined text is only whitespace.
        data = [(i + 1, r) for i, r in enumerate(rows) if i > best_row and "".join(r).strip()]
    else:
        data = [(i + 1, r) for i, r in enumerate(rows) if i > best_row and any(map(_filled, r))]
    return RawTable(source, best_row + 1, list(headers), data)


# ---------------------------------------------------------------------------------------------------------
# parsing


def _expected(column: Column) -> str:
    if column.type == "enum":
        return ", ".join(f"{code} ({word})" for code, word in column.enum.items())
    return {
        "code": "a 5-digit unit code of the province, or a unit name",
        "period": "a month YYYY-MM",
        "date": "a date dd/mm/yyyy or YYYY-MM-DD",
        "money": "an amount in million VND, e.g. 1.234,5",
        "number": "a number",
        "int": "a whole number",
        "bool": "có/không (yes/no)",
        "text": "text",
    }[column.type]


def _cell_parser(column: Column, registry):
    """A function cell -> typed value (``None`` for blank) raising ``CellError``."""
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
        return lambda cell: None if cells.is_blank(cell) else cells.cell_text(cell)
    return {
        "period": cells.parse_month,
        "date": cells.parse_date,
        "money": cells.parse_number,
        "number": cells.parse_number,
        "int": cells.parse_int,
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


def parse_table(raw: RawTable, registry) -> tuple[pd.DataFrame, list[Finding], dict[str, str]]:
    """The typed frame of a raw table, the findings of its cells (rows with an error are left out), and
    the header as written for each canonical column found."""
    source = raw.source
    table = get_table(source.table)
    findings: list[Finding] = []

    def finding(severity, rule, row=None, column="", value="", expected="", message=""):
        findings.append(
            Finding(
                severity, rule, table.name, source.file, source.sheet, row, column, value, expected, message
            )
        )

    keys = _header_key_map(table)
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

    row_numbers = [number for number, _ in raw.rows]
    bad_rows: set[int] = set()
    columns: dict[str, pd.Series] = {}
    row_cells = [row for _, row in raw.rows]
    shortest = min(map(len, row_cells), default=0)
    for column in table.columns:
        if column.name not in positions:
            columns[column.name] = typed_series([None] * len(raw.rows), column)
            continue
        index, written = positions[column.name]
        if index < shortest:  # every row reaches the column: extract it in C
            cells_of_column = list(map(operator.itemgetter(index), row_cells))
        else:
            cells_of_column = [row[index] if index < len(row) else None for row in row_cells]
        codes, uniques = _factorize_cells(cells_of_column)
        # Each distinct cell is parsed once; the last slot is the blank cell (factorize's code -1).
        parse = _cell_parser(column, registry)
        results = []
        for cell in [*uniques, None]:
            try:
                results.append(parse(cell))
            except cells.CellError as error:
                results.append(error)
        bad = np.array([isinstance(r, cells.CellError) for r in results], dtype=bool)
        blank = np.array([r is None for r in results], dtype=bool)
        flagged = bad | (blank & column.required)
        for position in np.flatnonzero(flagged[codes]):
            number, cell = row_numbers[position], cells_of_column[position]
            result = results[codes[position]]
            if isinstance(result, cells.CellError):
                finding(ERROR, "bad_value", number, written, cells.cell_text(cell), result.expected,
                        f"{written!r} cannot be read as {column.type}")
            else:
                finding(ERROR, "required_missing", number, written, "", _expected(column), f"{written!r} is required")
            bad_rows.add(number)
        typed = typed_series([None if isinstance(r, cells.CellError) else r for r in results], column)
        columns[column.name] = typed.take(codes).reset_index(drop=True)

    frame = pd.DataFrame({c.name: columns[c.name] for c in table.columns})
    frame[ROW] = pd.Series(row_numbers, dtype="int64")
    frame[SOURCE] = pd.Series([source.label] * len(frame), dtype="str")
    frame = frame[~frame[ROW].isin(bad_rows)].reset_index(drop=True)

    failures = schema_failures(table.name, frame)
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
    frame = frame[~frame[ROW].isin(bad_rows)].reset_index(drop=True)
    return frame, findings, written_headers


def _without_gc(function, *args):
    """``function(*args)`` with the cyclic garbage collector paused.

    Reading a table builds millions of small lists and tuples (none of them cyclic); each allocation burst
    would otherwise trigger full collections over them, which cost more than the reading itself at national
    scale.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return function(*args)
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
            raw = _without_gc(read_raw, source)
        except Exception as error:  # corrupt/locked/not-a-workbook: the user's file, reported, not raised
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
        frame, table_findings, headers = _without_gc(parse_table, raw, registry)
        frames[name] = frame
        findings.extend(table_findings)
        stats[name] = (raw.source.sheet, len(raw.rows), headers)
    return frames, findings, stats


def check_data_dir(data_dir) -> Path:
    """``data_dir`` as a Path; ``UsageError`` when it is not an existing folder."""
    path = Path(data_dir)
    if not path.is_dir():
        raise UsageError(
            f"dataset folder not found: {path} (expected a folder holding <table>.csv/.xlsx files)"
        )
    return path

"""Every cell of one table's file as the user wrote it: CSV (any encoding and delimiter offices save, see
``nrd.io.text_files``) or a sheet of an XLSX.

The header row is found among the first rows (templates may carry a title above it); row numbers are the
ones the user sees. Locating the files is ``nrd.io.locate``; turning cells into typed frames ``nrd.io.parse``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nrd.contract import Table
from nrd.io import cells, fast_csv, text_files
from nrd.io.locate import TableSource, matches_table, sheet_names
from nrd.io.schemas import get_table

_HEADER_SEARCH_ROWS = 10


@dataclass
class RawTable:
    """A table as written: its header cells and its data rows with their row numbers as the user sees them."""

    source: TableSource
    header_row: int
    headers: list
    rows: list[tuple[int, list]]
    encoding: str = ""  # a CSV's encoding (``nrd.io.text_files``); "" for a workbook
    encoding_name: str = ""
    #: The data rows column-wise when the CSV went through ``nrd.io.fast_csv`` (``rows`` is then empty).
    columns: fast_csv.ColumnCells | None = None

    @property
    def row_count(self) -> int:
        return len(self.columns) if self.columns is not None else len(self.rows)

    @property
    def not_utf8(self) -> bool:
        return bool(self.encoding) and self.encoding not in (text_files.UTF8, "utf_8")



def _read_csv_rows(path: Path, keys: dict[str, str], fast: bool = True):
    """(rows, decoded text, the fast path's (header index, headers, columns) or ``None``): the rows are
    read by the csv module only when the fast path (``nrd.io.fast_csv``) declines the file."""
    decoded = text_files.decode_csv(path.read_bytes())
    delimiter = text_files.sniff_delimiter(decoded.text, lambda rows: _header_row(rows, keys)[1])
    columnar = None
    if fast:
        columnar = fast_csv.read_columns(decoded.text, delimiter, lambda rows: _header_row(rows, keys)[0],
                                         _HEADER_SEARCH_ROWS, decoded.utf8)
    if columnar is not None:
        return [], decoded, columnar
    return text_files.read_rows(decoded.text, delimiter), decoded, None


def _read_sheet_rows(path: Path, sheet: str) -> tuple[str, list[list]]:
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    try:
        names = list(workbook.sheet_names)
        chosen = sheet or names[0]
        return chosen, workbook.get_sheet_by_name(chosen).to_python(skip_empty_area=False)
    finally:
        workbook.close()


def header_key_map(table: Table) -> dict[str, str]:
    """Normalized header text (canonical name or Vietnamese label) -> canonical column name."""
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


def read_raw(source: TableSource, fast: bool = True) -> RawTable:
    """Every cell of the table's file as written; one of ``nrd.io.locate.UNREADABLE`` when it is unreadable.

    For XLSX, the sheet named after the table (canonical name or Vietnamese label) is read, else the first
    sheet. The header is the first of the first rows that names the most contract columns (templates may
    carry a title above it); row numbers are those of the sheet. ``fast=False`` reads a CSV row by row
    (the reference the fast path is tested against).
    """
    sheet = source.sheet
    keys = header_key_map(get_table(source.table))
    decoded = None
    if source.path.suffix.lower() == ".csv":
        rows, decoded, columnar = _read_csv_rows(source.path, keys, fast)
        if columnar is not None:
            best_row, headers, columns = columnar
            return RawTable(source, best_row + 1, list(headers), [], decoded.encoding, decoded.encoding_name,
                            columns)
    else:
        if not sheet:
            table = get_table(source.table)
            named = [s for s in sheet_names(source.path) if matches_table(s, table)]
            sheet = named[0] if named else ""
        sheet, rows = _read_sheet_rows(source.path, sheet)
        source = TableSource(source.table, source.path, source.file, sheet)
    best_row, _ = _header_row(rows, keys)
    headers = rows[best_row] if rows else []
    if source.path.suffix.lower() == ".csv":
        # CSV cells are all text: a row is blank when its joined text is only whitespace.
        data = [(i + 1, r) for i, r in enumerate(rows) if i > best_row and "".join(r).strip()]
    else:
        data = [(i + 1, r) for i, r in enumerate(rows) if i > best_row and any(map(_filled, r))]
    if decoded is None:
        return RawTable(source, best_row + 1, list(headers), data)
    return RawTable(source, best_row + 1, list(headers), data, decoded.encoding, decoded.encoding_name)


def _header_row(rows: list, keys: dict[str, str]) -> tuple[int, int]:
    """(index, count): the first of the first rows naming the most contract columns, and how many."""
    best_row, best_count = 0, 0
    for index, row in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        count = sum(1 for cell in row if not cells.is_blank(cell) and cells.normalize_header(cell) in keys)
        if count > best_count:
            best_row, best_count = index, count
    return best_row, best_count

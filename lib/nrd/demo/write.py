"""Write demo tables the way the office receives them: Vietnamese headers and words, Excel or CSV.

Tables arrive here in canonical form (English codes, typed values); they leave as the office's files:
headers are the contract's Vietnamese labels, enumerations their Vietnamese words, yes/no as có/không,
dates as date cells shown dd/mm/yyyy (ISO text in CSV). Workbooks are saved byte-stable.
"""

from __future__ import annotations

import csv
import datetime as _dt
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from nrd.contract import Table
from nrd.io.templates import DATE_FORMAT, save_workbook


def vn_number(value: float, decimals: int = 1) -> str:
    """``1234567.5`` -> ``1.234.567,5`` (thousands dot, decimal comma), as typed in Vietnamese offices."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def office_frame(table: Table, frame: pd.DataFrame, *, dates_as: str = "date") -> pd.DataFrame:
    """The table as cells: Vietnamese headers and words; ``None`` for blanks.

    Args:
        table: the contract declaration.
        frame: canonical columns (English codes, typed values).
        dates_as: ``"date"`` (``datetime.date`` cells, for Excel) or ``"iso"`` (``YYYY-MM-DD`` text).
    """
    out = {}
    for column in table.columns:
        series = frame[column.name]
        if column.type in ("enum", "bool"):
            # Mapping plain objects is a hash lookup; pandas' Arrow strings would map cell by cell.
            words = column.enum if column.type == "enum" else {True: "có", False: "không"}
            values = pd.Series(series.to_numpy(dtype=object), index=series.index, dtype=object).map(words)
        elif column.type == "date":
            stamps = pd.to_datetime(series)
            if dates_as == "iso":
                values = stamps.dt.strftime("%Y-%m-%d")
            else:
                values = pd.Series(
                    [d.date() if pd.notna(d) else None for d in stamps], index=series.index, dtype=object
                )
        elif column.type == "int":
            values = pd.Series(
                [int(v) if pd.notna(v) else None for v in series], index=series.index, dtype=object
            )
        elif column.type in ("money", "number"):
            values = series.astype(float)
        else:
            values = series.astype(object)
        values = values.astype(object)
        out[column.label_vi] = values.where(values.notna(), None)
    return pd.DataFrame(out, index=frame.index)


def write_xlsx(table: Table, cells: pd.DataFrame, path: Path) -> Path:
    """One sheet named after the table, Vietnamese header row, frozen; saved byte-stable."""
    wb = Workbook(write_only=True)
    sheet = wb.create_sheet(table.name)
    sheet.freeze_panes = "A2"
    for index, column in enumerate(table.columns):
        sheet.column_dimensions[chr(ord("A") + index)].width = max(12, len(column.label_vi) + 4)
    bold = Font(bold=True)
    header = []
    for label in cells.columns:
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    date_positions = [i for i, c in enumerate(table.columns) if c.type == "date"]
    for row in cells.itertuples(index=False, name=None):
        if date_positions:
            row = list(row)
            for i in date_positions:
                if isinstance(row[i], _dt.date):
                    cell = WriteOnlyCell(sheet, value=row[i])
                    cell.number_format = DATE_FORMAT
                    row[i] = cell
        sheet.append(row)
    return save_workbook(wb, path)


def _csv_number_column(values: pd.Series) -> pd.Series:
    # Typed-in text (a Vietnamese "1.234,5") stays as it is; it does not parse here and is kept.
    numbers = pd.to_numeric(values, errors="coerce")
    whole = numbers.notna() & (numbers % 1 == 0)
    text = values.astype(object).where(values.notna(), None)
    text[whole] = numbers[whole].astype("int64").astype(str)
    # Fractions as a Vietnamese office types them, the dataset's default number_locale: "199,6" (a "199.6"
    # reads right only while it has fewer than three decimals: "0.125" would be 125 in Vietnamese).
    fraction = numbers.notna() & ~whole
    text[fraction] = [_vn_decimal(v) for v in numbers[fraction]]
    return text


def _vn_decimal(value: float) -> str:
    """``199.6`` -> ``199,6``; ``0.125`` -> ``0,125`` (no thousands separator, up to 6 decimals)."""
    return f"{value:.6f}".rstrip("0").rstrip(".").replace(".", ",")


def write_csv(table: Table, cells: pd.DataFrame, path: Path) -> Path:
    """UTF-8 CSV, comma-separated, ``\\n`` line ends; whole numbers without ``.0``, fractions with a decimal
    comma (``number_locale: vi``, the default)."""
    numeric = {c.label_vi for c in table.columns if c.type in ("money", "number")}
    text = pd.DataFrame(
        {
            label: _csv_number_column(cells[label]) if label in numeric else cells[label]
            for label in cells.columns
        }
    )
    text.to_csv(path, index=False, encoding="utf-8", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    return path

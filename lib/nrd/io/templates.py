"""Blank Excel input templates, one per table of the data contract, and byte-stable workbook saving.

A template's first sheet is named after its table and has the Vietnamese labels as headers (a ``*``
marks required columns; the reader ignores it), drop-down lists for enumerations (Vietnamese words) and
for unit names, number and date formats, a frozen header and column widths. A "Hướng dẫn" sheet explains
each column; a hidden "Danh mục" sheet holds the lists. A filled template is read as is by
``nrd.io.read_dataset`` once it sits in a dataset folder under its table name (``<table>.xlsx``).
"""

from __future__ import annotations

import datetime as _dt
import io
import re
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from nrd.contract import DEFAULT_PROVINCE, REFERENCE_DIR, REFERENCE_TABLES, TABLES, Column, Table
from nrd.log import logger

# Workbook metadata and zip member times are fixed so that the same content gives the same bytes.
FIXED_TIMESTAMP = _dt.datetime(2026, 1, 1, 0, 0, 0)
_ZIP_TIME = (2026, 1, 1, 0, 0, 0)
TEMPLATE_ROWS = 10_000  # rows covered by drop-downs and formats
INSTRUCTIONS_SHEET = "Hướng dẫn"
LISTS_SHEET = "Danh mục"
DATE_FORMAT = "DD/MM/YYYY"
MONEY_FORMAT = "#,##0.0"
_NUMBER_FORMATS = {
    "date": DATE_FORMAT,
    "money": MONEY_FORMAT,
    "number": "#,##0.0##",
    "int": "0",
    "code": "@",
    "period": "@",
    "text": "@",
}
_TYPE_VI = {
    "code": "Mã đơn vị 5 chữ số, hoặc tên xã/phường (chọn trong danh sách)",
    "period": "Tháng, dạng YYYY-MM",
    "date": "Ngày, dd/mm/yyyy",
    "money": "Số tiền, triệu đồng (ví dụ 1.234,5)",
    "number": "Số",
    "int": "Số nguyên",
    "text": "Chữ",
    "enum": "Chọn trong danh sách",
    "bool": "có / không",
}
# Whole-number ranges the contract states for some integer columns.
_INT_RANGES = {
    "group": (1, 6),
    "stars": (3, 5),
    "proposed_stars": (3, 5),
    "nrd_officials": (0, 500),
    "year": (2000, 2100),
    "cycle": (2000, 2100),
}
_CORE_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def save_workbook(workbook: Workbook, path: str | Path) -> Path:
    """Save ``workbook`` so that the same content always gives the same bytes.

    openpyxl stamps the save time into ``docProps/core.xml`` and into every zip member; both are replaced
    by ``FIXED_TIMESTAMP``.
    """
    workbook.properties.creator = "nrd"
    workbook.properties.created = FIXED_TIMESTAMP
    workbook.properties.modified = FIXED_TIMESTAMP
    buffer = io.BytesIO()
    workbook.save(buffer)
    stamp = FIXED_TIMESTAMP.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    path = Path(path)
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source,
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = _CORE_MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", data)
            member = zipfile.ZipInfo(item.filename, date_time=_ZIP_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o600 << 16
            target.writestr(member, data)
    return path


def _allowed_text(column: Column) -> str:
    if column.enum:
        return "; ".join(column.enum.values())
    if column.type == "bool":
        return "có; không"
    if column.type == "code":
        return f"Danh sách xã/phường (trang {LISTS_SHEET})"
    if column.name in _INT_RANGES:
        low, high = _INT_RANGES[column.name]
        return f"{low}-{high}"
    return ""


def _list_validation(
    sheet_title: str, col: int, n_items: int, error_style: str, prompt: str
) -> DataValidation:
    letter = get_column_letter(col)
    formula = f"{quote_sheetname(sheet_title)}!${letter}$2:${letter}${n_items + 1}"
    return DataValidation(
        type="list",
        formula1=formula,
        allow_blank=True,
        showDropDown=False,
        showErrorMessage=True,
        errorStyle=error_style,
        error=prompt,
        errorTitle="Giá trị",
        showInputMessage=False,
    )


def _int_range(table: Table, column: Column) -> tuple[int, int] | None:
    """The whole-number range of a column; commune groups: those the criteria sets declare (1-3)."""
    if (table.name, column.name) == ("commune_groups", "group"):
        from nrd.reference import load_criteria_sets

        groups = sorted({g for s in load_criteria_sets().values() for g in s.group_ids}) or [1]
        return groups[0], groups[-1]
    return _INT_RANGES.get(column.name)


def build_template(table: Table, unit_names: list[str]) -> Workbook:
    """The template workbook of one table (not saved)."""
    wb = Workbook()
    sheet = wb.active
    sheet.title = table.name
    lists = wb.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    guide = wb.create_sheet(INSTRUCTIONS_SHEET)

    # The lists sheet: unit names in column A, then one column per enumeration of the table.
    lists.cell(1, 1, "Đơn vị")
    for row, name in enumerate(unit_names, start=2):
        lists.cell(row, 1, name)
    list_columns: dict[str, tuple[int, int]] = {}
    for column in table.columns:
        words = (
            list(column.enum.values())
            if column.enum
            else (["có", "không"] if column.type == "bool" else None)
        )
        if words is None or column.name in list_columns:
            continue
        col = 2 + len(list_columns)
        lists.cell(1, col, column.label_vi)
        for row, word in enumerate(words, start=2):
            lists.cell(row, col, word)
        list_columns[column.name] = (col, len(words))

    header_font, header_fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(table.columns, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(1, index, column.label_vi + ("*" if column.required else ""))
        cell.font, cell.fill = header_font, header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        dimension = sheet.column_dimensions[letter]
        dimension.width = max(14, min(40, len(column.label_vi) + 6))
        if column.type in _NUMBER_FORMATS:
            dimension.number_format = _NUMBER_FORMATS[column.type]
        cells = f"{letter}2:{letter}{TEMPLATE_ROWS + 1}"
        validation = None
        if column.type == "code":
            validation = _list_validation(
                LISTS_SHEET,
                1,
                len(unit_names),
                "warning",
                "Chọn tên xã/phường trong danh sách, hoặc gõ mã 5 chữ số",
            )
        elif column.name in list_columns:
            col, n_items = list_columns[column.name]
            validation = _list_validation(
                LISTS_SHEET, col, n_items, "stop", "Chọn một giá trị trong danh sách"
            )
        elif column.type == "int" and _int_range(table, column) is not None:
            low, high = _int_range(table, column)
            validation = DataValidation(
                type="whole",
                operator="between",
                formula1=str(low),
                formula2=str(high),
                allow_blank=True,
                showErrorMessage=True,
                error=f"Số nguyên từ {low} đến {high}",
            )
        elif column.type == "date":
            validation = DataValidation(
                type="date",
                operator="greaterThan",
                formula1="36526",
                allow_blank=True,
                showErrorMessage=True,
                errorStyle="warning",
                error="Ngày dd/mm/yyyy",
            )
        if validation is not None:
            validation.add(cells)
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"

    folder = f"{REFERENCE_DIR}/" if table.name in REFERENCE_TABLES else ""
    guide["A1"] = f"{table.label_vi} — tệp {folder}{table.name}.xlsx"
    guide["A1"].font = Font(bold=True, size=13)
    guide["A2"] = table.help_vi or "Mỗi dòng một bản ghi; không đổi tên cột; cột có dấu * là bắt buộc."
    headers = ("Cột", "Tên chuẩn", "Kiểu dữ liệu", "Bắt buộc", "Giá trị cho phép", "Hướng dẫn")
    for index, text in enumerate(headers, start=1):
        cell = guide.cell(4, index, text)
        cell.font, cell.fill = header_font, header_fill
    for row, column in enumerate(table.columns, start=5):
        values = (
            column.label_vi,
            column.name,
            _TYPE_VI[column.type],
            "có" if column.required else "không",
            _allowed_text(column),
            column.help_vi,
        )
        for index, value in enumerate(values, start=1):
            guide.cell(row, index, value).alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDEF", (28, 20, 34, 10, 44, 60)):
        guide.column_dimensions[letter].width = width
    guide.freeze_panes = "A5"
    return wb


def write_templates(out_dir: str | Path, province_code: str = DEFAULT_PROVINCE) -> list[Path]:
    """Write ``<table>.xlsx`` for every table of the contract into ``out_dir``, and the office reference
    templates into ``out_dir/reference/`` (the subfolder a dataset reads them from); return the paths.

    Args:
        out_dir: folder to write into (created when missing).
        province_code: whose unit names fill the drop-down list (``"37"`` Ninh Bình; communes only for
            the commune groups).
    """
    from nrd.reference import load_units

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    units = load_units(province_code)
    unit_names = units["name"].tolist()
    paths = []
    for table in TABLES.values():
        paths.append(save_workbook(build_template(table, unit_names), out / f"{table.name}.xlsx"))
    (out / REFERENCE_DIR).mkdir(exist_ok=True)
    commune_names = units.loc[units["unit_type"] == "commune", "name"].tolist()
    for table in REFERENCE_TABLES.values():
        names = commune_names if table.name == "commune_groups" else unit_names
        paths.append(save_workbook(build_template(table, names), out / REFERENCE_DIR / f"{table.name}.xlsx"))
    logger.info("wrote %d templates to %s", len(paths), out)
    return paths

"""Excel input templates: headers, drop-downs, formats, instructions; a filled template reads back as is."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pytest
from nrd.contract import TABLES
from nrd.io import read_dataset
from nrd.io.templates import INSTRUCTIONS_SHEET, LISTS_SHEET, write_templates
from nrd.reference import load_units


@pytest.fixture(scope="module")
def template_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("templates")
    write_templates(folder)
    return folder


@pytest.fixture(scope="module")
def units():
    return load_units("37")


def _validations(sheet) -> dict[str, object]:
    """Column letter -> the data validation covering its row 2."""
    found = {}
    for validation in sheet.data_validations.dataValidation:
        for cell_range in validation.sqref.ranges:
            if cell_range.min_row == 2:
                found[openpyxl.utils.get_column_letter(cell_range.min_col)] = validation
    return found


def _list_values(wb, formula: str) -> list[str]:
    sheet_name, cells = formula.split("!")
    sheet = wb[sheet_name.strip("'")]
    return [c.value for row in sheet[cells.replace("$", "")] for c in row]


def test_one_template_per_table_with_byte_stable_output(template_dir, tmp_path):
    assert sorted(p.name for p in template_dir.glob("*.xlsx")) == sorted(f"{t}.xlsx" for t in TABLES)
    write_templates(tmp_path)
    for path in template_dir.glob("*.xlsx"):
        assert path.read_bytes() == (tmp_path / path.name).read_bytes()


@pytest.mark.parametrize("table_name", list(TABLES))
def test_headers_dropdowns_formats_and_instructions(template_dir, units, table_name):
    table = TABLES[table_name]
    wb = openpyxl.load_workbook(template_dir / f"{table_name}.xlsx")
    assert wb.sheetnames[0] == table_name
    assert wb[LISTS_SHEET].sheet_state == "hidden"
    sheet = wb[table_name]
    assert sheet.freeze_panes == "A2"
    headers = [c.value for c in sheet[1]]
    assert [h.rstrip("*") for h in headers] == [c.label_vi for c in table.columns]
    assert [h.endswith("*") for h in headers] == [c.required for c in table.columns]
    validations = _validations(sheet)
    for index, column in enumerate(table.columns, start=1):
        letter = openpyxl.utils.get_column_letter(index)
        if column.type == "enum":
            assert _list_values(wb, validations[letter].formula1) == list(column.enum.values())
        elif column.type == "bool":
            assert _list_values(wb, validations[letter].formula1) == ["có", "không"]
        elif column.type == "code":
            assert _list_values(wb, validations[letter].formula1) == units["name"].tolist()
            assert validations[letter].errorStyle == "warning"  # a typed code is still allowed
        elif column.type in ("text", "period", "money", "number") and column.name not in ("stars",):
            assert letter not in validations
        if column.type == "date":
            assert sheet.column_dimensions[letter].number_format == "DD/MM/YYYY"
        if column.type == "money":
            assert sheet.column_dimensions[letter].number_format == "#,##0.0"
        if column.type in ("code", "period"):
            assert sheet.column_dimensions[letter].number_format == "@"  # "2025-09" must not become a date
    guide = wb[INSTRUCTIONS_SHEET]
    names = [guide.cell(row, 2).value for row in range(5, 5 + len(table.columns))]
    assert names == table.column_names


def _fill(path, rows):
    wb = openpyxl.load_workbook(path)
    sheet = wb.worksheets[0]
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            sheet.cell(r, c, value)
    wb.save(path)


def test_a_filled_template_reads_back_typed(template_dir, tmp_path, units):
    data = tmp_path / "data"
    data.mkdir()
    commune = units[units["unit_type"] == "commune"].iloc[3]
    ward = units[units["unit_type"] == "ward"].iloc[0]
    for name in ("criteria_status", "recognitions", "capital_plan", "ocop_entities", "organization"):
        (data / f"{name}.xlsx").write_bytes((template_dir / f"{name}.xlsx").read_bytes())
    _fill(
        data / "criteria_status.xlsx",
        [
            ["2025-09", commune["name"], None, "2", None, "cơ bản đạt", 12.5, "ghi chú"],
            ["2025-09", commune["unit_code"], "QĐ 318/QĐ-TTg (2021-2025)", "17", "17.8", "đạt", None, None],
        ],
    )
    _fill(
        data / "recognitions.xlsx",
        [
            [commune["name"], "đạt chuẩn NTM", "45/QĐ-UBND", "03/02/2022", None, None],
            [commune["name"], "NTM nâng cao", "123/QĐ-UBND", dt.datetime(2024, 5, 17), None, None],
        ],
    )
    _fill(
        data / "capital_plan.xlsx",
        [
            [2025, "NSTW đầu tư phát triển", None, 1234.5],
            [2025, "ngân sách địa phương", commune["name"], "1.234.567,5"],
        ],
    )
    _fill(
        data / "ocop_entities.xlsx",
        [
            ["CT-1", "HTX Mẫu", "hợp tác xã", ward["name"], "0100000001", "Người Mẫu"],
        ],
    )
    _fill(data / "organization.xlsx", [["2025-07", commune["name"], "có", 3]])

    ds = read_dataset(data, use_cache=False)
    assert ds.errors == []
    cs = ds.table("criteria_status")
    assert cs["unit_code"].tolist() == [commune["unit_code"]] * 2
    assert cs["status"].tolist() == ["basically_met", "met"]
    assert cs["criteria_set"].tolist() == ["qd318_2022", "qd318_2022"]
    assert cs["value"].iloc[0] == 12.5
    rec = ds.table("recognitions")
    assert rec["level"].tolist() == ["nra", "advanced"]
    assert rec["decision_date"].tolist() == [pd.Timestamp("2022-02-03"), pd.Timestamp("2024-05-17")]
    plan = ds.table("capital_plan")
    assert plan["amount_mvnd"].tolist() == [1234.5, 1234567.5]
    assert plan["unit_code"].isna().tolist() == [True, False]
    assert plan["source"].tolist() == ["central_investment", "local_budget"]
    entities = ds.table("ocop_entities")
    assert entities[["entity_type", "unit_code"]].values.tolist() == [["cooperative", ward["unit_code"]]]
    org = ds.table("organization")
    assert bool(org["steering_committee"].iloc[0]) is True and int(org["nrd_officials"].iloc[0]) == 3


def test_cli_writes_templates_and_rejects_a_bad_demo_period(tmp_path):
    from nrd.cli import app
    from typer.testing import CliRunner

    runner = CliRunner()
    result = runner.invoke(app, ["templates", str(tmp_path / "tpl")])
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "tpl").glob("*.xlsx"))) == len(TABLES)
    result = runner.invoke(app, ["demo-data", str(tmp_path / "demo"), "--end", "2030-01"])
    assert result.exit_code == 2
    assert "2030-01" in result.output
    assert not (tmp_path / "demo").exists()

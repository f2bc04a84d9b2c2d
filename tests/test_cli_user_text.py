"""Data reaches the console as text, never as rich markup; CSV cells never become spreadsheet formulas."""

from __future__ import annotations

import csv
import io

import pytest
from typer.testing import CliRunner

from _io_helpers import COMMUNE, write_valid_dataset
from nrd.cli import app
from nrd.io.csv_safe import looks_like_formula, neutralise

runner = CliRunner()


def _dataset_with_value(tmp_path, value: str):
    write_valid_dataset(
        tmp_path,
        organization=(
            ["period", "unit_code", "steering_committee", "nrd_officials"],
            [["2025-09", COMMUNE, "có", value]],
        ),
    )
    return tmp_path


@pytest.mark.parametrize("value", ["12 [/b]", "[red]đỏ[/red]", "[bold]x", "[/]"])
def test_brackets_in_a_cell_are_shown_verbatim_in_the_findings_table(tmp_path, value):
    result = runner.invoke(app, ["validate", str(_dataset_with_value(tmp_path, value))], terminal_width=240)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output and "MarkupError" not in result.output
    assert result.exit_code == 1
    assert value in result.output


@pytest.mark.parametrize(
    "payload",
    ['=HYPERLINK("http://x.example","a")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1"],
)
def test_validate_csv_neutralises_formula_leading_cells(tmp_path, payload):
    result = runner.invoke(app, ["validate", str(_dataset_with_value(tmp_path, payload)), "--format", "csv"])
    assert result.exit_code == 1
    rows = list(csv.DictReader(io.StringIO(result.output)))
    finding = next(r for r in rows if r["column"] == "nrd_officials")
    # the reader strips surrounding blanks; what it kept is written behind the quote
    assert finding["value"].startswith("'") and finding["value"][1:] == payload.strip()
    assert not any(looks_like_formula(cell) for row in rows for cell in row.values())


@pytest.mark.parametrize("number", ["-1", "-12,5", "+3", "-1.234,5"])
def test_plain_numbers_stay_numbers(number):
    assert neutralise(number) == number
    assert neutralise(-1) == -1 and neutralise(None) is None


def test_workbook_export_keeps_formula_text_as_a_string_cell(tmp_path):
    import pandas as pd
    from openpyxl import load_workbook

    from nrd.run.export import write_workbook

    path = write_workbook({"s": pd.DataFrame({"name": ['=HYPERLINK("http://x","a")', "ok"], "n": [-1, 2]})},
                          tmp_path / "w.xlsx")
    sheet = load_workbook(path)["s"]
    assert sheet["A2"].data_type == "s" and sheet["A2"].value.startswith("=HYPERLINK")
    assert sheet["B2"].data_type == "n" and sheet["B2"].value == -1

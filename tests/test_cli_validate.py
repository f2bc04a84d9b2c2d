"""``nrd validate``: exit codes 0/1/2, the findings table, csv/json output, --summary, never a traceback."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from _io_helpers import COMMUNE, write_csv, write_valid_dataset
from nrd.cli import app

runner = CliRunner()


def _run(*args):
    result = runner.invoke(app, ["validate", *map(str, args)])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result


def test_valid_dataset_exits_0(tmp_path):
    result = _run(write_valid_dataset(tmp_path))
    assert result.exit_code == 0, result.output
    assert "valid: 0 error(s), 0 warning(s) in 9 table(s)" in result.output


def test_errors_exit_1_and_the_table_names_file_row_column(tmp_path):
    write_valid_dataset(
        tmp_path,
        organization=(
            ["period", "unit_code", "steering_committee", "nrd_officials"],
            [["2025-09", COMMUNE, "có", "-1"]],
        ),
    )
    result = _run(tmp_path, "--format", "csv")
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("severity,rule,table,file,sheet,row,column")
    assert "error,out_of_range,organization,organization.csv,,2,nrd_officials,-1,>= 0," in lines[1]


def test_rich_table_output_and_summary(tmp_path):
    write_valid_dataset(tmp_path, organization=None)
    write_csv(
        tmp_path, "capital_mobilized", ["period", "source", "cumulative_mvnd"], [["2025-09", "credit", "x"]]
    )
    result = runner.invoke(app, ["validate", str(tmp_path), "--summary"], terminal_width=200)
    assert result.exit_code == 1
    assert "capital_mobilized.csv" in result.output and "cumulative_mvnd" in result.output
    assert "not present: organization" in result.output
    assert "invalid: 1 error(s)" in result.output


def test_warnings_only_exit_0_and_json(tmp_path):
    write_valid_dataset(
        tmp_path,
        criteria_status=(
            ["period", "unit_code", "criterion", "status", "extra"],
            [["2025-09", COMMUNE, "1", "met", "?"]],
        ),
    )
    result = _run(tmp_path, "--format", "json", "--table", "criteria_status")
    assert result.exit_code == 0
    payload = json.loads(result.output)
    assert payload["errors"] == 0 and payload["warnings"] == 1
    assert payload["findings"][0]["column"] == "extra"
    assert payload["tables"]["criteria_status"]["rows_read"] == 1


def test_missing_folder_and_bad_options_exit_2(tmp_path):
    assert _run(tmp_path / "missing").exit_code == 2
    assert _run(tmp_path, "--table", "nope").exit_code == 2
    assert _run(tmp_path, "--format", "xml").exit_code == 2


def test_unreadable_workbook_is_a_finding_not_a_traceback(tmp_path):
    (tmp_path / "organization.xlsx").write_bytes(b"this is not a workbook")
    result = _run(tmp_path, "--format", "csv")
    assert result.exit_code == 1
    assert "unreadable_file" in result.output and "organization.xlsx" in result.output


def test_bad_dataset_yaml_exits_non_zero_without_traceback(tmp_path):
    (tmp_path / "dataset.yaml").write_text("province_code: [1, 2\n", encoding="utf-8")
    result = _run(tmp_path)
    assert result.exit_code == 1
    assert "dataset.yaml" in result.output

"""Validation gaps closed: future dates, the set of a recognition, keys named as written, unknown files."""

from __future__ import annotations

from _io_helpers import COMMUNE, TODAY, write_csv, write_valid_dataset
from nrd.io import read_dataset


def _findings(folder, rule):
    return [f for f in read_dataset(folder, today=TODAY, use_cache=False).findings if f.rule == rule]


def test_a_decision_dated_in_the_future_is_an_error_naming_file_row_column(tmp_path):
    write_valid_dataset(tmp_path, recognitions=(
        ["unit_code", "level", "decision_no", "decision_date"],
        [[COMMUNE, "nra", "10/QĐ", "2023-05-01"], [COMMUNE, "advanced", "11/QĐ", "2029-06-01"]],
    ))
    [finding] = _findings(tmp_path, "future_date")
    assert (finding.severity, finding.file, finding.row, finding.column) == (
        "error", "recognitions.csv", 3, "decision_date")
    assert finding.value == "01/06/2029" and "15/10/2025" in finding.expected


def test_a_certificate_expiry_in_the_future_is_not_a_finding(tmp_path):
    write_valid_dataset(tmp_path, ocop_products=(
        ["product_id", "product_name", "entity_id", "unit_code", "group", "score", "stars", "recognized_on",
         "decision_no", "expires_on"],
        [["P1", "Gạo", "E1", COMMUNE, 1, 75, 4, "2024-03-01", "5/QĐ", "2027-03-01"]],
    ))
    assert _findings(tmp_path, "future_date") == []


def test_a_recognition_under_a_set_that_did_not_cover_its_month_is_an_error(tmp_path):
    write_valid_dataset(tmp_path, recognitions=(
        ["unit_code", "level", "decision_no", "decision_date", "criteria_set"],
        [[COMMUNE, "nra", "10/QĐ", "2023-05-01", "qd51_2025"],
         [COMMUNE, "advanced", "11/QĐ", "2024-06-01", "qd318_2022"]],
    ))
    [finding] = _findings(tmp_path, "criteria_set_not_in_force")
    assert (finding.severity, finding.table, finding.row, finding.value) == (
        "error", "recognitions", 2, "qd51_2025")


def test_duplicate_key_findings_name_the_headers_as_written(tmp_path):
    write_csv(tmp_path, "capital_mobilized", ["Kỳ báo cáo", "Nguồn vốn", "Lũy kế huy động (triệu đồng)"],
              [["2025-09", "credit", "12000"], ["2025-09", "credit", "13000"]])
    write_valid_dataset(tmp_path, capital_mobilized=None)
    [finding] = _findings(tmp_path, "duplicate_key")
    assert finding.column == "Kỳ báo cáo, Nguồn vốn"


def test_files_that_are_no_table_are_reported_on_every_read(tmp_path):
    write_valid_dataset(tmp_path)
    (tmp_path / "recognition.csv").write_text("unit_code\n", encoding="utf-8")
    (tmp_path / "README.txt").write_text("ghi chú", encoding="utf-8")
    for use_cache in (True, True):  # the second read comes from the cache: the finding is still there
        findings = read_dataset(tmp_path, today=TODAY, use_cache=use_cache).findings
        unknown = [f for f in findings if f.rule == "unknown_file"]
        assert [(f.severity, f.file) for f in unknown] == [("warning", "recognition.csv")]

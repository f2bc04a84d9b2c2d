"""Each cross-table rule: a small bad file in tmp_path, and the finding names file, sheet, row and column."""

from __future__ import annotations

import pandas as pd

from _io_helpers import COMMUNE, COMMUNE_2, TODAY, WARD, write_valid_dataset, write_xlsx
from nrd.io import read_dataset, validate_dataset

PRODUCTS = [
    "product_id",
    "product_name",
    "entity_id",
    "unit_code",
    "group",
    "score",
    "stars",
    "recognized_on",
    "decision_no",
]
CRITERIA = ["period", "unit_code", "criteria_set", "criterion", "status"]
RECOGNITIONS = ["unit_code", "level", "decision_no", "decision_date", "revoked_on"]


def _only(ds, rule):
    found = [f for f in ds.findings if f.rule == rule]
    assert len(found) == 1, ds.findings
    return found[0]


def _read(folder):
    return read_dataset(folder, today=TODAY, use_cache=False)


def test_valid_dataset_has_no_findings(tmp_path):
    assert validate_dataset(write_valid_dataset(tmp_path), today=TODAY) == []


def test_product_of_unknown_entity(tmp_path):
    ds = _read(
        write_valid_dataset(
            tmp_path,
            ocop_products=(
                PRODUCTS,
                [
                    ["P1", "Gạo", "E1", COMMUNE, 1, 75, 4, "2024-03-01", "5"],
                    ["P2", "Chè", "E404", COMMUNE, 2, 60, 3, "2024-03-01", "6"],
                ],
            ),
        )
    )
    f = _only(ds, "unknown_entity")
    assert (f.severity, f.file, f.row, f.column, f.value) == (
        "error",
        "ocop_products.csv",
        3,
        "entity_id",
        "E404",
    )
    assert ds.table("ocop_products")["product_id"].tolist() == ["P1"]


def test_registration_of_unknown_entity_in_xlsx(tmp_path):
    write_valid_dataset(tmp_path, ocop_registrations=None)
    write_xlsx(
        tmp_path / "ocop_registrations.xlsx",
        {
            "ocop_registrations": (
                [
                    "registration_id",
                    "product_name",
                    "entity_id",
                    "unit_code",
                    "cycle",
                    "registered_on",
                    "stage",
                ],
                [["R1", "Mật ong", "E9", COMMUNE, 2025, "2025-04-01", "registered"]],
            )
        },
    )
    f = _only(_read(tmp_path), "unknown_entity")
    assert (f.file, f.sheet, f.row, f.column) == (
        "ocop_registrations.xlsx",
        "ocop_registrations",
        2,
        "entity_id",
    )


def test_stars_disagreeing_with_score_band(tmp_path):
    ds = _read(
        write_valid_dataset(
            tmp_path,
            ocop_products=(
                PRODUCTS,
                [
                    ["P1", "Gạo", "E1", COMMUNE, 1, 75, 4, "2024-03-01", "5"],
                    ["P2", "Chè", "E1", COMMUNE, 2, 68, 4, "2024-03-01", "6"],
                ],
            ),
        )
    )
    f = _only(ds, "stars_band")
    assert (f.row, f.column, f.value) == (3, "stars", "4")
    assert "3" in f.expected


def test_criterion_not_in_the_set_in_force(tmp_path):
    # qd51_2025 (from 2026-02) has 10 criteria; 2026-03 is not in the future for a 2026 "today".
    ds = read_dataset(
        write_valid_dataset(
            tmp_path,
            criteria_status=(
                CRITERIA,
                [["2026-03", COMMUNE, "", "10", "met"], ["2026-03", COMMUNE, "", "15", "met"]],
            ),
        ),
        today=pd.Timestamp("2026-05-01").date(),
        use_cache=False,
    )
    f = _only(ds, "unknown_criterion")
    assert (f.file, f.row, f.column, f.value) == ("criteria_status.csv", 3, "criterion", "15")
    assert ds.table("criteria_status")["criteria_set"].tolist() == ["qd51_2025"]


def test_criteria_set_not_in_force_for_the_period(tmp_path):
    ds = _read(
        write_valid_dataset(
            tmp_path,
            criteria_status=(
                CRITERIA,
                [
                    ["2025-09", COMMUNE, "qd318_2022", "1", "met"],
                    ["2025-09", COMMUNE, "qd51_2025", "2", "met"],
                ],
            ),
        )
    )
    f = _only(ds, "criteria_set_not_in_force")
    assert (f.severity, f.row, f.column, f.value, f.expected) == (
        "error",
        3,
        "criteria_set",
        "qd51_2025",
        "qd318_2022",
    )


def test_criteria_rows_for_a_ward_are_rejected(tmp_path):
    ds = _read(
        write_valid_dataset(
            tmp_path,
            criteria_status=(
                CRITERIA,
                [["2025-09", COMMUNE, "", "1", "met"], ["2025-09", WARD, "", "1", "met"]],
            ),
        )
    )
    f = _only(ds, "not_a_commune")
    assert (f.severity, f.row, f.column, f.value) == ("error", 3, "unit_code", WARD)


def test_future_period(tmp_path):
    ds = _read(
        write_valid_dataset(
            tmp_path,
            capital_mobilized=(
                ["period", "source", "cumulative_mvnd"],
                [["2025-10", "credit", 1], ["2025-11", "credit", 2]],
            ),
        )
    )
    f = _only(ds, "future_period")
    assert (f.file, f.row, f.column, f.value) == ("capital_mobilized.csv", 3, "period", "2025-11")
    assert ds.table("capital_mobilized")["period"].tolist() == ["2025-10"]


def test_duplicate_key_points_at_the_first_row(tmp_path):
    ds = _read(
        write_valid_dataset(
            tmp_path,
            organization=(
                ["period", "unit_code", "steering_committee", "nrd_officials"],
                [
                    ["2025-09", COMMUNE, "có", 1],
                    ["2025-09", COMMUNE_2, "có", 1],
                    ["2025-09", "Xã Bình Lục", "không", 2],
                ],
            ),
        )
    )
    f = _only(ds, "duplicate_key")
    assert (f.severity, f.row) == ("error", 4)
    assert "row 2" in f.message


def test_disbursed_above_plan_is_a_warning_on_the_latest_row(tmp_path):
    ds = _read(
        write_valid_dataset(
            tmp_path,
            capital_disbursement=(
                ["period", "year", "source", "unit_code", "disbursed_mvnd"],
                [
                    ["2025-06", 2025, "central_investment", COMMUNE, "900"],
                    ["2025-09", 2025, "central_investment", COMMUNE, "1.200"],
                ],
            ),
        )
    )
    f = _only(ds, "disbursed_above_plan")
    assert (f.severity, f.row, f.column, f.value) == ("warning", 3, "disbursed_mvnd", "1200")
    assert ds.errors == []
    assert len(ds.table("capital_disbursement")) == 2  # warnings keep their rows


def test_advanced_without_earlier_unrevoked_nra(tmp_path):
    ds = _read(
        write_valid_dataset(
            tmp_path,
            recognitions=(
                RECOGNITIONS,
                [
                    [COMMUNE, "nra", "1", "01/05/2023", "01/01/2024"],
                    [COMMUNE, "advanced", "2", "01/06/2024", ""],
                    [COMMUNE_2, "nra", "3", "01/06/2024", ""],
                    [COMMUNE_2, "advanced", "4", "01/06/2024", ""],
                    [COMMUNE_2, "model", "5", "01/05/2024", ""],
                ],
            ),
        )
    )
    found = sorted((f.row, f.column, f.value) for f in ds.findings if f.rule == "recognition_without_nra")
    assert found == [(3, "level", "advanced"), (6, "level", "model")]


def test_errors_and_warnings_are_distinct(tmp_path):
    ds = _read(
        write_valid_dataset(
            tmp_path,
            capital_disbursement=(
                ["period", "year", "source", "unit_code", "disbursed_mvnd"],
                [
                    ["2025-09", 2025, "central_investment", COMMUNE, "5000"],
                    ["2025-09", 2025, "credit", COMMUNE, "abc"],
                ],
            ),
        )
    )
    assert [f.rule for f in ds.warnings] == ["disbursed_above_plan"]
    assert [f.rule for f in ds.errors] == ["bad_value"]


def test_cross_table_findings_name_the_header_as_written(tmp_path):
    ds = _read(
        write_valid_dataset(
            tmp_path,
            ocop_products=(
                [
                    "Mã sản phẩm",
                    "Tên sản phẩm",
                    "Mã chủ thể",
                    "Mã đơn vị",
                    "Nhóm sản phẩm",
                    "Điểm",
                    "Hạng sao",
                    "Ngày công nhận",
                    "Số quyết định",
                ],
                [["P1", "Gạo", "E1", COMMUNE, 1, "95,5", 3, "01/03/2024", "5"]],
            ),
        )
    )
    f = _only(ds, "stars_band")
    assert (f.row, f.column, f.value) == (2, "Hạng sao", "3")
    assert "5 stars for score 95.5" in f.expected


def _repeats(frame: pd.DataFrame, key: list[str]) -> bool:
    """The duplicate-key rule's own comparison (blank cells equal to each other and to a written "")."""
    return bool(frame[key].astype("object").where(frame[key].notna(), "").duplicated().any())


def test_the_repeat_prefilter_answers_as_the_rule_compares():
    import itertools

    import numpy as np

    from nrd.io.validate import _may_repeat

    rng = np.random.default_rng(7)
    pools = {"text": ["a", "b", "", None], "int": [1, 2, None], "float": [1.5, 2.0, np.nan],
             "date": [pd.Timestamp("2025-01-01"), pd.Timestamp("2025-02-01"), pd.NaT]}
    dtypes = {"text": "str", "int": "Int64", "float": "float64", "date": "datetime64[ns]"}
    for rows, trial in itertools.product([2, 3, 5, 12], range(40)):
        frame = pd.DataFrame({name: pd.Series([pool[i] for i in rng.integers(len(pool), size=rows)],
                                              dtype=dtypes[name]) for name, pool in pools.items()})
        for size in (1, 2, 4):
            key = list(rng.choice(list(pools), size=size, replace=False))
            assert _may_repeat(frame, key) == _repeats(frame, key), (frame, key)
    # More combinations than an int64 counts: "maybe", and the rule itself decides.
    wide = pd.DataFrame({f"c{i}": pd.Series([f"{i}-{j}" for j in range(5000)], dtype="str") for i in range(6)})
    assert _may_repeat(wide, list(wide.columns)) and not _repeats(wide, list(wide.columns))

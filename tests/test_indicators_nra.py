"""NRA levels and the nra.* indicators, on hand-made recognitions."""

from __future__ import annotations

import pytest
from test_indicators_fixtures import C1, C2, C3, COMMUNES_IN_SCOPE, WARD, close, dataset, row, value

from nrd.errors import PeriodError
from nrd.indicators import compute_indicators

RECOGNITIONS = [
    # C1: NRA 2020, advanced 2023-05-10, model 2025-09-30 (last day of 2025-09).
    dict(unit_code=C1, level="nra", decision_no="1/QĐ", decision_date="2020-06-01"),
    dict(unit_code=C1, level="advanced", decision_no="2/QĐ", decision_date="2023-05-10"),
    dict(unit_code=C1, level="model", decision_no="3/QĐ", decision_date="2025-09-30"),
    # C2: NRA 2021, revoked 2024-03-15, re-recognised 2025-01-20.
    dict(unit_code=C2, level="nra", decision_no="4/QĐ", decision_date="2021-01-05", revoked_on="2024-03-15"),
    dict(unit_code=C2, level="nra", decision_no="5/QĐ", decision_date="2025-01-20"),
    # C3: advanced decided 2025-10-01 (after 2025-09).
    dict(unit_code=C3, level="nra", decision_no="6/QĐ", decision_date="2019-01-01"),
    dict(unit_code=C3, level="advanced", decision_no="7/QĐ", decision_date="2025-10-01"),
    # A ward with a recognition: wards are outside the NRA scope and never counted.
    dict(unit_code=WARD, level="nra", decision_no="8/QĐ", decision_date="2020-01-01"),
]


@pytest.fixture(scope="module")
def ds():
    return dataset(recognitions=RECOGNITIONS)


def test_levels_at_end_of_2025_09(ds):
    table = compute_indicators(ds, "2025-09")
    # C1 model (decided on the last day of the month counts), C2 re-recognised NRA, C3 still NRA only.
    assert value(table, "nra.level", C1) == 3
    assert value(table, "nra.level", C2) == 1
    assert value(table, "nra.level", C3) == 1
    assert value(table, "nra.communes_in_scope") == COMMUNES_IN_SCOPE
    assert value(table, "nra.recognized") == 3  # C1, C2, C3; the ward is not counted
    assert value(table, "nra.advanced") == 1  # C1
    assert value(table, "nra.model") == 1  # C1
    assert value(table, "nra.not_recognized") == 94  # 97 - 3
    v, n, d = row(table, "nra.recognized_share")
    assert (n, d) == (3, 97) and close(v, 300 / 97)  # 3/97 × 100 = 3.0928 %
    v, n, d = row(table, "nra.advanced_share")
    assert (n, d) == (1, 97) and close(v, 100 / 97)


def test_ward_has_no_level_row(ds):
    table = compute_indicators(ds, "2025-09")
    assert table[(table["indicator"] == "nra.level") & (table["unit_code"] == WARD)].empty
    assert (table["indicator"] == "nra.level").sum() == COMMUNES_IN_SCOPE


def test_revocation_and_re_recognition(ds):
    # 2024-03: revoked on 15 March (on or before the end of P) -> level 0.
    assert value(compute_indicators(ds, "2024-03"), "nra.level", C2) == 0
    # 2024-02: not yet revoked -> 1.
    assert value(compute_indicators(ds, "2024-02"), "nra.level", C2) == 1
    # 2025-01: re-recognised on 20 January -> 1 again.
    assert value(compute_indicators(ds, "2025-01"), "nra.level", C2) == 1
    assert value(compute_indicators(ds, "2024-12"), "nra.level", C2) == 0


def test_decision_after_period_not_counted(ds):
    assert value(compute_indicators(ds, "2025-08"), "nra.model") == 0  # model decided 2025-09-30
    assert value(compute_indicators(ds, "2025-10"), "nra.level", C3) == 2  # advanced from 2025-10-01


def test_province_rows_carry_province_code_and_come_first(ds):
    table = compute_indicators(ds, "2025-09")
    assert list(table.columns) == ["period", "unit_code", "indicator", "value", "numerator", "denominator"]
    assert table["period"].eq("2025-09").all()
    assert table["unit_code"].iloc[0] == "37"
    province = table[table["unit_code"] == "37"]
    assert province.index.max() < table[table["unit_code"] != "37"].index.min()


def test_absent_tables_leave_their_indicators_out(ds):
    table = compute_indicators(ds, "2025-09")
    assert not table["indicator"].str.startswith(("ocop.", "capital.", "criteria.", "org.")).any()


def test_bad_period_is_a_period_error(ds):
    with pytest.raises(PeriodError):
        compute_indicators(ds, "2025-13")

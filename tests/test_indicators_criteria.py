"""Criteria status at P: latest submission (same set), carry-forward, the set switch 2026-01 / 2026-02."""

from __future__ import annotations

import pytest
from test_indicators_fixtures import C1, C2, C3, C4, WARD, close, criteria_rows, dataset, row, value

from nrd.indicators import compute_indicators

ALL_19 = [str(n) for n in range(1, 20)]
ALL_10 = [str(n) for n in range(1, 11)]

ROWS = (
    criteria_rows("2025-08", C1, met=ALL_19[:10], not_met=ALL_19[10:])
    + criteria_rows("2025-09", C1, met=ALL_19, not_met=[])  # 19 met
    + criteria_rows("2025-06", C2, met=ALL_19[:16], not_met=ALL_19[16:])
    + criteria_rows("2025-07", C2, met=ALL_19[:14], not_met=ALL_19[14:])  # 14 met, carried to 2025-09
    + criteria_rows("2025-09", C3, met=ALL_19[:18], not_met=[])
    + [dict(period="2025-09", unit_code=C3, criterion="19", status="basically_met")]  # 18 met
    + [dict(period="2025-09", unit_code=C3, criterion="2", indicator="2.1", status="not_met")]  # detail only
    + criteria_rows("2025-09", WARD, met=ALL_19, not_met=[])  # a ward: outside the scope
    # The switch: C2 reports 2026-01 under the old set (blank = set in force), C3 reports early under the
    # new set (explicit), C1 reports 2026-02 under the new set (blank = set in force at 2026-02).
    + criteria_rows("2026-01", C2, met=ALL_19, not_met=[])
    + criteria_rows("2026-01", C3, met=ALL_10, not_met=[], criteria_set="qd51_2025")
    + criteria_rows("2026-02", C1, met=ALL_10[:9], not_met=["10"])
)


@pytest.fixture(scope="module")
def ds():
    return dataset(criteria_status=ROWS)


@pytest.fixture(scope="module")
def sep(ds):
    return compute_indicators(ds, "2025-09")


def test_met_counts_use_latest_submission(sep):
    assert value(sep, "criteria.met_count", C1) == 19
    assert value(sep, "criteria.met_count", C2) == 14  # 2025-07 carried forward, not 2025-06's 16
    assert value(sep, "criteria.met_count", C3) == 18  # basically_met is not met; indicator rows ignored
    assert sep[(sep["indicator"] == "criteria.met_count") & sep["unit_code"].isin([C4, WARD])].empty


def test_province_criteria_figures(sep):
    v, n, d = row(sep, "criteria.avg_met")
    assert (n, d) == (51, 3) and close(v, 17.0)  # (19 + 14 + 18) / 3
    assert value(sep, "criteria.all_met") == 1  # C1
    assert value(sep, "criteria.below_15") == 1  # C2 with 14


def test_met_share_per_criterion(sep):
    shares = sep[sep["indicator"].str.startswith("criteria.met_share.")]
    assert list(shares["indicator"]) == [f"criteria.met_share.{n}" for n in range(1, 20)]
    v, n, d = row(sep, "criteria.met_share.19")
    assert (n, d) == (1, 3) and close(v, 100 / 3)  # only C1: C3 basically met, C2 not met
    v, n, d = row(sep, "criteria.met_share.15")
    assert (n, d) == (2, 3) and close(v, 200 / 3)  # C1 and C3
    assert row(sep, "criteria.met_share.2") == (100.0, 3.0, 3.0)


def test_department_shares(sep):
    # Criterion 19 is led by the military command (bchqs): 1 of 3 (commune, criterion) pairs met.
    v, n, d = row(sep, "criteria.dept_met_share.bchqs")
    assert (n, d) == (1, 3) and close(v, 100 / 3)
    # Criterion 15 by Sở Y tế: C1 and C3.
    assert row(sep, "criteria.dept_met_share.so_yte")[1:] == (2.0, 3.0)


def test_reporting_completeness(sep):
    v, n, d = row(sep, "criteria.reporting_completeness")
    assert (n, d) == (2, 97) and close(v, 200 / 97)  # C1 and C3 submitted for 2025-09; C2 did not


def test_set_in_force_at_2026_01_is_the_old_set(ds):
    jan = compute_indicators(ds, "2026-01")
    assert (jan["indicator"].str.startswith("criteria.met_share.")).sum() == 19
    v, n, d = row(jan, "criteria.avg_met")
    assert (n, d) == (56, 3) and close(v, 56 / 3)  # C1 19 (2025-09), C2 19 (2026-01), C3 18 (2025-09)
    assert row(jan, "criteria.reporting_completeness")[1:] == (2.0, 97.0)  # C2 and C3 reported for 2026-01


def test_set_in_force_at_2026_02_is_the_new_set(ds):
    feb = compute_indicators(ds, "2026-02")
    assert (feb["indicator"].str.startswith("criteria.met_share.")).sum() == 10
    assert value(feb, "criteria.met_count", C1) == 9
    assert value(feb, "criteria.met_count", C3) == 10  # its early qd51 submission, carried
    assert feb[(feb["indicator"] == "criteria.met_count") & (feb["unit_code"] == C2)].empty  # old set only
    v, n, d = row(feb, "criteria.avg_met")
    assert (n, d) == (19, 2) and close(v, 9.5)  # (9 + 10) / 2
    assert value(feb, "criteria.all_met") == 1  # C3
    assert row(feb, "criteria.met_share.10")[1:] == (1.0, 2.0)  # C3 only

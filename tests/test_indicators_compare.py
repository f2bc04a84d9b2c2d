"""Comparisons with P-1 and P-12, and targets (parse, pace, status)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from nrd.errors import UnknownNameError
from nrd.indicators import compare, get_indicator, load_targets, parse_targets
from nrd.indicators.targets import TargetError

REPO = Path(__file__).resolve().parents[1]


def table(rows):
    return pd.DataFrame(rows, columns=["period", "unit_code", "indicator", "value", "numerator", "denominator"])


TABLE = table([
    ("2024-09", "37", "nra.advanced_share", 30.0, 29, 97),
    ("2025-08", "37", "nra.advanced_share", 35.0, 34, 97),
    ("2025-09", "37", "nra.advanced_share", 38.0, 37, 97),
    ("2025-09", "37", "capital.disbursement_rate_year", 70.0, 700, 1000),
    ("2025-09", "13456", "capital.disbursement_rate_year", 20.0, 20, 100),
])


def test_deltas_against_previous_month_and_year():
    out = compare(TABLE, "2025-09").set_index(["unit_code", "indicator"])
    r = out.loc[("37", "nra.advanced_share")]
    assert (r["previous"], r["delta_month"]) == (35.0, 3.0)  # 38 - 35
    assert (r["last_year"], r["delta_year"]) == (30.0, 8.0)  # 38 - 30
    assert pd.isna(out.loc[("37", "capital.disbursement_rate_year"), "previous"])


def test_target_status_and_linear_pace():
    targets = parse_targets({"targets": [
        {"indicator": "nra.advanced_share", "value": 40, "by": "2025-12"},
        {"indicator": "capital.disbursement_rate_year", "value": 95, "by": "year_end", "pace": "linear"},
    ]})
    out = compare(TABLE, "2025-09", targets).set_index(["unit_code", "indicator"])
    assert out.loc[("37", "nra.advanced_share"), "status"] == "on_track"  # 38 < 40, before the deadline
    r = out.loc[("37", "capital.disbursement_rate_year")]
    assert r["expected"] == pytest.approx(71.25)  # 95 × 9/12
    assert r["status"] == "behind"  # 70 < 71.25
    assert out.loc[("13456", "capital.disbursement_rate_year"), "status"] == ""  # targets are province-level
    december = compare(table([("2025-12", "37", "nra.advanced_share", 38.0, 37, 97)]), "2025-12", targets)
    assert december["status"].iloc[0] == "behind"  # deadline reached, not met
    met = compare(table([("2025-12", "37", "nra.advanced_share", 41.0, 40, 97)]), "2025-12", targets)
    assert met["status"].iloc[0] == "met"


def test_at_most_target():
    (target,) = parse_targets({"targets": [
        {"indicator": "criteria.below_15", "value": 0, "by": "2025-12", "direction": "at_most"}]})
    assert target.status(0.0, "2025-06") == "met"
    assert target.status(2.0, "2025-06") == "on_track"
    assert target.status(2.0, "2025-12") == "behind"


def test_bad_targets_are_typed_errors():
    with pytest.raises(UnknownNameError):
        parse_targets({"targets": [{"indicator": "nra.nope", "value": 1, "by": "2025-12"}]})
    with pytest.raises(TargetError, match="entry 1: missing by"):
        parse_targets({"targets": [{"indicator": "nra.model", "value": 1}]})
    with pytest.raises(TargetError, match="bad period"):
        parse_targets({"targets": [{"indicator": "nra.model", "value": 1, "by": "2025-13"}]})
    with pytest.raises(TargetError):
        parse_targets({"targets": [{"indicator": "nra.model", "value": 1, "by": "2025-12", "direction": "up"}]})


def test_shipped_targets_file_parses():
    targets = load_targets(REPO / "params" / "targets.yaml")
    assert {t.indicator for t in targets} >= {"nra.advanced_share", "nra.model_share", "capital.disbursement_rate_year"}
    assert all(t.source for t in targets)


def test_registry_resolves_family_members_and_rejects_unknown_ids():
    assert get_indicator("criteria.met_share.17").id == "criteria.met_share.<n>"
    assert get_indicator("nra.level").level == "commune"
    with pytest.raises(UnknownNameError):
        get_indicator("criteria.met_share.")
    with pytest.raises(UnknownNameError):
        get_indicator("nra.levels")


def test_no_delta_of_criteria_counts_across_the_criteria_set_switch():
    # qd318_2022 (19 criteria) applies up to 2026-01, qd51_2025 (10 criteria) from 2026-02
    switch = table([
        ("2025-02", "37", "criteria.avg_met", 18.0, None, None),
        ("2026-01", "37", "criteria.avg_met", 18.5, None, None),
        ("2026-02", "37", "criteria.avg_met", 8.0, None, None),
        ("2026-03", "37", "criteria.avg_met", 8.5, None, None),
        ("2026-01", "37", "criteria.reporting_completeness", 80.0, 80, 100),
        ("2026-02", "37", "criteria.reporting_completeness", 90.0, 90, 100),
    ])
    at_switch = compare(switch, "2026-02").set_index(["unit_code", "indicator"])
    assert pd.isna(at_switch.loc[("37", "criteria.avg_met"), "delta_month"])  # 8 of 10 vs 18.5 of 19
    assert pd.isna(at_switch.loc[("37", "criteria.avg_met"), "delta_year"])
    assert at_switch.loc[("37", "criteria.avg_met"), "previous"] == 18.5  # the value is still shown
    assert at_switch.loc[("37", "criteria.reporting_completeness"), "delta_month"] == 10.0  # 90 - 80
    after = compare(switch, "2026-03").set_index(["unit_code", "indicator"])
    assert after.loc[("37", "criteria.avg_met"), "delta_month"] == 0.5  # 8.5 - 8.0, both under qd51_2025

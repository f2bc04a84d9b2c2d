"""What a fork server computes once per period for all its reports (issue 14, per-report cost).

- ``Prepared.context(period)``: one ``PeriodContext`` per period, shared by the views, a few periods kept;
- ``warm_period``: the period's common intermediates computed before the children fork, and the views give
  the same frames with or without them;
- ``unit_levels``: a unit's level history in one pass, equal to ``levels_at`` month by month;
- ``indicator_table``: the rows of a run's table selected once per table object and period list, each caller
  getting its own copy-on-write frame.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from nrd import indicators as ind
from nrd import periods
from nrd.indicators import context
from nrd.indicators.nra import levels_at, unit_levels
from nrd.indicators.pipeline_views import remember_pipelines
from nrd.indicators.warm import warm_period
from nrd.io import read_dataset
from nrd.present import inputs

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
PERIOD = "2026-10"


def test_unit_levels_equal_levels_at_month_by_month_on_edge_cases():
    ts = pd.Timestamp
    rec = pd.DataFrame({
        "unit_code": ["A", "A", "A", "A", "B", "C"],
        "level": ["nra", "advanced", "model", "nra", "nra", "unknown"],
        "decision_date": [ts("2025-01-31"), ts("2025-06-15"), pd.NaT, ts("2026-02-01"), ts("2025-03-01"),
                          ts("2025-01-01")],
        "revoked_on": [pd.NaT, ts("2025-09-30"), pd.NaT, pd.NaT, ts("2025-03-31"), pd.NaT],
    })
    months = periods.period_range("2024-12", "2026-03")
    for code in ("A", "B", "C", "D"):
        want = [int(levels_at(rec, pd.Index([code]), m).get(code, 0)) for m in months]
        assert unit_levels(rec, code, months) == want
    assert set(unit_levels(rec, "A", months)) == {0, 1, 2}  # the edge cases are exercised
    assert unit_levels(None, "A", months) == [0] * len(months)


def test_a_prepared_dataset_keeps_one_context_per_period_and_only_the_last_few():
    prepared = context.prepare(read_dataset(DEMO))
    first = prepared.context(PERIOD)
    assert prepared.context("10/2026") is first
    for month in periods.period_range("2025-01", "2025-09")[: context.CONTEXTS_KEPT]:
        prepared.context(month)
    assert prepared.context(PERIOD) is not first  # pushed out by more recent periods


@pytest.mark.parametrize("unit", ["13504", "13456", "13474"])
def test_views_give_the_same_frames_with_the_period_warmed(unit):
    cold = read_dataset(DEMO, use_cache=False)
    warm = read_dataset(DEMO, use_cache=False)
    prepared = context.prepare(warm)
    ctx = warm_period(prepared, PERIOD)
    remember_pipelines(warm, PERIOD)
    assert "profile.plan_year_capital" in ctx._memo and "ocop_active" in vars(ctx)
    a, b = ind.commune_profile(cold, PERIOD, unit), ind.commune_profile(warm, PERIOD, unit)
    for name in ("level_history", "criteria", "lacking", "products", "capital"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    assert a.level == b.level
    pd.testing.assert_frame_equal(ind.phase_comparison(cold, PERIOD, unit), ind.phase_comparison(warm, PERIOD, unit))
    pd.testing.assert_frame_equal(ind.indicator_thresholds(cold, PERIOD, unit_code=unit),
                                  ind.indicator_thresholds(warm, PERIOD, unit_code=unit))


def test_the_indicator_table_selection_is_remembered_and_each_caller_gets_its_own_frame(tmp_path):
    ds = read_dataset(DEMO)
    path = tmp_path / "table.parquet"
    ind.build_indicator_table(ds, inputs.trend_periods(PERIOD)).to_parquet(path, index=False)
    wanted = inputs.comparison_periods(PERIOD)
    first = inputs.indicator_table(ds, wanted, path)
    assert not inputs._STORED_SELECTIONS  # a table read from the file each time is a new object
    from nrd.io import preload

    preload.hold_table(path, pd.read_parquet(path))
    try:
        inputs.warm_indicator_selection(ds, PERIOD, path)
        assert len(inputs._STORED_SELECTIONS) == 2  # comparison periods and the 12-month trend
        second = inputs.indicator_table(ds, wanted, path)
        third = inputs.indicator_table(ds, wanted, path)
        pd.testing.assert_frame_equal(second, first)
        second.loc[0, "value"] = -999.0
        assert third.loc[0, "value"] == first.loc[0, "value"] != -999.0
        pd.testing.assert_frame_equal(inputs.indicator_table(ds, wanted, path), first)
    finally:
        preload.release()

"""``show_*`` return the typed view they showed (numbers as numbers, no display-only or internal columns), so
an analyst can sort and filter what a report cell returns."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import nrd.indicators as ind
from nrd.present import sections as sx

ROOT = Path(__file__).resolve().parents[1]
PERIOD = "2025-09"


@pytest.fixture(scope="module")
def ds():
    from nrd.io import read_dataset

    return read_dataset(ROOT / "data" / "demo")


@pytest.fixture(autouse=True)
def quiet(monkeypatch):
    """What is displayed is not under test here: only what is returned."""
    import nrd.present.display as display

    monkeypatch.setattr(display, "_display", lambda *a, **k: None)
    monkeypatch.setattr(display, "_display_html", lambda *a, **k: None)


def test_capital_position_keeps_its_integer_year(ds):
    position = ind.capital_position(ds, PERIOD)
    shown = sx.show_capital_position(position, PERIOD, "vi", years=2)
    assert shown["year"].dtype == position["year"].dtype and pd.api.types.is_integer_dtype(shown["year"])
    assert set(shown["year"]) == {y for y in position["year"] if y > 2023}
    pd.testing.assert_frame_equal(shown[position.columns].sort_index(), position.loc[shown.index].sort_index())


def test_outliers_name_the_input_row_without_internal_columns(ds):
    outliers = ind.value_outliers(ds, PERIOD, threshold=1.0)
    assert len(outliers) > 0 and "row" in outliers and not any(c.startswith("_") for c in outliers)
    assert pd.api.types.is_integer_dtype(outliers["row"])
    shown = sx.show_outliers(outliers, ds.units, "vi")
    assert not any(c.startswith("_") for c in shown) and list(shown.columns[:len(outliers.columns)]) == list(
        outliers.columns)


@pytest.mark.parametrize("period", ["2025-03", "2025-09"])  # communes to act on, then none
def test_department_lagging_is_the_typed_view_even_when_empty(ds, period):
    view = ind.department_view(ds, period, "so_xd")
    shown = sx.show_department_lagging(view, "vi")
    assert "stale_text" not in shown and len(shown) == len(view.lagging)
    assert (shown.dtypes[view.lagging.columns] == view.lagging.dtypes).all()


@pytest.mark.parametrize("period", ["2025-09", "2026-10"])  # one criteria set; across the change to groups
def test_criteria_met_trend_is_the_commune_and_the_median_of_the_indicator_table(ds, period):
    from nrd import periods
    from nrd.indicators import build_indicator_table
    from nrd.indicators.context import prepare
    from nrd.present.commune_trend import show_criteria_met_trend

    months = periods.period_range(periods.shift_period(period, -12), period)
    table = build_indicator_table(ds, months)
    commune = "13504"
    trend = ind.criteria_met_trend(ds, period, commune, table)
    assert list(trend["period"]) == months and trend["criteria"].isin([10, 19]).all()
    met = table[table["indicator"] == "criteria.met_count"]
    prepared = prepare(ds)
    group = prepared.commune_groups.get(commune) if prepared.criteria_set_for(period).group_ids else None
    peers = (prepared.commune_groups.index[prepared.commune_groups == group] if group is not None
             else prepared.commune_codes)
    for row in trend.itertuples():
        month = met[met["period"] == row.period]
        own = month.loc[month["unit_code"] == commune, "value"]
        assert (pd.isna(row.unit_met) and own.empty) or row.unit_met == own.iloc[0]
        assert row.median_met == month.loc[month["unit_code"].isin(peers), "value"].median()
    assert (trend["group"].isna().all() if group is None else (trend["group"] == group).all())
    assert (len(set(trend["criteria_set"])) == 2) == (period == "2026-10")
    pd.testing.assert_frame_equal(ind.criteria_met_trend(ds, period, commune), trend)  # the table built there
    assert show_criteria_met_trend(trend, {"unit_code": commune, "name": "X"}, "vi") is trend
    ward = ds.units.loc[ds.units["unit_type"] == "ward", "unit_code"].iloc[0]
    assert ind.criteria_met_trend(ds, period, ward, table).empty  # the criteria do not apply to a ward

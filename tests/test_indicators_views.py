"""Report views, department view, watch lists, commune profile and data-quality views on hand-made data."""

from __future__ import annotations

import pandas as pd
import pytest
from test_indicators_capital import DISBURSEMENT, MOBILIZED, PLAN
from test_indicators_criteria import ROWS
from test_indicators_fixtures import C1, C2, C3, C4, COMMUNES_IN_SCOPE, dataset
from test_indicators_nra import RECOGNITIONS
from test_indicators_ocop import ENTITIES, PRODUCTS, REGISTRATIONS

import nrd.indicators as ind
from nrd.errors import UnknownNameError


@pytest.fixture(scope="module")
def ds():
    return dataset(criteria_status=ROWS, recognitions=RECOGNITIONS, ocop_products=PRODUCTS, ocop_entities=ENTITIES,
                   ocop_registrations=REGISTRATIONS, capital_plan=PLAN, capital_disbursement=DISBURSEMENT,
                   capital_mobilized=MOBILIZED)


def test_commune_levels_and_history(ds):
    levels = ind.commune_levels(ds, "2025-09").set_index("unit_code")
    assert len(levels) == COMMUNES_IN_SCOPE
    assert levels.loc[C1, "level_name"] == "model" and levels.loc[C4, "level"] == 0
    history = ind.level_history(ds, ["2025-10", "2025-08"])
    assert list(history["period"]) == ["2025-08", "2025-10"]
    assert list(history["advanced"]) == [1, 2]  # C3 advanced from 2025-10-01
    assert list(history["model"]) == [0, 1]


def test_criteria_matrix_marks_stale_and_missing(ds):
    matrix = ind.criteria_matrix(ds, "2025-09").set_index(["unit_code", "criterion"])
    assert len(matrix) == COMMUNES_IN_SCOPE * 19
    assert matrix.loc[(C2, "1"), "submission_period"] == "2025-07" and matrix.loc[(C2, "1"), "stale"]
    assert not matrix.loc[(C1, "1"), "stale"]
    assert matrix.loc[(C4, "1"), "status"] == "missing"
    dist = ind.criteria_met_distribution(ds, "2025-09").set_index("criteria_met")["communes"]
    assert (dist[14], dist[18], dist[19], dist.sum()) == (1, 1, 1, 3)


def test_department_view(ds):
    view = ind.department_view(ds, "2025-09", "bchqs")
    assert list(view.criteria["criterion"]) == ["19"]
    assert (view.criteria["met"].iloc[0], view.criteria["reporting"].iloc[0]) == (1, 3)
    lagging = view.lagging.set_index("unit_code")
    assert lagging.loc[C3, "status"] == "basically_met" and lagging.loc[C2, "stale"]
    assert lagging.loc[C4, "status"] == "missing"
    assert C1 not in lagging.index
    assert len(lagging) == COMMUNES_IN_SCOPE - 1  # every commune but C1
    with pytest.raises(UnknownNameError):
        ind.department_view(ds, "2025-09", "so_nope")


def test_watch_lists(ds):
    watch = ind.watch_lists(ds, "2025-09")
    lost = watch["lost_criteria"]
    # C2: 2025-06 met 1-16, 2025-07 met 1-14 -> lost 15 and 16. C1: 2025-08 -> 2025-09 only gains.
    assert list(zip(lost["unit_code"], lost["criterion"])) == [(C2, "15"), (C2, "16")]
    assert set(watch["ocop_expiring"]["product_id"]) == {"P1", "P3"}
    assert list(watch["ocop_expiring"]["days_left"]) == [1, 1]  # 2025-10-01 - 2025-09-30
    missing = watch["missing_submissions"].set_index("unit_code")
    assert len(missing) == COMMUNES_IN_SCOPE - 2  # C1 and C3 submitted for 2025-09
    assert missing.loc[C2, "last_submission"] == "2025-07"
    behind = watch["capital_behind"]
    # Pace at 2025-09: 95 × 9/12 = 71.25 %. Lines: province 250/500 = 50, C1 150/300 = 50, C2 40/100 = 40.
    assert list(behind["rate"]) == [40.0, 50.0, 50.0]


def test_products_views_have_no_personal_columns(ds):
    products = ind.active_products(ds, "2025-09")
    assert set(products["product_id"]) == {"P1", "P3", "P5", "P6"}
    assert not {"phone", "representative"} & set(products.columns)
    assert products.set_index("product_id").loc["P5", "stars"] == 4
    new = ind.ocop_new_recognitions(ds, "2025-09")
    assert list(new["product_id"]) == ["P6"]
    stages = ind.registrations_by_stage(ds, "2025-09").set_index("stage")["registrations"]
    assert (stages["evaluated"], stages["submitted"], stages["registered"]) == (1, 1, 0)


def test_capital_views(ds):
    position = ind.capital_position(ds, "2026-01").set_index(["year", "source"])
    # Plan year 2025 as of 2026-01 includes the January rows: central_investment 480 + 300 of 500 + 300.
    assert position.loc[(2025, "central_investment"), "disbursed_mvnd"] == 780
    assert position.loc[(2025, "central_investment"), "plan_mvnd"] == 800
    assert position.loc[(2026, "central_investment"), "plan_mvnd"] == 800
    pace = ind.disbursement_pace(ds, "2025-09")
    assert list(pace["period"]) == [f"2025-{m:02d}" for m in range(1, 10)]
    assert list(pace["disbursed_mvnd"])[4:9] == [40, 140, 140, 290, 440]  # 40; +100; ; 250+40; +150
    assert pace["target_rate"].iloc[-1] == pytest.approx(71.25)
    mob = ind.mobilized_by_source(ds, "2025-09").set_index("source")
    assert mob.loc["credit", "cumulative_mvnd"] == 1500 and mob.loc["community", "stale"]


def test_commune_profile(ds):
    profile = ind.commune_profile(ds, "2025-09", C2)
    assert profile.level == 1 and len(profile.level_history) == 12
    crit = profile.criteria.set_index("criterion")
    assert crit.loc["15", "status"] == "not_met" and crit.loc["15", "trend"] == "down"  # met in 2025-06
    assert crit.loc["1", "trend"] == "same"
    assert list(profile.lacking["criterion"]) == ["15", "16", "17", "18", "19"]
    assert list(profile.products["product_id"]) == ["P5"]
    assert list(profile.capital["source"]) == ["local_budget"]
    with pytest.raises(UnknownNameError):
        ind.commune_profile(ds, "2025-09", "99999")


def test_quality_views(ds):
    grid = ind.submission_grid(ds, ["2025-08", "2025-09"]).set_index(["unit_code", "period"])
    assert grid.loc[(C1, "2025-08"), "submitted"] and grid.loc[(C1, "2025-09"), "months_since"] == 0
    assert grid.loc[(C2, "2025-09"), "months_since"] == 2  # last submission 2025-07
    assert pd.isna(grid.loc[(C4, "2025-09"), "months_since"])
    stale = ind.stale_counts(ds, "2025-09").set_index("criterion")
    assert stale.loc["1", "stale"] == 1 and stale.loc["1", "missing"] == COMMUNES_IN_SCOPE - 3


def test_value_outliers():
    rows = [dict(period="2025-09", unit_code=c, criterion="10", status="met", value=v)
            for c, v in ((C1, 60.0), (C2, 61.0), (C3, 62.0), (C4, 600.0))]
    out = ind.value_outliers(dataset(criteria_status=rows), "2025-09")
    assert list(out["unit_code"]) == [C4]  # median 61.5, MAD 1.0 -> z(600) = 0.6745 × 538.5 ≫ 3.5


def test_ocop_views_by_unit_and_entity_type_count_every_active_product(ds):
    active = ind.active_products(ds, "2025-09")
    by_unit = ind.ocop_by_unit(active)
    assert by_unit["products"].sum() == active["product_id"].nunique() > 0
    assert list(by_unit["products"]) == sorted(by_unit["products"], reverse=True)
    assert (by_unit["high"] <= by_unit["products"]).all()
    assert by_unit["high"].sum() == active.loc[active["stars"] >= 4, "product_id"].nunique()
    by_type = ind.ocop_by_entity_type(active)
    assert by_type["products"].sum() == active["product_id"].nunique()
    assert by_type["entities"].sum() == active["entity_id"].nunique()

"""The vectorised engine (``grid``) against the per-period reference, and the below-15 rule."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_indicators_fixtures import C1, C2, C3, WARD, criteria_rows, dataset

from nrd import periods
from nrd.indicators import build_indicator_table, compute_indicators
from nrd.indicators.table import reference_indicator_table
from nrd.indicators.timeline import criteria_set_for
from nrd.io import read_dataset

UNITS = [C1, C2, C3, WARD]
DAY = st.dates(min_value=dt.date(2023, 6, 1), max_value=dt.date(2026, 8, 31))
PERIOD = st.sampled_from(periods.period_range("2024-10", "2026-04"))
SOURCES = ["central_investment", "local_budget"]

recognition = st.fixed_dictionaries({
    "unit_code": st.sampled_from(UNITS), "level": st.sampled_from(["nra", "advanced", "model"]),
    "decision_no": st.just("QĐ"), "decision_date": DAY, "revoked_on": st.one_of(st.none(), DAY),
})
# Duplicate recognition dates of one product are allowed: the engine must break ties as the reference does.
product = st.fixed_dictionaries({
    "product_id": st.sampled_from(["P1", "P2", "P3", "P4"]), "product_name": st.just("x"),
    "entity_id": st.sampled_from(["E1", "E2"]), "unit_code": st.sampled_from(UNITS), "group": st.integers(1, 6),
    "score": st.just(60.0), "stars": st.integers(3, 5), "recognized_on": DAY, "decision_no": st.just("QĐ"),
    "expires_on": st.one_of(st.none(), DAY), "revoked_on": st.one_of(st.none(), DAY),
})
status = st.fixed_dictionaries({
    "period": PERIOD, "unit_code": st.sampled_from(UNITS), "criterion": st.sampled_from([str(n) for n in range(1, 21)]),
    "status": st.sampled_from(["met", "basically_met", "not_met"]),
})
registration = st.fixed_dictionaries({
    "registration_id": st.sampled_from(["R1", "R2", "R3", "R4"]), "product_name": st.just("x"),
    "entity_id": st.just("E1"), "unit_code": st.sampled_from(UNITS), "cycle": st.sampled_from([2025, 2026]),
    "registered_on": DAY, "stage": st.sampled_from(["registered", "submitted", "evaluated"]),
    "proposed_stars": st.one_of(st.none(), st.integers(3, 5)),
})
plan = st.fixed_dictionaries({
    "year": st.sampled_from([2024, 2025, 2026]), "source": st.sampled_from(SOURCES),
    "unit_code": st.sampled_from([C1, C2, None]), "amount_mvnd": st.floats(0, 1e6),
})
disbursement = st.fixed_dictionaries({
    "period": PERIOD, "year": st.sampled_from([2024, 2025, 2026]), "source": st.sampled_from(SOURCES),
    "unit_code": st.sampled_from([C1, C2, None]), "disbursed_mvnd": st.floats(0, 1e6),
})
mobilized = st.fixed_dictionaries({
    "period": PERIOD, "source": st.sampled_from(["credit", "enterprise", "community"]),
    "cumulative_mvnd": st.floats(0, 1e6),
})
organization = st.fixed_dictionaries({
    "period": PERIOD, "unit_code": st.sampled_from(UNITS), "steering_committee": st.booleans(),
    "nrd_officials": st.integers(0, 5),
})


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(recognition, max_size=10), st.lists(product, min_size=1, max_size=10),
       st.lists(status, min_size=1, max_size=40), st.lists(registration, min_size=1, max_size=6),
       st.lists(plan, min_size=1, max_size=6), st.lists(disbursement, min_size=1, max_size=10),
       st.lists(mobilized, min_size=1, max_size=6), st.lists(organization, min_size=1, max_size=8),
       st.lists(PERIOD, min_size=1, max_size=4))
def test_vectorised_engine_equals_the_per_period_reference(
    recognitions, products, statuses, registrations, plans, disbursements, mobilizations, organizations, wanted
):
    ds = dataset(
        recognitions=recognitions, ocop_products=products, criteria_status=statuses,
        ocop_registrations=registrations, capital_plan=plans, capital_disbursement=disbursements,
        capital_mobilized=mobilizations, organization=organizations,
    )
    fast = build_indicator_table(ds, wanted)
    reference = reference_indicator_table(ds, wanted)
    assert len(fast) > 0
    pd.testing.assert_frame_equal(fast, reference, check_exact=True)


@pytest.fixture(scope="module")
def demo():
    return read_dataset(periods.__file__.rsplit("/lib/", 1)[0] + "/data/demo")


def test_demo_table_equals_the_reference(demo):
    # Every 5th month plus the months around the change of criteria set (the reference is slow).
    months = demo.periods
    wanted = sorted(set(months[::5]) | {m for m in months if "2025-12" <= m <= "2026-03"} | {months[-1]})
    fast = build_indicator_table(demo, wanted)
    assert sorted(fast["period"].unique()) == wanted
    pd.testing.assert_frame_equal(fast, reference_indicator_table(demo, wanted), check_exact=True)


def test_one_period_is_the_slice_of_the_multi_period_table(demo):
    period = demo.latest_period
    many = build_indicator_table(demo, [periods.shift_period(period, -1), period])
    one = compute_indicators(demo, period)
    pd.testing.assert_frame_equal(one, many[many["period"] == period].reset_index(drop=True))


def test_below_15_only_under_a_set_of_at_least_15_criteria():
    old, new = "2025-12", "2026-03"
    assert len(criteria_set_for(old).criteria) >= 15 > len(criteria_set_for(new).criteria)
    old_criteria = [str(c).strip() for c in criteria_set_for(old).criteria["criterion"]]
    new_criteria = [str(c).strip() for c in criteria_set_for(new).criteria["criterion"]]
    ds = dataset(criteria_status=criteria_rows(old, C1, old_criteria[:14], old_criteria[14:])
                 + criteria_rows(old, C2, old_criteria, [])
                 + criteria_rows(new, C1, new_criteria, []))
    table = build_indicator_table(ds, [old, new])
    below = table[table["indicator"] == "criteria.below_15"]
    assert below["period"].tolist() == [old]
    assert below["value"].tolist() == [1.0]
    for frame in (reference_indicator_table(ds, [new]), compute_indicators(ds, new)):
        assert not (frame["indicator"] == "criteria.below_15").any()
        assert (frame["indicator"] == "criteria.all_met").any()


def test_docs_indicators_md_is_generated_from_the_catalog():
    from nrd.indicators import CATALOG, catalog_markdown

    page = (Path(periods.__file__).resolve().parents[2] / "docs" / "indicators.md").read_text(encoding="utf-8")
    assert page == catalog_markdown(), "docs/indicators.md is stale: regenerate it (command at its top)"
    for indicator in CATALOG.values():
        assert f"| `{indicator.id}` |" in page and indicator.label["vi"].split("{")[0] in page

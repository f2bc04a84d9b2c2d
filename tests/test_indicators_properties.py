"""Invariants of the indicator table on generated datasets (hypothesis)."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_indicators_fixtures import C1, C2, C3, C4, WARD, dataset

from nrd.indicators import compute_indicators

UNITS = [C1, C2, C3, C4, WARD]
DAY = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2026, 6, 30))

recognition = st.fixed_dictionaries({
    "unit_code": st.sampled_from(UNITS), "level": st.sampled_from(["nra", "advanced", "model"]),
    "decision_no": st.just("QĐ"), "decision_date": DAY,
    "revoked_on": st.one_of(st.none(), DAY),
})
product = st.fixed_dictionaries({
    "product_id": st.sampled_from([f"P{i}" for i in range(8)]), "product_name": st.just("x"),
    "entity_id": st.sampled_from(["E1", "E2", "E3"]), "unit_code": st.sampled_from(UNITS),
    "group": st.integers(1, 6), "score": st.just(60.0), "stars": st.integers(3, 5), "recognized_on": DAY,
    "decision_no": st.just("QĐ"), "expires_on": st.one_of(st.none(), DAY), "revoked_on": st.one_of(st.none(), DAY),
})
status = st.fixed_dictionaries({
    "period": st.sampled_from(["2025-07", "2025-08", "2025-09"]), "unit_code": st.sampled_from(UNITS),
    "criterion": st.sampled_from([str(n) for n in range(1, 20)]),
    "status": st.sampled_from(["met", "basically_met", "not_met"]),
})
plan = st.fixed_dictionaries({
    "year": st.just(2025), "source": st.sampled_from(["central_investment", "local_budget"]),
    "unit_code": st.sampled_from([C1, C2, None]), "amount_mvnd": st.floats(0, 1e6),
})
disb = st.fixed_dictionaries({
    "period": st.sampled_from(["2025-03", "2025-09"]), "year": st.just(2025),
    "source": st.sampled_from(["central_investment", "local_budget"]),
    "unit_code": st.sampled_from([C1, C2, None]), "disbursed_mvnd": st.floats(0, 1e6),
})


def _unique(rows, key):
    seen, out = set(), []
    for r in rows:
        k = tuple(r[c] for c in key)
        if k not in seen:
            seen.add(k)
            out.append(r)
    return out


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(recognition, min_size=1, max_size=12), st.lists(product, min_size=1, max_size=12),
       st.lists(status, min_size=1, max_size=40), st.lists(plan, min_size=1, max_size=6),
       st.lists(disb, min_size=1, max_size=6))
def test_invariants(recognitions, products, statuses, plans, disbursements):
    ds = dataset(
        recognitions=_unique(recognitions, ["unit_code", "level", "decision_date"]),
        ocop_products=_unique(products, ["product_id", "recognized_on"]),
        criteria_status=_unique(statuses, ["period", "unit_code", "criterion"]),
        capital_plan=_unique(plans, ["source", "unit_code"]),
        capital_disbursement=_unique(disbursements, ["period", "source", "unit_code"]),
    )
    table = compute_indicators(ds, "2025-09")
    shares = table[table["denominator"].notna() & ~table["indicator"].str.startswith(("criteria.avg", "capital."))]
    assert shares["value"].dropna().between(0, 100).all()
    assert (shares["numerator"] <= shares["denominator"]).all()
    assert (table["numerator"].dropna() >= 0).all()
    p = table[table["unit_code"] == "37"].set_index("indicator")["value"]
    assert p["nra.recognized"] >= p["nra.advanced"] >= p["nra.model"] >= 0
    assert p["nra.recognized"] + p["nra.not_recognized"] == p["nra.communes_in_scope"]
    by_star = p["ocop.products_active_3star"] + p["ocop.products_active_4star"] + p["ocop.products_active_5star"]
    assert by_star == p["ocop.products_active"]
    units = table[(table["indicator"] == "ocop.products_active") & (table["unit_code"] != "37")]
    assert units["value"].sum() == p["ocop.products_active"]
    assert p["ocop.entities_active"] <= p["ocop.products_active"]
    assert p["ocop.products_expiring_180d"] <= p["ocop.products_active"]
    levels = table[table["indicator"] == "nra.level"]["value"]
    assert levels.isin([0, 1, 2, 3]).all() and (levels >= 1).sum() == p["nra.recognized"]
    # a share is its numerator over its denominator, in percent, wherever the denominator is not zero
    counted = shares[(shares["denominator"] > 0) & shares["indicator"].str.endswith("_share")]
    assert not counted.empty  # nra.recognized_share always has the communes in scope as denominator
    assert (counted["value"] - 100 * counted["numerator"] / counted["denominator"]).abs().max() < 1e-6
    assert not table.duplicated(["indicator", "unit_code", "period"]).any()

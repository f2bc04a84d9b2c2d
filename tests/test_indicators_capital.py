"""Capital: additive province/commune rows, plan year vs as-of month, January of the next year, mobilisation."""

from __future__ import annotations

import pytest
from test_indicators_fixtures import C1, C2, C3, WARD, close, dataset, row, value

from nrd.indicators import compute_indicators

PLAN = [
    dict(year=2021, source="central_investment", amount_mvnd=1000),  # province-held
    dict(year=2023, source="central_recurrent", unit_code=C1, amount_mvnd=200),
    dict(year=2025, source="central_investment", amount_mvnd=500),  # province-held ...
    dict(year=2025, source="central_investment", unit_code=C1, amount_mvnd=300),  # ... plus a commune line
    dict(year=2025, source="local_budget", unit_code=C2, amount_mvnd=100),
    dict(year=2025, source="credit", amount_mvnd=9999),  # not state budget
    dict(year=2026, source="central_investment", amount_mvnd=800),
]
DISBURSEMENT = [
    dict(period="2025-06", year=2025, source="central_investment", disbursed_mvnd=100),
    dict(period="2025-08", year=2025, source="central_investment", disbursed_mvnd=250),
    dict(period="2025-09", year=2025, source="central_investment", unit_code=C1, disbursed_mvnd=150),
    dict(period="2025-05", year=2025, source="local_budget", unit_code=C2, disbursed_mvnd=40),
    dict(period="2025-09", year=2025, source="credit", disbursed_mvnd=5000),
    # January of the next year: still plan year 2025.
    dict(period="2026-01", year=2025, source="central_investment", disbursed_mvnd=480),
    dict(period="2026-01", year=2025, source="central_investment", unit_code=C1, disbursed_mvnd=300),
]
MOBILIZED = [
    dict(period="2025-06", source="credit", cumulative_mvnd=1000),
    dict(period="2025-09", source="credit", cumulative_mvnd=1500),
    dict(period="2025-03", source="community", cumulative_mvnd=200),
    dict(period="2025-10", source="credit", cumulative_mvnd=2000),
]
ORGANIZATION = [
    dict(period="2025-06", unit_code=C1, steering_committee="yes", nrd_officials=2),
    dict(period="2025-09", unit_code=C1, steering_committee="no", nrd_officials=1),  # latest says no
    dict(period="2025-01", unit_code=C2, steering_committee="yes", nrd_officials=1),
    dict(period="2025-10", unit_code=C3, steering_committee="yes", nrd_officials=1),  # after P
    dict(period="2025-01", unit_code=WARD, steering_committee="yes", nrd_officials=1),  # a ward
]


@pytest.fixture(scope="module")
def ds():
    return dataset(capital_plan=PLAN, capital_disbursement=DISBURSEMENT, capital_mobilized=MOBILIZED,
                   organization=ORGANIZATION)


@pytest.fixture(scope="module")
def sep(ds):
    return compute_indicators(ds, "2025-09")


def test_central_allocated_2021_2025(sep):
    assert value(sep, "capital.central_allocated_2021_2025") == 2000  # 1000 + 200 + 500 + 300


def test_plan_and_disbursement_of_the_year_are_additive(sep):
    assert value(sep, "capital.plan_year") == 900  # 500 (province) + 300 (C1) + 100 (C2); credit excluded
    assert value(sep, "capital.disbursed_year") == 440  # latest per series: 250 + 150 + 40
    v, n, d = row(sep, "capital.disbursement_rate_year")
    assert (n, d) == (440, 900) and close(v, 44000 / 900)


def test_commune_disbursement_rates(sep):
    assert row(sep, "capital.disbursement_rate_year", C1) == (50.0, 150.0, 300.0)  # 150 / 300
    assert row(sep, "capital.disbursement_rate_year", C2) == (40.0, 40.0, 100.0)  # 40 / 100
    commune_rows = sep[(sep["indicator"] == "capital.disbursement_rate_year") & (sep["unit_code"] != "37")]
    assert set(commune_rows["unit_code"]) == {C1, C2}


def test_january_disbursement_counts_for_the_previous_plan_year(ds):
    jan = compute_indicators(ds, "2026-01")
    assert value(jan, "capital.plan_year") == 800  # plan year 2026
    assert value(jan, "capital.disbursed_year") == 0  # nothing disbursed yet for 2026
    v, n, d = row(jan, "capital.disbursement_rate_prev_year")
    assert (n, d) == (820, 900) and close(v, 82000 / 900)  # 2025 as of 2026-01: 480 + 300 + 40
    dec = compute_indicators(ds, "2025-12")
    assert value(dec, "capital.disbursed_year") == 440  # the January rows are not visible in December


def test_mobilized_cumulative(sep):
    assert value(sep, "capital.mobilized_cumulative") == 1700  # credit 1500 (2025-09) + community 200


def test_steering_committee_share(sep):
    v, n, d = row(sep, "org.steering_committee_share")
    assert (n, d) == (1, 97) and close(v, 100 / 97)  # C2 only: C1's latest says no, C3 after P, ward out

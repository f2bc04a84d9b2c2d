"""Headline sets: which indicators a report puts in its headline table, and the rows of that table.

A report kind names its set (``nrd.reports.ReportKind.headlines``: ``province``, ``commune``, ``ocop``,
``capital``, ``quality``); ``headline_ids(set_name, period)`` resolves the name to indicator ids. Today a set
is the same whatever the period; the period is part of the signature so a set can follow the criteria set
in force.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from nrd.contract import DEFAULT_PROVINCE
from nrd.errors import UnknownNameError

PROVINCE_HEADLINES = (
    "nra.communes_in_scope", "nra.recognized_share", "nra.advanced_share", "nra.model_share",
    "criteria.avg_met", "criteria.all_met", "criteria.below_15", "criteria.reporting_completeness",
    "ocop.products_active", "ocop.products_expiring_180d", "capital.plan_year", "capital.disbursed_year",
    "capital.disbursement_rate_year", "capital.mobilized_cumulative", "org.steering_committee_share",
)
COMMUNE_HEADLINES = ("nra.level", "criteria.met_count", "ocop.products_active", "capital.disbursement_rate_year")
OCOP_HEADLINES = ("ocop.products_active", "ocop.products_active_3star", "ocop.products_active_4star",
                  "ocop.products_active_5star", "ocop.entities_active", "ocop.products_expiring_180d",
                  "ocop.registrations_cycle", "ocop.registrations_pending", "ocop.registrations_5star_proposed")
CAPITAL_HEADLINES = ("capital.central_allocated_2021_2025", "capital.plan_year", "capital.disbursed_year",
                     "capital.disbursement_rate_year", "capital.disbursement_rate_prev_year",
                     "capital.mobilized_cumulative")
QUALITY_HEADLINES = ("nra.communes_in_scope", "criteria.reporting_completeness")

HEADLINE_SETS = {
    "province": PROVINCE_HEADLINES,
    "commune": COMMUNE_HEADLINES,
    "ocop": OCOP_HEADLINES,
    "capital": CAPITAL_HEADLINES,
    "quality": QUALITY_HEADLINES,
}


def headline_ids(set_name: str, period: str) -> tuple[str, ...]:
    """The indicator ids of the headline set ``set_name`` for a report of ``period``, in display order.

    Raises:
        UnknownNameError: no headline set has that name.
    """
    del period  # the sets do not depend on the period yet
    try:
        return HEADLINE_SETS[set_name]
    except KeyError:
        raise UnknownNameError("headline set", set_name, list(HEADLINE_SETS)) from None


def headlines(table: pd.DataFrame, period: str, indicators: Sequence[str] = PROVINCE_HEADLINES, *,
              unit_code: str | None = None, province_code: str = DEFAULT_PROVINCE, targets=None) -> pd.DataFrame:
    """The headline rows of ``unit_code`` (default: the province) at ``period``, in ``indicators`` order.

    Columns: indicator, value, numerator, denominator, delta (vs P-1), delta_year (vs P-12), target, status
    (``nrd.indicators.compare``). Indicators absent from the table are left out.
    """
    from nrd.indicators.targets import compare
    from nrd.reference.units import normalize_unit_code

    unit = normalize_unit_code(unit_code) if unit_code else str(province_code)
    compared = compare(table, period, targets)
    compared = compared[compared["unit_code"] == unit]
    now = table[(table["period"] == period) & (table["unit_code"] == unit)][["indicator", "numerator", "denominator"]]
    rows = compared.merge(now, on="indicator", how="left").rename(columns={"delta_month": "delta"})
    order = {name: i for i, name in enumerate(indicators)}
    rows = rows[rows["indicator"].isin(order)]
    return rows.assign(_order=rows["indicator"].map(order)).sort_values("_order").drop(columns="_order") \
        .reset_index(drop=True)

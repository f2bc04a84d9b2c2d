"""Which indicators a report leads with, by headline set and period.

The choice follows the criteria set in force at the period (reference data, never a date in code): in the
first phase the reports lead with the recognition tiers of that phase (NRA, advanced, model); once a later
set is in force, they lead with the current phase — communes meeting every criterion of the set in force,
communes recognised under it, and its further tiers as the set's file declares them (``tiers``, e.g. the
modern pilot) — and the previous phase's tiers move to a block of their own (``previous_phase``).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from nrd.contract import DEFAULT_PROVINCE
from nrd.errors import UnknownNameError

SET_NAMES = ("province", "commune", "ocop", "capital", "quality", "phase", "previous_phase", "front", "works",
             "appraisal")
# The sets by name, for callers that name a set rather than list its ids (``headlines(table, period, OCOP_HEADLINES)``).
PROVINCE_HEADLINES = "province"
COMMUNE_HEADLINES = "commune"
OCOP_HEADLINES = "ocop"
CAPITAL_HEADLINES = "capital"
QUALITY_HEADLINES = "quality"
#: The publication's front page (index): the state of the programme, one line per figure.
FRONT_HEADLINES = "front"

_PROVINCE_REST = (
    "ocop.products_active", "ocop.products_expiring_180d", "capital.plan_year", "capital.disbursed_year",
    "capital.disbursement_rate_year", "capital.mobilized_cumulative", "org.steering_committee_share",
)
_FIRST_PHASE_COMMUNE = ("nra.level", "criteria.met_count", "ocop.products_active", "capital.disbursement_rate_year")
_LATER_PHASE_COMMUNE = ("criteria.met_count", "ocop.products_active", "capital.disbursement_rate_year",
                        "projects.overdue", "appraisal.open", "inspections.actions_open")
_FIXED = {
    "ocop": ("ocop.products_active", "ocop.products_active_3star", "ocop.products_active_4star",
             "ocop.products_active_5star", "ocop.entities_active", "ocop.products_expiring_180d",
             "ocop.registrations_cycle", "ocop.registrations_pending", "ocop.registrations_5star_proposed"),
    "capital": ("capital.central_allocated_2021_2025", "capital.plan_year", "capital.disbursed_year",
                "capital.disbursement_rate_year", "capital.disbursement_rate_prev_year",
                "capital.mobilized_cumulative"),
    "quality": ("nra.communes_in_scope", "criteria.reporting_completeness"),
    "works": ("projects.total", "projects.completed", "projects.overdue", "projects.disbursed_share"),
    "appraisal": ("appraisal.open", "appraisal.open_over_60d", "appraisal.approved_year", "inspections.visits_year",
                  "inspections.units_visited_year", "inspections.actions_open", "inspections.actions_overdue"),
}


_FRONT_REST = ("ocop.products_active", "ocop.five_star_candidates", "capital.disbursement_rate_year",
               "projects.overdue", "appraisal.open", "inspections.actions_overdue")


def _sets(period: str):
    from nrd.reference import criteria_set_for, previous_criteria_set

    current = criteria_set_for(period)
    return current, previous_criteria_set(current.id)


def tier_indicators(criteria_set, *, current: bool) -> tuple[str, ...]:
    """The share indicator of each recognition tier of ``criteria_set`` (its file's ``tiers``).

    ``current``: the set in force, so ``nra`` counts recognitions under this set
    (``nra.recognized_phase_share``); a past phase counts levels held (``nra.recognized_share``). Other
    tiers are ``nra.<tier>_share`` (advanced, model, modern).
    """
    ids = []
    for tier in criteria_set.tiers:
        if tier == "nra":
            ids.append("nra.recognized_phase_share" if current else "nra.recognized_share")
        else:
            ids.append(f"nra.{tier}_share")
    return tuple(ids)


def is_later_phase(period: str) -> bool:
    """Whether ``period`` falls under a criteria set that followed another (a phase after the first)."""
    return _sets(period)[1] is not None


def headline_ids(set_name: str, period: str) -> tuple[str, ...]:
    """The indicator ids of headline set ``set_name`` at ``period``, in display order.

    Sets: ``province``, ``commune``, ``ocop``, ``capital``, ``quality``, ``works``, ``appraisal``, ``front`` (the
    index page); ``phase`` (the recognition tiers
    of the set in force) and ``previous_phase`` (those of the phase before it; empty in the first phase).

    Raises:
        UnknownNameError: ``set_name`` is not a headline set. PeriodError: ``period`` is not a month, or
            no criteria set covers it (for the sets that depend on the phase).
    """
    if set_name in _FIXED:
        return _FIXED[set_name]
    if set_name not in SET_NAMES:
        raise UnknownNameError("headline set", set_name, list(SET_NAMES))
    current, previous = _sets(period)
    if set_name == "phase":
        return tier_indicators(current, current=previous is not None)
    if set_name == "previous_phase":
        return () if previous is None else tier_indicators(previous, current=False)
    if set_name == "commune":
        return _FIRST_PHASE_COMMUNE if previous is None else _LATER_PHASE_COMMUNE
    if set_name == "front":
        if previous is None:
            return ("nra.communes_in_scope", *tier_indicators(current, current=False), "criteria.avg_met",
                    *_FRONT_REST)
        return ("criteria.all_met_share", *tier_indicators(current, current=True), "criteria.avg_met", *_FRONT_REST)
    if previous is None:
        lead = ("nra.communes_in_scope", *tier_indicators(current, current=False), "criteria.avg_met",
                "criteria.all_met", "criteria.below_15", "criteria.reporting_completeness")
        return lead + _PROVINCE_REST
    lead = ("nra.communes_in_scope", "criteria.all_met_share", *tier_indicators(current, current=True),
            "criteria.avg_met", "criteria.reporting_completeness")
    return lead + _PROVINCE_REST


def headlines(table: pd.DataFrame, period: str, indicators: Sequence[str] | str = PROVINCE_HEADLINES, *,
              unit_code: str | None = None, province_code: str = DEFAULT_PROVINCE, targets=None) -> pd.DataFrame:
    """The headline rows of ``unit_code`` (default: the province) at ``period``, in ``indicators`` order
    (indicator ids, or the name of a headline set, resolved by ``headline_ids``).

    Columns: indicator, value, numerator, denominator, delta (vs P-1), delta_year (vs P-12), target, status
    (``nrd.indicators.compare``). Indicators absent from the table are left out.
    """
    from nrd.indicators.targets import compare
    from nrd.reference.units import normalize_unit_code

    if isinstance(indicators, str):
        indicators = headline_ids(indicators, period)
    unit = normalize_unit_code(unit_code) if unit_code else str(province_code)
    table = table[table["unit_code"] == unit]  # compare() is per unit: the others' rows are not needed
    compared = compare(table, period, targets)
    now = table[table["period"] == period][["indicator", "numerator", "denominator"]]
    rows = compared.merge(now, on="indicator", how="left").rename(columns={"delta_month": "delta"})
    order = {name: i for i, name in enumerate(indicators)}
    rows = rows[rows["indicator"].isin(order)]
    return rows.assign(_order=rows["indicator"].map(order)).sort_values("_order").drop(columns="_order") \
        .reset_index(drop=True)

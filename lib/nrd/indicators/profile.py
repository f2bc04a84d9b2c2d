"""One commune's profile: level history, criteria status and trend, what it lacks, OCOP, capital lines."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from nrd import periods
from nrd.errors import UnknownNameError
from nrd.indicators.capital import plan_year_position
from nrd.indicators.context import PeriodContext, prepare
from nrd.indicators.unit_rows import unit_rows
from nrd.indicators.criteria import criteria_status_at
from nrd.indicators.nra import LEVEL_NAMES, unit_levels

#: Compute the profile from the unit's own rows (False: from the province-wide intermediates of
#: ``PeriodContext``, filtered to the unit — the reference ``tests/test_indicators_profile_unit.py``
#: compares with). At national scale the province-wide status and the 12 months of levels are computed for
#: 3,000 communes to keep one; every step involved is per unit (latest row per unit and criterion, highest
#: level per unit), so the unit's rows alone give the same frames.
_PER_UNIT = True


@dataclass(frozen=True)
class CommuneProfile:
    unit_code: str
    name: str
    period: str
    level: int
    level_history: pd.DataFrame  # period, level (the 12 months to P)
    criteria: pd.DataFrame  # criterion, name_vi, status, previous_status, trend, submission_period, stale
    lacking: pd.DataFrame  # criteria not met (what the commune lacks under the set in force)
    products: pd.DataFrame  # its active OCOP products with expiry
    capital: pd.DataFrame  # its capital lines of the plan year


def commune_profile(ds, period: str, unit_code: str, history_months: int = 12) -> CommuneProfile:
    """The profile of ``unit_code`` at P.

    Raises:
        UnknownNameError: ``unit_code`` is not a unit of the dataset's province.
    """
    prepared = prepare(ds)
    units = prepared.units.set_index("unit_code")
    if unit_code not in units.index:
        raise UnknownNameError("unit", unit_code)
    ctx = prepared.context(period)
    months = periods.period_range(periods.shift_period(ctx.period, -(history_months - 1)), ctx.period)
    status_rows = _own_rows(prepared.get("criteria_status"), unit_code)
    if _PER_UNIT:
        scope = prepared.commune_codes[prepared.commune_codes == unit_code]
        recognitions = _own_rows(prepared.get("recognitions"), unit_code)
        levels = unit_levels(recognitions, unit_code, months) if len(scope) else [0] * len(months)
    else:
        levels = [int(PeriodContext(prepared, m).levels.get(unit_code, 0)) for m in months]
    history = pd.DataFrame({"period": months, "level": levels})
    history = history.assign(level_name=history["level"].map(LEVEL_NAMES))
    names = ctx.criteria_set.criteria.assign(criterion=lambda f: f["criterion"].astype("str").str.strip())
    if _PER_UNIT and status_rows is not None and len(status_rows):
        # (no rows at all: criteria_status_at's own empty frame has other dtypes than a filtered one)
        mine = criteria_status_at(status_rows, scope, ctx.period, ctx.criteria_set.id, ctx.criteria_list)
    else:
        mine = ctx.criteria_status[ctx.criteria_status["unit_code"] == unit_code]
    criteria = names[["criterion", "name_vi", "name_en", "name_fr"]].merge(
        mine[["criterion", "status", "value", "period", "stale"]], on="criterion", how="left")
    previous = _previous_status(ctx, unit_code, status_rows if _PER_UNIT else None)
    criteria = criteria.merge(previous, on="criterion", how="left")
    criteria = criteria.assign(
        status=criteria["status"].fillna("missing"),
        trend=_trend(criteria["previous_status"], criteria["status"]),
    ).rename(columns={"period": "submission_period"})
    lacking = criteria[criteria["status"] != "met"].reset_index(drop=True)
    products = ctx.ocop_active if prepared.has("ocop_products") else pd.DataFrame(columns=["unit_code"])
    products = products[products["unit_code"] == unit_code]
    if len(products):
        products = products[["product_id", "product_name", "stars", "group", "recognized_on", "expires"]]
    capital = plan_year_capital(ctx) if prepared.has("capital_plan") else pd.DataFrame()
    if len(capital):
        capital = capital[capital["unit_code"] == unit_code].reset_index(drop=True)
    level = levels[-1] if _PER_UNIT else int(ctx.levels.get(unit_code, 0))  # the last month is P
    return CommuneProfile(unit_code, str(units.loc[unit_code, "name"]), ctx.period, level, history, criteria,
                          lacking, products.reset_index(drop=True), capital)


def plan_year_capital(ctx: PeriodContext) -> pd.DataFrame:
    """Every unit's plan-year capital position at P (``plan_year_position``), once per period context;
    each profile keeps its unit's lines."""
    prepared = ctx.prepared
    return ctx.memo("profile.plan_year_capital", lambda: plan_year_position(
        prepared.get("capital_plan"), prepared.get("capital_disbursement"), ctx.year, ctx.period,
        ctx.province_code))


def _own_rows(frame: pd.DataFrame | None, unit_code: str) -> pd.DataFrame | None:
    """The unit's rows of a prepared frame, in their order (one scan instead of one per view)."""
    return None if frame is None else unit_rows(frame, unit_code)


def _previous_status(ctx: PeriodContext, unit_code: str, rows: pd.DataFrame | None = None) -> pd.DataFrame:
    rows = ctx.prepared.get("criteria_status") if rows is None else rows
    empty = pd.DataFrame({"criterion": pd.Series(dtype="str"), "previous_status": pd.Series(dtype="str")})
    if rows is None:
        return empty
    own = unit_rows(rows, unit_code)
    mine = own[(own["criteria_set"] == ctx.criteria_set.id) & (own["period"] <= ctx.period)].sort_values(
        "period", kind="stable")
    earlier = mine.groupby("criterion").nth(-2) if len(mine) else mine
    if earlier.empty:
        return empty
    return earlier[["criterion", "status"]].rename(columns={"status": "previous_status"})


_RANK = {"not_met": 0, "missing": 0, "basically_met": 1, "met": 2}


def _trend(previous: pd.Series, current: pd.Series) -> pd.Series:
    before, now = previous.map(_RANK), current.map(_RANK)
    trend = pd.Series("same", index=current.index, dtype="str")
    trend[now > before] = "up"
    trend[now < before] = "down"
    trend[before.isna()] = "new"
    return trend

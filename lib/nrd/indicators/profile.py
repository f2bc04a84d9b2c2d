"""One commune's profile: level history, criteria status and trend, what it lacks, OCOP, capital lines."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from nrd import periods
from nrd.errors import UnknownNameError
from nrd.indicators.capital import plan_year_position
from nrd.indicators.context import PeriodContext, prepare
from nrd.indicators.nra import LEVEL_NAMES


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
    ctx = PeriodContext(prepared, period)
    months = periods.period_range(periods.shift_period(ctx.period, -(history_months - 1)), ctx.period)
    history = pd.DataFrame({
        "period": months,
        "level": [int(PeriodContext(prepared, m).levels.get(unit_code, 0)) for m in months],
    })
    history = history.assign(level_name=history["level"].map(LEVEL_NAMES))
    names = ctx.criteria_set.criteria.assign(criterion=lambda f: f["criterion"].astype("str").str.strip())
    mine = ctx.criteria_status[ctx.criteria_status["unit_code"] == unit_code]
    criteria = names[["criterion", "name_vi", "name_en", "name_fr"]].merge(
        mine[["criterion", "status", "value", "period", "stale"]], on="criterion", how="left")
    previous = _previous_status(ctx, unit_code)
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
    capital = plan_year_position(prepared.get("capital_plan"), prepared.get("capital_disbursement"), ctx.year,
                                 ctx.period, ctx.province_code) if prepared.has("capital_plan") else pd.DataFrame()
    if len(capital):
        capital = capital[capital["unit_code"] == unit_code].reset_index(drop=True)
    level = int(ctx.levels.get(unit_code, 0))
    return CommuneProfile(unit_code, str(units.loc[unit_code, "name"]), ctx.period, level, history, criteria,
                          lacking, products.reset_index(drop=True), capital)


def _previous_status(ctx: PeriodContext, unit_code: str) -> pd.DataFrame:
    rows = ctx.prepared.get("criteria_status")
    empty = pd.DataFrame({"criterion": pd.Series(dtype="str"), "previous_status": pd.Series(dtype="str")})
    if rows is None:
        return empty
    mine = rows[(rows["unit_code"] == unit_code) & (rows["criteria_set"] == ctx.criteria_set.id)
                & (rows["period"] <= ctx.period)].sort_values("period", kind="stable")
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

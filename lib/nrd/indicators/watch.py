"""Watch lists: what needs a phone call this month."""

from __future__ import annotations

import pandas as pd

from nrd.indicators import timeline
from nrd.indicators.capital import plan_year_position
from nrd.indicators.context import PeriodContext, prepare


def lost_criteria(ctx: PeriodContext) -> pd.DataFrame:
    """Communes whose latest submission no longer meets a criterion their previous submission met."""
    rows = ctx.prepared.get("criteria_status")
    columns = ["unit_code", "criterion", "previous_period", "period", "status"]
    if rows is None:
        return pd.DataFrame(columns=columns)
    pool = rows[(rows["criteria_set"] == ctx.criteria_set.id) & (rows["period"] <= ctx.period)
                & rows["unit_code"].isin(ctx.communes)]
    pool = pool.sort_values("period", kind="stable")
    last_two = pool.groupby(["unit_code", "criterion"], sort=False).tail(2)
    latest = last_two.drop_duplicates(["unit_code", "criterion"], keep="last")
    earlier = last_two.drop(latest.index)
    both = latest.merge(earlier, on=["unit_code", "criterion"], suffixes=("", "_previous"))
    lost = both[(both["status_previous"] == "met") & (both["status"] != "met")]
    lost = lost.rename(columns={"period_previous": "previous_period"})
    return lost[columns].sort_values(["unit_code", "criterion"]).reset_index(drop=True)


def ocop_expiring(ctx: PeriodContext, days: int | None = None) -> pd.DataFrame:
    """Active OCOP products whose certificate expires within ``days`` (180) after the end of P."""
    current = ctx.ocop_current
    soon = current[timeline.expiring_within_window(current, ctx.period, days)]
    out = soon[["product_id", "product_name", "entity_id", "unit_code", "stars", "expires"]]
    return out.assign(days_left=(soon["expires"] - ctx.end).dt.days).sort_values(["expires", "product_id"]) \
        .reset_index(drop=True)


def missing_submissions(ctx: PeriodContext) -> pd.DataFrame:
    """Communes in scope with no criteria submission for exactly P, with their last submission (any set)."""
    rows = ctx.prepared.get("criteria_status")
    last = rows[rows["period"] <= ctx.period].groupby("unit_code")["period"].max() if rows is not None else None
    submitted = set(rows.loc[rows["period"] == ctx.period, "unit_code"]) if rows is not None else set()
    missing = [c for c in ctx.communes if c not in submitted]
    names = ctx.prepared.units.set_index("unit_code")["name"]
    return pd.DataFrame({
        "unit_code": missing,
        "name": [names.get(c) for c in missing],
        "last_submission": [None if last is None else last.get(c) for c in missing],
    })


def capital_behind_pace(ctx: PeriodContext, target_rate: float = 95.0) -> pd.DataFrame:
    """Capital lines (source × unit, plan year = year of P) whose rate is below the linear pace to the target."""
    plan, disb = ctx.prepared.get("capital_plan"), ctx.prepared.get("capital_disbursement")
    if plan is None:
        return pd.DataFrame(columns=["source", "unit_code", "plan_mvnd", "disbursed_mvnd", "rate", "expected_rate"])
    pos = plan_year_position(plan, disb, ctx.year, ctx.period, ctx.province_code)
    pos = pos[pos["plan_mvnd"] > 0]
    expected = timeline.expected_pace_share(ctx.period, target_rate)
    pos = pos.assign(rate=pos["disbursed_mvnd"] / pos["plan_mvnd"] * 100, expected_rate=expected)
    behind = pos[pos["rate"] < expected]
    return behind[["source", "unit_code", "plan_mvnd", "disbursed_mvnd", "rate", "expected_rate"]] \
        .sort_values(["rate", "source", "unit_code"]).reset_index(drop=True)


def watch_lists(ds, period: str, *, target_rate: float = 95.0, expiry_days: int | None = None) -> dict:
    """The four watch lists of P: ``lost_criteria``, ``ocop_expiring``, ``missing_submissions``,
    ``capital_behind`` (each a frame; empty when its table is absent)."""
    ctx = prepare(ds).context(period)
    out = {"lost_criteria": lost_criteria(ctx), "missing_submissions": missing_submissions(ctx),
           "capital_behind": capital_behind_pace(ctx, target_rate)}
    if ctx.prepared.has("ocop_products"):
        out["ocop_expiring"] = ocop_expiring(ctx, expiry_days)
    else:
        out["ocop_expiring"] = pd.DataFrame(columns=["product_id", "product_name", "entity_id", "unit_code",
                                                     "stars", "expires", "days_left"])
    return out

"""What a process that forks report children computes once per period, before it forks (the ``nrd-fork``
engine's server): each child then finds it in ``prepare(ds).context(period)`` and the views' memos."""

from __future__ import annotations

from nrd.indicators.context import PeriodContext, Prepared
from nrd.indicators.profile import plan_year_capital


def warm_period(prepared: Prepared, period: str) -> PeriodContext:
    """Compute now the intermediates of ``period`` that most reports use: the criteria status, levels, met
    counts and current OCOP products of every commune, and the plan-year capital position."""
    ctx = prepared.context(period)
    for name in ("criteria_status", "levels", "met_counts", "ocop_active"):
        getattr(ctx, name)
    if prepared.has("capital_plan"):
        plan_year_capital(ctx)
    return ctx

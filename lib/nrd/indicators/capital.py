"""Capital: plan, disbursement (plan year vs as-of month) and mobilisation, and the capital.* indicators.

Capital rows are additive: a province-level row (blank unit_code) is capital held at province level, never
a total of the commune rows. In the line frames below such rows carry the province code.
"""

from __future__ import annotations

import pandas as pd

from nrd.contract import CENTRAL_SOURCES, STATE_BUDGET_SOURCES
from nrd.indicators import timeline
from nrd.indicators.catalog import Indicator, register, share_rows, value_rows

LINE_KEYS = ["source", "unit_code"]


def _lines(frame: pd.DataFrame, province_code: str) -> pd.DataFrame:
    if frame.empty or not frame["unit_code"].isna().any() and not (frame["unit_code"] == "").any():
        return frame
    return frame.assign(unit_code=frame["unit_code"].astype("str").fillna(province_code).replace("", province_code))


def plan_lines(plan: pd.DataFrame, year: int, province_code: str, sources=STATE_BUDGET_SOURCES) -> pd.DataFrame:
    """Plan amount per (source, unit_code) for ``year``."""
    rows = _lines(plan[(plan["year"] == year) & plan["source"].isin(sources)], province_code)
    return rows.groupby(LINE_KEYS, as_index=False)["amount_mvnd"].sum()


def disbursed_lines(
    disbursement: pd.DataFrame, year: int, period: str, province_code: str, sources=STATE_BUDGET_SOURCES
) -> pd.DataFrame:
    """Cumulative disbursement of plan ``year`` per (source, unit_code): each series' latest row ≤ ``period``.

    Carries ``period`` (the as-of month used) and ``stale`` (that month is before ``period``).
    """
    rows = _lines(disbursement[(disbursement["year"] == year) & disbursement["source"].isin(sources)], province_code)
    latest = timeline.latest_at(rows, period, LINE_KEYS)
    return latest[[*LINE_KEYS, "period", "disbursed_mvnd", "stale"]].sort_values(LINE_KEYS).reset_index(drop=True)


def plan_year_position(
    plan: pd.DataFrame | None, disbursement: pd.DataFrame | None, year: int, period: str, province_code: str,
    sources=STATE_BUDGET_SOURCES,
) -> pd.DataFrame:
    """Plan vs cumulative disbursement of plan ``year`` as of ``period``, per (source, unit_code).

    ``period`` may run past the plan year (January of year+1, or later when extended).
    """
    planned = plan_lines(plan, year, province_code, sources) if plan is not None else None
    if planned is None:
        planned = pd.DataFrame({"source": pd.Series(dtype="str"), "unit_code": pd.Series(dtype="str"),
                                "amount_mvnd": pd.Series(dtype="float64")})
    if disbursement is not None:
        spent = disbursed_lines(disbursement, year, period, province_code, sources)[[*LINE_KEYS, "disbursed_mvnd"]]
    else:
        spent = pd.DataFrame({"source": pd.Series(dtype="str"), "unit_code": pd.Series(dtype="str"),
                              "disbursed_mvnd": pd.Series(dtype="float64")})
    out = planned.merge(spent, on=LINE_KEYS, how="outer").fillna({"amount_mvnd": 0.0, "disbursed_mvnd": 0.0})
    out = out.rename(columns={"amount_mvnd": "plan_mvnd"}).assign(year=year, as_of=period)
    return out.sort_values(LINE_KEYS).reset_index(drop=True)


def previous_plan_year_position(plan, disbursement, period: str, province_code: str) -> pd.DataFrame:
    """The previous plan year's latest position known at ``period`` (its rows run into year+1)."""
    year, as_of = timeline.previous_plan_year_final_period(period)
    return plan_year_position(plan, disbursement, year, as_of, province_code)


def mobilized_at(mobilized: pd.DataFrame, period: str) -> pd.DataFrame:
    """Cumulative mobilisation per source: each source's latest row ≤ ``period``."""
    return timeline.latest_at(mobilized, period, ["source"]).sort_values("source").reset_index(drop=True)


def _position(ctx) -> pd.DataFrame:
    return ctx.memo("capital_position", lambda: plan_year_position(
        ctx.prepared.get("capital_plan"), ctx.prepared.get("capital_disbursement"), ctx.year, ctx.period,
        ctx.province_code,
    ))


def _central_2021_2025(ctx) -> pd.DataFrame:
    plan = ctx.prepared.get("capital_plan")
    rows = plan[plan["year"].between(2021, 2025) & plan["source"].isin(CENTRAL_SOURCES)]
    return value_rows(ctx.province_code, float(rows["amount_mvnd"].sum()))


def _plan_year(ctx) -> pd.DataFrame:
    return value_rows(ctx.province_code, float(_position(ctx)["plan_mvnd"].sum()))


def _disbursed_year(ctx) -> pd.DataFrame:
    return value_rows(ctx.province_code, float(_position(ctx)["disbursed_mvnd"].sum()))


def _rate_year(ctx) -> pd.DataFrame:
    pos = _position(ctx)
    return share_rows(ctx.province_code, pos["disbursed_mvnd"].sum(), pos["plan_mvnd"].sum())


def _rate_year_commune(ctx) -> pd.DataFrame:
    pos = _position(ctx)
    pos = pos[pos["unit_code"] != ctx.province_code]
    by_unit = pos.groupby("unit_code")[["disbursed_mvnd", "plan_mvnd"]].sum()
    by_unit = by_unit[by_unit["plan_mvnd"] > 0]
    return share_rows(by_unit.index, by_unit["disbursed_mvnd"].to_numpy(), by_unit["plan_mvnd"].to_numpy())


def _previous(ctx) -> pd.DataFrame:
    return ctx.memo("capital_previous", lambda: previous_plan_year_position(
        ctx.prepared.get("capital_plan"), ctx.prepared.get("capital_disbursement"), ctx.period, ctx.province_code
    ))


def _rate_prev_year(ctx) -> pd.DataFrame:
    pos = _previous(ctx)
    return share_rows(ctx.province_code, pos["disbursed_mvnd"].sum(), pos["plan_mvnd"].sum())


def _mobilized(ctx) -> pd.DataFrame:
    return value_rows(ctx.province_code, float(mobilized_at(ctx.prepared.get("capital_mobilized"), ctx.period)
                                                ["cumulative_mvnd"].sum()))


def _lbl(vi: str, en: str, fr: str) -> dict[str, str]:
    return {"vi": vi, "en": en, "fr": fr}


_PD = ("capital_plan", "capital_disbursement")
register(Indicator(
    "capital.central_allocated_2021_2025", _lbl("Vốn NSTW giao giai đoạn 2021-2025",
                                                "Central budget allocated 2021-2025", "Budget central alloué 2021-2025"),
    "million_vnd", "province", "neutral", _central_2021_2025, ("capital_plan",),
    definition="capital_plan, years 2021-2025, sources central_investment + central_recurrent.",
))
register(Indicator(
    "capital.plan_year", _lbl("Kế hoạch vốn ngân sách năm", "State-budget plan of the year",
                              "Plan budgétaire de l'année"),
    "million_vnd", "province", "neutral", _plan_year, ("capital_plan",),
    definition="capital_plan for the year of P, state-budget sources (central_*, local_budget), all rows.",
))
register(Indicator(
    "capital.disbursed_year", _lbl("Lũy kế giải ngân vốn ngân sách năm", "State budget disbursed in the year",
                                   "Budget décaissé de l'année"),
    "million_vnd", "province", "higher_is_better", _disbursed_year, ("capital_disbursement",),
    definition="capital_disbursement of plan year = year of P, state-budget sources: each (source, unit) "
               "series' latest row with period ≤ P, summed.",
))
register(Indicator(
    "capital.disbursement_rate_year", _lbl("Tỷ lệ giải ngân vốn năm", "Disbursement rate of the year",
                                           "Taux de décaissement de l'année"),
    "percent", "province", "higher_is_better", _rate_year, _PD, numerator="capital.disbursed_year",
    denominator="capital.plan_year",
    definition="disbursed_year / plan_year × 100; per commune for units with state-budget plan lines.",
    compute_commune=_rate_year_commune,
))
register(Indicator(
    "capital.disbursement_rate_prev_year", _lbl("Tỷ lệ giải ngân vốn năm trước", "Disbursement rate of the "
                                                "previous plan year", "Taux de décaissement de l'année précédente"),
    "percent", "province", "higher_is_better", _rate_prev_year, _PD, numerator="disbursed (plan year - 1)",
    denominator="plan (plan year - 1)",
    definition="Plan year = year of P - 1, disbursement as of P (31 January rule and extensions).",
))
register(Indicator(
    "capital.mobilized_cumulative", _lbl("Lũy kế vốn huy động", "Capital mobilised (cumulative)",
                                         "Capitaux mobilisés (cumul)"),
    "million_vnd", "province", "higher_is_better", _mobilized, ("capital_mobilized",),
    definition="capital_mobilized: each source's latest row with period ≤ P, summed.",
))

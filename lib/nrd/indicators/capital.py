"""Capital: plan, disbursement (plan year vs as-of month) and mobilisation, and the capital.* indicators.

Capital rows are additive: a province-level row (blank unit_code) is capital held at province level, never
a total of the commune rows. In the line frames below such rows carry the province code.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nrd.contract import CENTRAL_SOURCES, STATE_BUDGET_SOURCES
from nrd.indicators import timeline
from nrd.indicators.catalog import Indicator, register, share_rows, value_rows
from nrd.indicators.grid import grid_share_rows, province_value_rows

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


# -- the same indicators for a grid of periods at once -----------------------------------------------------

def grid_positions(grid, years_back: int = 0) -> pd.DataFrame:
    """``plan_year_position`` for every grid period P, plan year = year of P - ``years_back``, as of P.

    Returns _g, source, unit_code, plan_mvnd, disbursed_mvnd, sorted by (_g, source, unit_code) as the
    per-period frame is, so sums over a period add the same numbers in the same order.
    """
    def compute():
        plan, disbursement = grid.prepared.get("capital_plan"), grid.prepared.get("capital_disbursement")
        target = grid.years - years_back
        years = np.unique(target)
        columns = ["_g", *LINE_KEYS]
        planned = pd.DataFrame({"_g": pd.Series(dtype="int64"), "source": pd.Series(dtype="str"),
                                "unit_code": pd.Series(dtype="str"), "amount_mvnd": pd.Series(dtype="float64")})
        if plan is not None:
            lines = pd.concat([plan_lines(plan, int(y), grid.province_code).assign(_y=y) for y in years],
                              ignore_index=True)
            planned = pd.DataFrame({"_g": np.arange(grid.n), "_y": target}).merge(lines, on="_y")[
                [*columns, "amount_mvnd"]]
        spent = pd.DataFrame({"_g": pd.Series(dtype="int64"), "source": pd.Series(dtype="str"),
                              "unit_code": pd.Series(dtype="str"), "disbursed_mvnd": pd.Series(dtype="float64")})
        if disbursement is not None:
            rows = disbursement[disbursement["year"].isin(years) & disbursement["source"].isin(STATE_BUDGET_SOURCES)]
            rows = _lines(rows, grid.province_code)
            # A row of plan year Y answers only the grid periods reporting on Y (a contiguous block).
            first = {int(y): int(np.searchsorted(target, y, side="left")) for y in years}
            stop = {int(y): int(np.searchsorted(target, y, side="right")) for y in years}
            year = rows["year"].astype("int64")
            rows = rows.assign(_lo=year.map(first), _hi=year.map(stop))
            latest = grid.latest_cover(rows, ["year", *LINE_KEYS], lo="_lo", hi="_hi")
            spent = latest[[*columns, "disbursed_mvnd"]]
        out = planned.merge(spent, on=columns, how="outer").fillna({"amount_mvnd": 0.0, "disbursed_mvnd": 0.0})
        out = out.rename(columns={"amount_mvnd": "plan_mvnd"})
        return out.sort_values(columns).reset_index(drop=True)

    return grid.memo(f"capital_positions_{years_back}", compute)


def _period_sums(grid, frame: pd.DataFrame, column: str) -> np.ndarray:
    """Per grid period, the sum of ``column`` over that period's rows (numpy's order, as Series.sum)."""
    bounds = np.searchsorted(frame["_g"].to_numpy(), np.arange(grid.n + 1), side="left")
    values = frame[column].to_numpy(dtype="float64")
    return np.array([np.nansum(values[bounds[i]:bounds[i + 1]]) for i in range(grid.n)], dtype="float64")


def _central_2021_2025_grid(grid) -> pd.DataFrame:
    plan = grid.prepared.get("capital_plan")
    rows = plan[plan["year"].between(2021, 2025) & plan["source"].isin(CENTRAL_SOURCES)]
    return province_value_rows(grid, [float(rows["amount_mvnd"].sum())] * grid.n)


def _plan_year_grid(grid) -> pd.DataFrame:
    return province_value_rows(grid, _period_sums(grid, grid_positions(grid), "plan_mvnd"))


def _disbursed_year_grid(grid) -> pd.DataFrame:
    return province_value_rows(grid, _period_sums(grid, grid_positions(grid), "disbursed_mvnd"))


def _rate_grid(grid, years_back: int) -> pd.DataFrame:
    pos = grid_positions(grid, years_back)
    return grid_share_rows(grid.periods, grid.province_code, _period_sums(grid, pos, "disbursed_mvnd"),
                           _period_sums(grid, pos, "plan_mvnd"))


def _rate_year_grid(grid) -> pd.DataFrame:
    return _rate_grid(grid, 0)


def _rate_prev_year_grid(grid) -> pd.DataFrame:
    return _rate_grid(grid, 1)


def _rate_year_commune_grid(grid) -> pd.DataFrame:
    pos = grid_positions(grid)
    pos = pos[pos["unit_code"] != grid.province_code]
    by_unit = pos.groupby(["_g", "unit_code"])[["disbursed_mvnd", "plan_mvnd"]].sum()
    by_unit = by_unit[by_unit["plan_mvnd"] > 0]
    g = by_unit.index.get_level_values(0).to_numpy(dtype="int64")
    return grid_share_rows(grid.periods[g], by_unit.index.get_level_values(1), by_unit["disbursed_mvnd"],
                           by_unit["plan_mvnd"])


def _mobilized_grid(grid) -> pd.DataFrame:
    latest = grid.latest_cover(grid.prepared.get("capital_mobilized"), ["source"])
    latest = latest.sort_values(["_g", "source"], kind="stable")
    return province_value_rows(grid, _period_sums(grid, latest, "cumulative_mvnd"))


def _lbl(vi: str, en: str, fr: str) -> dict[str, str]:
    return {"vi": vi, "en": en, "fr": fr}


_PD = ("capital_plan", "capital_disbursement")
register(Indicator(
    "capital.central_allocated_2021_2025", _lbl("Vốn NSTW giao giai đoạn 2021-2025",
                                                "Central budget allocated 2021-2025", "Budget central alloué 2021-2025"),
    "million_vnd", "province", "neutral", _central_2021_2025, ("capital_plan",),
    definition="capital_plan, years 2021-2025, sources central_investment + central_recurrent.",
    compute_grid=_central_2021_2025_grid,
))
register(Indicator(
    "capital.plan_year", _lbl("Kế hoạch vốn ngân sách năm", "State-budget plan of the year",
                              "Plan budgétaire de l'année"),
    "million_vnd", "province", "neutral", _plan_year, ("capital_plan",),
    definition="capital_plan for the year of P, state-budget sources (central_*, local_budget), all rows.",
    compute_grid=_plan_year_grid,
))
register(Indicator(
    "capital.disbursed_year", _lbl("Lũy kế giải ngân vốn ngân sách năm", "State budget disbursed in the year",
                                   "Budget décaissé de l'année"),
    "million_vnd", "province", "higher_is_better", _disbursed_year, ("capital_disbursement",),
    definition="capital_disbursement of plan year = year of P, state-budget sources: each (source, unit) "
               "series' latest row with period ≤ P, summed.",
    compute_grid=_disbursed_year_grid,
))
register(Indicator(
    "capital.disbursement_rate_year", _lbl("Tỷ lệ giải ngân vốn năm", "Disbursement rate of the year",
                                           "Taux de décaissement de l'année"),
    "percent", "province", "higher_is_better", _rate_year, _PD, numerator="capital.disbursed_year",
    denominator="capital.plan_year",
    definition="disbursed_year / plan_year × 100; per commune for units with state-budget plan lines.",
    compute_commune=_rate_year_commune, compute_grid=_rate_year_grid, compute_commune_grid=_rate_year_commune_grid,
))
register(Indicator(
    "capital.disbursement_rate_prev_year", _lbl("Tỷ lệ giải ngân vốn năm trước", "Disbursement rate of the "
                                                "previous plan year", "Taux de décaissement de l'année précédente"),
    "percent", "province", "higher_is_better", _rate_prev_year, _PD, numerator="disbursed (plan year - 1)",
    denominator="plan (plan year - 1)",
    definition="Plan year = year of P - 1, disbursement as of P (31 January rule and extensions).",
    compute_grid=_rate_prev_year_grid,
))
register(Indicator(
    "capital.mobilized_cumulative", _lbl("Lũy kế vốn huy động", "Capital mobilised (cumulative)",
                                         "Capitaux mobilisés (cumul)"),
    "million_vnd", "province", "higher_is_better", _mobilized, ("capital_mobilized",),
    definition="capital_mobilized: each source's latest row with period ≤ P, summed.",
    compute_grid=_mobilized_grid,
))

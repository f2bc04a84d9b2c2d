"""Watch lists of the office's working pipelines at the end of P: overdue and stalled projects, dossiers open
too long, overdue inspection actions, the 5-star candidates. Thresholds from ``reference/data/pipelines.yaml``.
"""

from __future__ import annotations

import pandas as pd

from nrd import periods
from nrd.contract import DOSSIER_CLOSED
from nrd.indicators.context import prepare
from nrd.indicators.grid import GridContext
from nrd.indicators.pipelines import dossier_states, project_states, thresholds

_PROJECT_COLUMNS = ["project_id", "project_name", "unit_code", "category", "criterion", "total_investment_mvnd",
                    "planned_end", "period", "physical_pct", "disbursed_mvnd", "status", "obstacle"]


def _grid(ds, period: str) -> GridContext:
    return GridContext(prepare(ds), [period])


def overdue_projects(ds, period: str) -> pd.DataFrame:
    """Projects not completed whose planned completion is before the end of P, most days late first."""
    if ds.tables.get("project_progress") is None or ds.tables.get("projects") is None:
        return pd.DataFrame(columns=[*_PROJECT_COLUMNS, "days_late"])
    states = project_states(_grid(ds, period))
    late = states[states["overdue"]][_PROJECT_COLUMNS]
    late = late.assign(days_late=(periods.period_end(period) - late["planned_end"]).dt.days)
    return late.sort_values(["days_late", "project_id"], ascending=[False, True]).reset_index(drop=True)


def stalled_projects(ds, period: str, months: int | None = None) -> pd.DataFrame:
    """Projects not completed whose physical % has not moved in the last ``months`` (3) progress months."""
    months = months or thresholds()["stalled_months"]
    progress = ds.tables.get("project_progress")
    if progress is None or ds.tables.get("projects") is None:
        return pd.DataFrame(columns=[*_PROJECT_COLUMNS, "since"])
    states = project_states(_grid(ds, period))
    open_ = states[~states["done"]]
    since_period = str(pd.Period(period, freq="M") - months)
    pool = progress[(progress["period"] <= period) & progress["project_id"].isin(open_["project_id"])]
    # The last month the % moved: the first month it reached its current value.
    reached = pool.merge(open_[["project_id", "physical_pct"]], on="project_id", suffixes=("", "_now"))
    reached = reached[reached["physical_pct"] >= reached["physical_pct_now"]]
    since = reached.groupby("project_id")["period"].min().rename("since")
    out = open_.merge(since, on="project_id")
    out = out[out["since"] <= since_period]
    return out[[*_PROJECT_COLUMNS, "since"]].sort_values(["since", "project_id"]).reset_index(drop=True)


def dossiers_open_long(ds, period: str, days: int | None = None) -> pd.DataFrame:
    """Appraisal dossiers open at P and submitted more than ``days`` (60) before the end of P."""
    columns = ["dossier_id", "unit_code", "level", "submitted_on", "stage", "stage_date", "council_date",
               "days_open"]
    if ds.tables.get("appraisals") is None:
        return pd.DataFrame(columns=columns)
    days = days or thresholds()["dossier_open_days"]
    states = dossier_states(_grid(ds, period))
    open_ = states[~states["stage"].isin(DOSSIER_CLOSED)]
    open_ = open_.assign(days_open=(periods.period_end(period) - open_["submitted_on"]).dt.days)
    return open_[open_["days_open"] > days][columns].sort_values(["days_open", "dossier_id"], ascending=[False, True]) \
        .reset_index(drop=True)


def open_actions(ds, period: str, overdue_only: bool = False) -> pd.DataFrame:
    """Inspection findings with an action due, visited by the end of P and not resolved by then."""
    columns = ["inspection_id", "unit_code", "visit_date", "lead", "criterion", "finding", "action_due",
               "days_overdue"]
    rows = ds.tables.get("inspections")
    if rows is None:
        return pd.DataFrame(columns=columns)
    end = periods.period_end(period)
    pending = rows[rows["action_due"].notna() & (rows["visit_date"] <= end)
                   & (rows["resolved_on"].isna() | (rows["resolved_on"] > end))]
    pending = pending.assign(days_overdue=(end - pending["action_due"]).dt.days.clip(lower=0))
    if overdue_only:
        pending = pending[pending["action_due"] < end]
    return pending[columns].sort_values(["action_due", "inspection_id", "unit_code"]).reset_index(drop=True)


def five_star_candidates(ds, period: str) -> pd.DataFrame:
    """Registrations of the cycle of P proposed for 5 stars, registered by the end of P, not yet evaluated."""
    columns = ["registration_id", "product_name", "entity_id", "unit_code", "registered_on", "stage",
               "council_date"]
    regs = ds.tables.get("ocop_registrations")
    if regs is None:
        return pd.DataFrame(columns=columns)
    end = periods.period_end(period)
    chosen = regs[(regs["cycle"] == periods.period_year(period)) & (regs["registered_on"] <= end)
                  & (regs["proposed_stars"] == 5).fillna(False) & (regs["stage"] != "evaluated")]
    return chosen.reindex(columns=columns).sort_values("registration_id").reset_index(drop=True)


def pipeline_watch_lists(ds, period: str) -> dict[str, pd.DataFrame]:
    """Every watch list of the pipelines, by name."""
    return {
        "overdue_projects": overdue_projects(ds, period),
        "stalled_projects": stalled_projects(ds, period),
        "dossiers_open_long": dossiers_open_long(ds, period),
        "overdue_actions": open_actions(ds, period, overdue_only=True),
        "five_star_candidates": five_star_candidates(ds, period),
    }



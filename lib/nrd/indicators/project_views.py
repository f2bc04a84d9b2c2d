"""Views of the works and projects report (``works_projects``): the portfolio by category and by commune,
physical progress against the time elapsed, disbursement against the total investment, and the overdue and
stalled projects with their obstacles.

Pure functions of the dataset and the period; no presentation. Every view counts the same projects as the
``projects.*`` indicators (``nrd.indicators.pipelines.project_states``: each project's latest progress row at
or before P), so its totals are the indicator table's. A dataset without the project tables gives empty
frames with the documented columns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nrd import periods
from nrd.indicators.context import prepare
from nrd.indicators.grid import GridContext
from nrd.indicators.pipeline_watch import overdue_projects, stalled_projects
from nrd.indicators.pipelines import project_states

#: Columns of ``project_portfolio`` (one row per category) and ``projects_by_unit`` (one row per unit).
COUNT_COLUMNS = ["projects", "completed", "open", "overdue", "total_investment_mvnd", "disbursed_mvnd"]
PORTFOLIO_COLUMNS = ["category", *COUNT_COLUMNS]
UNIT_COLUMNS = ["unit_code", "unit_name", *COUNT_COLUMNS]
SCHEDULE_COLUMNS = ["project_id", "project_name", "unit_code", "unit_name", "category", "start_date", "planned_end",
                    "elapsed_pct", "physical_pct", "gap_pct", "disbursed_mvnd", "total_investment_mvnd", "status",
                    "overdue", "obstacle"]
LIST_COLUMNS = ["project_id", "project_name", "unit_code", "unit_name", "category", "criterion",
                "total_investment_mvnd", "disbursed_mvnd", "physical_pct", "status", "planned_end", "obstacle"]


def _has_projects(ds) -> bool:
    return ds.tables.get("projects") is not None and ds.tables.get("project_progress") is not None


def _unit_names(ds) -> pd.Series:
    return prepare(ds).units.set_index("unit_code")["name"]


def project_status_at(ds, period: str) -> pd.DataFrame:
    """Every project with a progress row at or before P: its latest state, start date and unit name."""
    columns = ["project_id", "project_name", "unit_code", "unit_name", "category", "criterion", "start_date",
               "planned_end", "total_investment_mvnd", "disbursed_mvnd", "physical_pct", "status", "obstacle",
               "done", "overdue"]
    if not _has_projects(ds):
        return pd.DataFrame(columns=columns)
    period = periods.parse_period(period)
    states = project_states(GridContext(prepare(ds), [period]))
    starts = ds.table("projects").drop_duplicates("project_id").set_index("project_id")["start_date"]
    states = states.assign(start_date=states["project_id"].map(starts),
                           unit_name=states["unit_code"].map(_unit_names(ds)),
                           criterion=states["criterion"].astype("string").str.strip(),
                           disbursed_mvnd=states["disbursed_mvnd"].fillna(0.0),
                           total_investment_mvnd=states["total_investment_mvnd"].fillna(0.0))
    return states[columns].sort_values("project_id").reset_index(drop=True)


def _counts(states: pd.DataFrame, by: str) -> pd.DataFrame:
    flags = states.assign(projects=1, completed=states["done"].astype("int64"),
                          open=(~states["done"]).astype("int64"), overdue=states["overdue"].astype("int64"))
    return flags.groupby(by, as_index=False, dropna=False)[COUNT_COLUMNS].sum()


def project_portfolio(ds, period: str) -> pd.DataFrame:
    """The portfolio at P by category: projects, completed, open (not completed), overdue, total investment
    and disbursed to date (million VND); the largest investment first. The sums are ``projects.total``,
    ``projects.completed``, ``projects.overdue`` and the parts of ``projects.disbursed_share``."""
    states = project_status_at(ds, period)
    if states.empty:
        return pd.DataFrame(columns=PORTFOLIO_COLUMNS)
    out = _counts(states, "category")
    return out.sort_values(["total_investment_mvnd", "category"], ascending=[False, True])[PORTFOLIO_COLUMNS] \
        .reset_index(drop=True)


def projects_by_unit(ds, period: str) -> pd.DataFrame:
    """The portfolio at P by commune (``unit_code`` blank: inter-commune or provincial projects): the same
    counts as ``project_portfolio``; most overdue first, then the largest investment."""
    states = project_status_at(ds, period)
    if states.empty:
        return pd.DataFrame(columns=UNIT_COLUMNS)
    out = _counts(states, "unit_code")
    out = out.assign(unit_name=out["unit_code"].map(_unit_names(ds)))
    return out.sort_values(["overdue", "total_investment_mvnd", "unit_code"], ascending=[False, False, True],
                           na_position="last")[UNIT_COLUMNS].reset_index(drop=True)


def unit_project_portfolio(ds, period: str, unit_code: str) -> pd.Series:
    """One commune's portfolio at P (``UNIT_COLUMNS``): its projects with a progress row by P, completed,
    open, overdue, total investment and disbursed (million VND), all counted like the ``projects.*``
    commune rows; zeros when it has none (also when the dataset has no project tables)."""
    by_unit = _units_at(ds, periods.parse_period(period))
    if str(unit_code) in by_unit.index:
        return by_unit.loc[str(unit_code), UNIT_COLUMNS].copy()
    names = _unit_names(ds)
    return pd.Series({"unit_code": str(unit_code), "unit_name": names.get(str(unit_code)),
                      **{c: 0 for c in COUNT_COLUMNS}})[UNIT_COLUMNS]


def _units_at(ds, period: str) -> pd.DataFrame:
    """``projects_by_unit`` at P indexed by unit code (communes only), computed once per dataset and period:
    every scorecard of a run reads its own row, and the province-wide project states behind it cost ~50 ms
    on national data."""
    def compute() -> pd.DataFrame:
        by_unit = projects_by_unit(ds, period)
        by_unit = by_unit[by_unit["unit_code"].notna()]
        return by_unit.set_index(by_unit["unit_code"].astype("string").astype(object), drop=False)
    return prepare(ds).remembered(("project_views.units", period), compute)


def remember_unit_portfolios(ds, period: str) -> None:
    """Compute every commune's portfolio of P now (a fork server, once for all its scorecards)."""
    _units_at(ds, periods.parse_period(period))


def project_schedule(ds, period: str) -> pd.DataFrame:
    """Projects not completed at P, started by the end of P, with a planned completion: the share of their
    planned duration elapsed at the end of P (``elapsed_pct``, 0-100, 100 once past the planned end) against
    their physical progress (``physical_pct``); ``gap_pct`` = physical − elapsed (negative: behind). Most
    behind first."""
    states = project_status_at(ds, period)
    if states.empty:
        return pd.DataFrame(columns=SCHEDULE_COLUMNS)
    end = periods.period_end(period)
    open_ = states[~states["done"] & states["start_date"].notna() & states["planned_end"].notna()
                   & (states["start_date"] <= end)]
    planned = (open_["planned_end"] - open_["start_date"]).dt.days.clip(lower=1)
    elapsed = ((end - open_["start_date"]).dt.days / planned * 100).clip(0, 100)
    out = open_.assign(elapsed_pct=elapsed.round(1), gap_pct=(open_["physical_pct"] - elapsed).round(1))
    return out.sort_values(["gap_pct", "project_id"])[SCHEDULE_COLUMNS].reset_index(drop=True)


def _named(ds, frame: pd.DataFrame, extra: list[str]) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame(columns=[*LIST_COLUMNS, *extra])
    named = frame.assign(unit_name=frame["unit_code"].map(_unit_names(ds)),
                         criterion=frame["criterion"].astype("string").str.strip())
    return named[[*LIST_COLUMNS, *extra]].reset_index(drop=True)


def overdue_project_list(ds, period: str) -> pd.DataFrame:
    """``overdue_projects`` (the watch list, its length ``projects.overdue``) with the unit's name: most days
    late first, with the obstacle reported in the latest progress row."""
    if not _has_projects(ds):
        return pd.DataFrame(columns=[*LIST_COLUMNS, "days_late"])
    return _named(ds, overdue_projects(ds, periods.parse_period(period)), ["days_late"])


def stalled_project_list(ds, period: str) -> pd.DataFrame:
    """``stalled_projects`` (no physical progress for ``stalled_months`` months, ``pipelines.yaml``) with the
    unit's name and the months since the physical % last moved (``months_still``)."""
    if not _has_projects(ds):
        return pd.DataFrame(columns=[*LIST_COLUMNS, "since", "months_still"])
    period = periods.parse_period(period)
    stalled = stalled_projects(ds, period)
    now = pd.Period(period, freq="M").ordinal
    months = np.array([now - pd.Period(p, freq="M").ordinal for p in stalled["since"]], dtype="int64")
    return _named(ds, stalled.assign(months_still=months), ["since", "months_still"])

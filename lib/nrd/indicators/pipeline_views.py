"""Views of the office's working pipelines for the reports that are not about the pipelines themselves: the
OCOP evaluation cycle (registrations → complete dossiers → council → result), a commune's projects, dossiers
and open inspection actions, and a department's projects and actions under the criteria it leads.

Pure functions of the dataset and the period; no presentation. A missing pipeline table gives empty frames
with the documented columns (a dataset of an office that does not keep that table yet).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from nrd import periods
from nrd.contract import DOSSIER_CLOSED, PROJECT_DONE, STAGE
from nrd.indicators.context import prepare
from nrd.indicators.grid import GridContext
from nrd.indicators.ocop import registrations_of_cycle
from nrd.indicators.pipeline_criteria import read_criteria
from nrd.indicators.pipeline_watch import five_star_candidates, open_actions
from nrd.indicators.pipelines import dossier_states, project_states
from nrd.indicators.project_views import remember_unit_portfolios

#: Steps of the OCOP evaluation cycle, in order; a registration has reached a step when its stage is that
#: step's stage or a later one (``STAGE`` order).
CYCLE_STEPS = tuple(STAGE)
PROJECT_COLUMNS = ["project_id", "project_name", "unit_code", "unit_name", "category", "criterion",
                   "criteria_set", "department", "total_investment_mvnd", "disbursed_mvnd", "physical_pct", "status", "planned_end", "overdue",
                   "obstacle"]
DOSSIER_COLUMNS = ["dossier_id", "unit_code", "level", "submitted_on", "stage", "stage_date", "council_date",
                   "days_open"]
ACTION_COLUMNS = ["inspection_id", "unit_code", "unit_name", "visit_date", "lead", "criterion", "criteria_set",
                  "department", "finding", "action_due", "days_overdue"]


def _has(ds, *tables: str) -> bool:
    return all(ds.tables.get(name) is not None for name in tables)


def _unit_names(ds) -> pd.Series:
    return prepare(ds).units.set_index("unit_code")["name"]


def evaluation_cycle(ds, period: str) -> pd.DataFrame:
    """The OCOP evaluation cycle of the year of P: registrations (registered by the end of P) that reached
    each step, with their share of all registrations; then the products recognised by result stars.

    Columns: step (a ``STAGE`` id, or ``stars_3`` / ``stars_4`` / ``stars_5``), registrations, registered
    (the denominator: all registrations of the cycle). The stars rows are blank (NA) when the dataset does
    not record ``result_stars`` (``provided.unrecorded_columns``): the result is unknown, not zero.
    """
    from nrd.indicators.provided import unrecorded_columns

    regs = registrations_of_cycle(ds.table("ocop_registrations"), period)
    rank = regs["stage"].map({stage: i for i, stage in enumerate(CYCLE_STEPS)})
    reached = [int((rank >= i).sum()) for i in range(len(CYCLE_STEPS))]
    stars = pd.to_numeric(regs.get("result_stars", pd.Series(dtype="float64")), errors="coerce")
    evaluated = regs["stage"] == "evaluated"
    steps = [*CYCLE_STEPS, "stars_3", "stars_4", "stars_5"]
    recorded = not unrecorded_columns(ds, "ocop_registrations", "result_stars")
    results = [int(((stars == n) & evaluated).sum()) if recorded else pd.NA for n in (3, 4, 5)]
    counts = pd.array([*reached, *results], dtype="Int64")
    return pd.DataFrame({"step": steps, "registrations": counts, "registered": len(regs)})


def council_sessions(ds, period: str) -> pd.DataFrame:
    """The provincial council sessions of the cycle of P: date, registrations put to it, of them evaluated,
    and whether the session is held by the end of P (``held``) or planned."""
    regs = registrations_of_cycle(ds.table("ocop_registrations"), period)
    regs = regs[regs["council_date"].notna()]
    if regs.empty:
        return pd.DataFrame(columns=["council_date", "registrations", "evaluated", "held"])
    sessions = regs.assign(is_evaluated=regs["stage"] == "evaluated").groupby("council_date", as_index=False) \
        .agg(registrations=("registration_id", "size"), evaluated=("is_evaluated", "sum"))
    return sessions.assign(evaluated=sessions["evaluated"].astype("int64"),
                           held=sessions["council_date"] <= periods.period_end(period)).reset_index(drop=True)


def named_five_star_candidates(ds, period: str) -> pd.DataFrame:
    """``five_star_candidates`` with the unit's name: product, unit, registered on, stage, council date (no
    entity name, phone or representative)."""
    chosen = five_star_candidates(ds, period)
    columns = ["registration_id", "product_name", "unit_code", "unit_name", "registered_on", "stage", "council_date"]
    return chosen.assign(unit_name=chosen["unit_code"].map(_unit_names(ds)))[columns]


def _projects_at(ds, period: str) -> pd.DataFrame:
    """Every project with a progress row by P: its latest state (``project_states``) and unit name."""
    return prepare(ds).remembered(("pipeline_views.projects", period), lambda: _compute_projects_at(ds, period))


def _compute_projects_at(ds, period: str) -> pd.DataFrame:
    if not _has(ds, "projects", "project_progress"):
        return pd.DataFrame(columns=PROJECT_COLUMNS)
    states = project_states(GridContext(prepare(ds), [period]))
    reading = read_criteria(ds, states["criterion"], states["start_date"], period)
    states = states.assign(unit_name=states["unit_code"].map(_unit_names(ds)),
                           criterion=states["criterion"].astype("string").str.strip(),
                           criteria_set=reading["criteria_set"], department=reading["department"])
    return states[PROJECT_COLUMNS].sort_values(["overdue", "planned_end", "project_id"],
                                               ascending=[False, True, True]).reset_index(drop=True)


def _actions_at(ds, period: str) -> pd.DataFrame:
    return prepare(ds).remembered(("pipeline_views.actions", period), lambda: _compute_actions_at(ds, period))


def _compute_actions_at(ds, period: str) -> pd.DataFrame:
    actions = open_actions(ds, period)
    reading = read_criteria(ds, actions["criterion"], actions["visit_date"], period)
    actions = actions.assign(unit_name=actions["unit_code"].map(_unit_names(ds)),
                             criterion=actions["criterion"].astype("string").str.strip(),
                             criteria_set=reading["criteria_set"], department=reading["department"])
    return actions[ACTION_COLUMNS]


def _dossiers_at(ds, period: str) -> pd.DataFrame:
    return prepare(ds).remembered(("pipeline_views.dossiers", period), lambda: _compute_dossiers_at(ds, period))


def _compute_dossiers_at(ds, period: str) -> pd.DataFrame:
    if not _has(ds, "appraisals"):
        return pd.DataFrame(columns=DOSSIER_COLUMNS)
    states = dossier_states(GridContext(prepare(ds), [period]))
    states = states.assign(days_open=(periods.period_end(period) - states["submitted_on"]).dt.days)
    return states[DOSSIER_COLUMNS].sort_values(["submitted_on", "dossier_id"]).reset_index(drop=True)


@dataclass(frozen=True)
class UnitPipelines:
    """A commune's share of the pipelines at P.

    ``projects``: its projects not completed at P, overdue first (``PROJECT_COLUMNS``); ``dossiers``: its
    appraisal dossiers open at P or closed in the year of P (``DOSSIER_COLUMNS``); ``actions``: its
    inspection actions open at P (``ACTION_COLUMNS``).
    """

    unit_code: str
    period: str
    projects: pd.DataFrame
    dossiers: pd.DataFrame
    actions: pd.DataFrame


def unit_pipelines(ds, period: str, unit_code: str) -> UnitPipelines:
    """The commune's projects, dossiers and open inspection actions at P."""
    period = periods.parse_period(period)
    projects = _projects_at(ds, period)
    projects = projects[(projects["unit_code"] == unit_code) & ~projects["status"].isin(PROJECT_DONE)]
    dossiers = _dossiers_at(ds, period)
    year = periods.period_year(period)
    keep = ~dossiers["stage"].isin(DOSSIER_CLOSED) | (pd.to_datetime(dossiers["stage_date"]).dt.year == year)
    dossiers = dossiers[(dossiers["unit_code"] == unit_code) & keep]
    actions = _actions_at(ds, period)
    actions = actions[actions["unit_code"] == unit_code]
    return UnitPipelines(unit_code, period, projects.reset_index(drop=True), dossiers.reset_index(drop=True),
                         actions.reset_index(drop=True))


@dataclass(frozen=True)
class DepartmentPipelines:
    """A department's share of the pipelines at P: ``criteria`` it leads in the set in force at P;
    ``projects`` not completed at P serving a criterion it leads in the project's own set; ``actions`` open
    at P whose lead is the department or whose criterion it leads in the set of the visit."""

    department: str
    period: str
    criteria: tuple[str, ...]
    projects: pd.DataFrame
    actions: pd.DataFrame


def department_pipelines(ds, period: str, department: str) -> DepartmentPipelines:
    """The projects and inspection actions under the criteria ``department`` leads at P.

    A project's ``criterion`` is read in the set in force at its start, a finding's in the set in force on
    the day of the visit (``pipeline_criteria.read_criteria``; assumption ``pipelines_criterion_set``), so
    a 2021-2025 item reaches the department that leads its criterion in that set.
    """
    period = periods.parse_period(period)
    criteria = ds.criteria_set_for(period).criteria
    led = tuple(criteria.loc[criteria["department"].astype(str) == department, "criterion"].astype(str).str.strip())
    projects = _projects_at(ds, period)
    projects = projects[(projects["department"] == department) & ~projects["status"].isin(PROJECT_DONE)]
    actions = _actions_at(ds, period)
    actions = actions[(actions["lead"] == department) | (actions["department"] == department)]
    return DepartmentPipelines(department, period, led, projects.reset_index(drop=True),
                               actions.reset_index(drop=True))


def remember_pipelines(ds, period: str) -> None:
    """Compute the province-wide project, dossier and action frames of P now, for every later per-unit or
    per-department view of this dataset (a fork server does it once for all its reports)."""
    period = periods.parse_period(period)
    _projects_at(ds, period)
    _dossiers_at(ds, period)
    _actions_at(ds, period)
    remember_unit_portfolios(ds, period)


def pipeline_departments(ds, period: str) -> set[str]:
    """The departments with a project not completed or an open action at P under a criterion they lead
    (in the item's own set): they get a brief even when they lead no criterion of the set in force at P."""
    period = periods.parse_period(period)
    projects = _projects_at(ds, period)
    projects = projects[~projects["status"].isin(PROJECT_DONE)]
    actions = _actions_at(ds, period)
    return {str(d) for d in pd.concat([projects["department"], actions["department"]]).dropna()}

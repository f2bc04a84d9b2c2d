"""Views of the appraisal and inspection report (``appraisal_inspection``): the recognition dossiers by stage
and level, time in stage, the appraisal council's dates; the inspection calendar, findings by criterion, and
the open and overdue actions by responsible department.

Pure functions of the dataset and the period; no presentation. A dossier's stage at P is its latest row
with stage_date ≤ end of P (``nrd.indicators.pipelines.dossier_states``), the rule of the ``appraisal.*``
indicators; open actions are ``pipeline_watch.open_actions``, the rows of ``inspections.actions_*``; so the
views add up to the indicator table. A dataset without the table gives empty frames with their columns.
"""

from __future__ import annotations

import pandas as pd

from nrd import periods
from nrd.contract import DOSSIER_CLOSED, DOSSIER_STAGE, LEVEL
from nrd.indicators.context import prepare
from nrd.indicators.grid import GridContext
from nrd.indicators.pipeline_criteria import read_criteria
from nrd.indicators.pipeline_watch import open_actions
from nrd.indicators.pipelines import dossier_states

#: The ``lead`` code of the coordination office itself (data contract, inspections).
OFFICE_LEAD = "vpdp"
PIPELINE_COLUMNS = ["stage", *LEVEL, "dossiers"]
DOSSIER_COLUMNS = ["dossier_id", "unit_code", "unit_name", "level", "submitted_on", "stage", "stage_date",
                   "council_date", "days_in_stage", "days_open", "open_long"]
STAGE_TIME_COLUMNS = ["stage", "passed", "median_days", "max_days", "current", "current_median_days"]
COUNCIL_COLUMNS = ["council_date", "held", *LEVEL, "dossiers", "approved"]
CALENDAR_COLUMNS = ["inspection_id", "kind", "lead", "first_visit", "last_visit", "units", "findings",
                    "actions_open", "actions_overdue"]
MONTH_COLUMNS = ["month", "kind", "visits"]
FINDING_COLUMNS = ["criteria_set", "criterion", "findings", "resolved", "open", "overdue"]
DEPARTMENT_COLUMNS = ["department", "actions_open", "actions_overdue", "oldest_due", "max_days_overdue"]
ACTION_COLUMNS = ["inspection_id", "unit_code", "unit_name", "visit_date", "lead", "department", "criterion",
                  "criteria_set", "finding", "action_due", "days_overdue"]


def _has(ds, name: str) -> bool:
    return ds.tables.get(name) is not None


def _unit_names(ds) -> pd.Series:
    return prepare(ds).units.set_index("unit_code")["name"]


def _states(ds, period: str) -> pd.DataFrame:
    return dossier_states(GridContext(prepare(ds), [periods.parse_period(period)]))


def dossier_pipeline(ds, period: str) -> pd.DataFrame:
    """Dossiers by their stage at P (contract order) and level: the open ones (``appraisal.open``), then
    those approved or rejected in the year of P (approved: ``appraisal.approved_year``). One row per stage
    with at least one dossier; a column per level and ``dossiers`` (the row's total)."""
    if not _has(ds, "appraisals"):
        return pd.DataFrame(columns=PIPELINE_COLUMNS)
    states = _states(ds, period)
    closed = states["stage"].isin(DOSSIER_CLOSED)
    this_year = states["stage_date"].dt.year == periods.period_year(period)
    kept = states[~closed | this_year]
    counts = pd.crosstab(kept["stage"], kept["level"]).reindex(index=list(DOSSIER_STAGE), columns=list(LEVEL))
    counts = counts.fillna(0).astype("int64")
    counts = counts.assign(dossiers=counts.sum(axis=1))
    out = counts[counts["dossiers"] > 0].rename_axis(index="stage", columns=None).reset_index()
    return out[PIPELINE_COLUMNS]


def open_dossiers(ds, period: str) -> pd.DataFrame:
    """Dossiers open at P: days in their current stage and since submission at the end of P, ``open_long``
    when open over ``dossier_open_days`` (60, ``pipelines.yaml``: the ``appraisal.open_over_60d`` rows);
    longest open first."""
    if not _has(ds, "appraisals"):
        return pd.DataFrame(columns=DOSSIER_COLUMNS)
    states = _states(ds, period)
    end = periods.period_end(period)
    open_ = states[~states["stage"].isin(DOSSIER_CLOSED)]
    open_ = open_.assign(unit_name=open_["unit_code"].map(_unit_names(ds)),
                         days_in_stage=(end - open_["stage_date"]).dt.days,
                         days_open=(end - open_["submitted_on"]).dt.days,
                         open_long=open_["open_long"].astype(bool))
    return open_.sort_values(["days_open", "dossier_id"], ascending=[False, True])[DOSSIER_COLUMNS] \
        .reset_index(drop=True)


def time_in_stage(ds, period: str) -> pd.DataFrame:
    """Days dossiers spent in each stage: over the stages left by the end of P (``passed``: how many, the
    median and the longest), and for the dossiers in that stage at P (``current``, median days so far)."""
    if not _has(ds, "appraisals"):
        return pd.DataFrame(columns=STAGE_TIME_COLUMNS)
    end = periods.period_end(period)
    rows = ds.table("appraisals")
    rows = rows[rows["stage_date"].notna() & (rows["stage_date"] <= end)]
    rows = rows.sort_values(["dossier_id", "stage_date"], kind="stable")
    left = rows.assign(next_date=rows.groupby("dossier_id")["stage_date"].shift(-1))
    left = left[left["next_date"].notna()]
    passed = left.assign(days=(left["next_date"] - left["stage_date"]).dt.days).groupby("stage")["days"] \
        .agg(passed="size", median_days="median", max_days="max")
    current = open_dossiers(ds, period).groupby("stage")["days_in_stage"] \
        .agg(current="size", current_median_days="median")
    out = passed.join(current, how="outer").reindex(list(DOSSIER_STAGE)).dropna(how="all")
    out = out.assign(passed=out["passed"].fillna(0).astype("int64"), current=out["current"].fillna(0).astype("int64"))
    return out.rename_axis("stage").reset_index()[STAGE_TIME_COLUMNS]


def council_schedule(ds, period: str) -> pd.DataFrame:
    """The appraisal council's sessions of the year of P and any later planned one: dossiers put to each
    (by level, stage at P), of them approved at P, and whether it is held by the end of P or planned."""
    if not _has(ds, "appraisals"):
        return pd.DataFrame(columns=COUNCIL_COLUMNS)
    states = _states(ds, period)
    states = states[states["council_date"].notna()
                    & (states["council_date"].dt.year >= periods.period_year(period))]
    if states.empty:
        return pd.DataFrame(columns=COUNCIL_COLUMNS)
    by_level = pd.crosstab(states["council_date"], states["level"]).reindex(columns=list(LEVEL)).fillna(0)
    approved = (states["stage"] == "approved").groupby(states["council_date"]).sum()
    out = by_level.astype("int64").assign(dossiers=by_level.sum(axis=1).astype("int64"),
                                          approved=approved.astype("int64"))
    out = out.rename_axis(index="council_date", columns=None).reset_index()
    return out.assign(held=out["council_date"] <= periods.period_end(period))[COUNCIL_COLUMNS]


def _visits_of_year(ds, period: str) -> pd.DataFrame:
    rows = ds.table("inspections")
    end = periods.period_end(period)
    return rows[rows["visit_date"].notna() & (rows["visit_date"] <= end)
                & (rows["visit_date"].dt.year == periods.period_year(period))]


def _has_finding(rows: pd.DataFrame) -> pd.Series:
    return rows["finding"].notna() & (rows["finding"].astype("string").str.strip() != "")


def inspection_calendar(ds, period: str) -> pd.DataFrame:
    """The inspection rounds with a visit in the year of P by the end of P (``inspections.visits_year``):
    kind, lead, first and last visit, units visited, findings, and their actions open and overdue at P."""
    if not _has(ds, "inspections"):
        return pd.DataFrame(columns=CALENDAR_COLUMNS)
    rows = _visits_of_year(ds, period)
    pending = open_actions(ds, period)
    rows = rows.assign(has_finding=_has_finding(rows))
    rounds = rows.groupby("inspection_id", as_index=False).agg(
        kind=("kind", "first"), lead=("lead", "first"), first_visit=("visit_date", "min"),
        last_visit=("visit_date", "max"), units=("unit_code", "nunique"), findings=("has_finding", "sum"))
    opened = pending.groupby("inspection_id").size()
    late = pending[pending["action_due"] < periods.period_end(period)].groupby("inspection_id").size()
    rounds = rounds.assign(actions_open=rounds["inspection_id"].map(opened).fillna(0).astype("int64"),
                           actions_overdue=rounds["inspection_id"].map(late).fillna(0).astype("int64"),
                           findings=rounds["findings"].astype("int64"))
    return rounds.sort_values(["first_visit", "inspection_id"])[CALENDAR_COLUMNS].reset_index(drop=True)


def visits_by_month(ds, period: str) -> pd.DataFrame:
    """Unit visits (distinct round × unit × day) by month of the year of P up to P and by kind; every month
    of the year up to P is present (zero when no visit)."""
    if not _has(ds, "inspections"):
        return pd.DataFrame(columns=MONTH_COLUMNS)
    rows = _visits_of_year(ds, period).drop_duplicates(["inspection_id", "unit_code", "visit_date"])
    months = periods.period_range(f"{periods.period_year(period)}-01", periods.parse_period(period))
    kinds = sorted(ds.table("inspections")["kind"].dropna().unique())
    counts = rows.assign(month=rows["visit_date"].dt.strftime("%Y-%m")).groupby(["month", "kind"]).size()
    full = pd.MultiIndex.from_product([months, kinds], names=["month", "kind"])
    return counts.reindex(full, fill_value=0).rename("visits").reset_index()[MONTH_COLUMNS]


def findings_by_criterion(ds, period: str) -> pd.DataFrame:
    """Findings of the visits of the year of P by criterion (blank: no criterion named), each criterion with
    the set it is read in (in force on the day of the visit; a year may hold visits under two sets): how
    many, resolved by the end of P, still open at P (an action due, not resolved) and of those overdue; the
    set in force at P first, then by criterion number."""
    if not _has(ds, "inspections"):
        return pd.DataFrame(columns=FINDING_COLUMNS)
    end = periods.period_end(period)
    rows = _visits_of_year(ds, period)
    rows = rows[_has_finding(rows)]
    resolved = rows["resolved_on"].notna() & (rows["resolved_on"] <= end)
    open_ = rows["action_due"].notna() & ~resolved
    criteria_set = read_criteria(ds, rows["criterion"], rows["visit_date"], period)["criteria_set"]
    flags = pd.DataFrame({"criteria_set": criteria_set,
                          "criterion": rows["criterion"].astype("string").str.strip().fillna(""),
                          "findings": 1, "resolved": resolved.astype("int64"), "open": open_.astype("int64"),
                          "overdue": (open_ & (rows["action_due"] < end)).astype("int64")})
    out = flags.groupby(["criteria_set", "criterion"], as_index=False)[["findings", "resolved", "open",
                                                                        "overdue"]].sum()
    current = ds.criteria_set_for(periods.parse_period(period)).id
    out = out.assign(_old=out["criteria_set"] != current, _order=pd.to_numeric(out["criterion"], errors="coerce"))
    return out.sort_values(["_old", "criteria_set", "_order", "criterion"], na_position="last")[FINDING_COLUMNS] \
        .reset_index(drop=True)


def responsible_department(ds, period: str, actions: pd.DataFrame) -> pd.Series:
    """The department answerable for each action: the one leading its criterion in the set in force on the
    day of the visit (the office's assignment for that set, ``reference/criteria_departments``, as the
    department brief reads it); for a finding without a criterion of that set, the round's ``lead``."""
    reading = read_criteria(ds, actions["criterion"], actions["visit_date"], period)
    return reading["department"].astype("object").where(reading["department"].notna(),
                                                         actions["lead"].astype("object"))


def _actions(ds, period: str, overdue_only: bool) -> pd.DataFrame:
    if not _has(ds, "inspections"):
        return pd.DataFrame(columns=ACTION_COLUMNS)
    actions = open_actions(ds, periods.parse_period(period), overdue_only=overdue_only)
    reading = read_criteria(ds, actions["criterion"], actions["visit_date"], period)
    return actions.assign(unit_name=actions["unit_code"].map(_unit_names(ds)),
                          criterion=actions["criterion"].astype("string").str.strip(),
                          criteria_set=reading["criteria_set"],
                          department=responsible_department(ds, period, actions))[ACTION_COLUMNS]


def open_action_list(ds, period: str) -> pd.DataFrame:
    """The inspection actions open at P (``inspections.actions_open``) with the unit's name and the
    responsible department (``responsible_department``); earliest due first."""
    return _actions(ds, period, overdue_only=False)


def overdue_action_list(ds, period: str) -> pd.DataFrame:
    """The open actions past their due date at the end of P (``inspections.actions_overdue``), most overdue
    first."""
    actions = _actions(ds, period, overdue_only=True)
    return actions.sort_values(["days_overdue", "inspection_id"], ascending=[False, True]).reset_index(drop=True)


def actions_by_department(ds, period: str) -> pd.DataFrame:
    """Open and overdue actions at P by responsible department, with the earliest due date and the most
    days overdue; most overdue first. The sums are ``inspections.actions_open`` and ``actions_overdue``."""
    actions = open_action_list(ds, period)
    if actions.empty:
        return pd.DataFrame(columns=DEPARTMENT_COLUMNS)
    late = actions["action_due"] < periods.period_end(period)
    flags = actions.assign(actions_open=1, actions_overdue=late.astype("int64"))
    out = flags.groupby("department", as_index=False).agg(
        actions_open=("actions_open", "sum"), actions_overdue=("actions_overdue", "sum"),
        oldest_due=("action_due", "min"), max_days_overdue=("days_overdue", "max"))
    return out.sort_values(["actions_overdue", "actions_open", "department"], ascending=[False, False, True]) \
        [DEPARTMENT_COLUMNS].reset_index(drop=True)


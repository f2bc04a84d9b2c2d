"""Cross-table rules of the office's working pipelines: projects and their progress, appraisal dossiers,
inspections, the OCOP council cycle (data contract, "The office's working pipelines").

Pure functions over typed frames, like ``nrd.io.validate``: frames (and the unit registry) in, findings out;
each finding names the file, sheet, row and column of the offending cell.
"""

from __future__ import annotations

import pandas as pd

from nrd.errors import NrdError
from nrd.io.findings import ERROR, WARNING, Finding
from nrd.io.schemas import ROW
from nrd.io.validate import _finding, _rows

OFFICE = "vpdp"  # the coordination office itself, as the lead of an inspection


def _present(tables: dict, name: str) -> pd.DataFrame | None:
    frame = tables.get(name)
    return None if frame is None or frame.empty else frame


def check_progress_projects(tables: dict) -> list[Finding]:
    """Progress rows name a project of ``projects``; physical % never decreases; disbursement stays within
    the project's total investment."""
    progress = _present(tables, "project_progress")
    if progress is None:
        return []
    projects = tables.get("projects")
    known = set() if projects is None else set(projects["project_id"].dropna())
    findings = [
        _finding(ERROR, "unknown_project", "project_progress", row, "project_id", row.project_id,
                 "a project_id of projects", "no such project in projects")
        for row in _rows(progress[~progress["project_id"].isin(known)])
    ]
    ordered = progress.sort_values(["project_id", "period", ROW])
    previous = ordered.groupby("project_id", sort=False)["physical_pct"].cummax().groupby(
        ordered["project_id"], sort=False).shift(1)
    dropped = ordered[ordered["physical_pct"] < previous - 1e-9]
    for row, before in zip(_rows(dropped), previous[dropped.index]):
        findings.append(_finding(WARNING, "progress_decreasing", "project_progress", row, "physical_pct",
                                 f"{row.physical_pct:g}", f"at least {before:g} (an earlier month)",
                                 "physical progress is lower than in an earlier month"))
    if projects is not None and not projects.empty:
        total = projects.drop_duplicates("project_id").set_index("project_id")["total_investment_mvnd"]
        limit = progress["project_id"].map(total)
        above = progress[limit.notna() & (progress["disbursed_mvnd"] > limit + 1e-9)]
        for row, cap in zip(_rows(above), limit[above.index]):
            findings.append(_finding(ERROR, "disbursed_above_investment", "project_progress", row,
                                     "disbursed_mvnd", f"{row.disbursed_mvnd:g}", f"at most {cap:g}",
                                     "cumulative disbursement exceeds the project's total investment"))
    return findings


def check_projects(tables: dict) -> list[Finding]:
    """Total investment is positive; the planned completion is not before the start."""
    projects = _present(tables, "projects")
    if projects is None:
        return []
    findings = [
        _finding(ERROR, "investment_not_positive", "projects", row, "total_investment_mvnd",
                 f"{row.total_investment_mvnd:g}", "> 0", "a project's total investment must be positive")
        for row in _rows(projects[projects["total_investment_mvnd"] <= 0])
    ]
    late = projects[projects["start_date"].notna() & (projects["planned_end"] < projects["start_date"])]
    findings += [
        _finding(ERROR, "end_before_start", "projects", row, "planned_end", f"{row.planned_end:%Y-%m-%d}",
                 f"on or after the start, {row.start_date:%Y-%m-%d}", "planned completion before the start")
        for row in _rows(late)
    ]
    return findings


def check_appraisals(tables: dict, units: pd.DataFrame) -> list[Finding]:
    """Stage dates not before submission; dossiers of communes only; one unit and level per dossier; an
    approved dossier's decision is a recognition of that unit and level (when recognitions are present)."""
    dossiers = _present(tables, "appraisals")
    if dossiers is None:
        return []
    findings = [
        _finding(ERROR, "stage_before_submission", "appraisals", row, "stage_date", f"{row.stage_date:%Y-%m-%d}",
                 f"on or after submitted_on, {row.submitted_on:%Y-%m-%d}", "stage date before the submission")
        for row in _rows(dossiers[dossiers["stage_date"] < dossiers["submitted_on"]])
    ]
    types = dict(zip(units["unit_code"], units["unit_type"]))
    findings += [
        _finding(ERROR, "commune_only", "appraisals", row, "unit_code", row.unit_code, "a commune",
                 "recognition dossiers concern communes, not wards")
        for row in _rows(dossiers[dossiers["unit_code"].map(types).fillna("commune") != "commune"])
    ]
    first = dossiers.groupby("dossier_id")[["unit_code", "level"]].transform("first")
    mixed = dossiers[(first["unit_code"] != dossiers["unit_code"]) | (first["level"] != dossiers["level"])]
    findings += [
        _finding(ERROR, "dossier_inconsistent", "appraisals", row, "unit_code", f"{row.unit_code} {row.level}",
                 "the same unit and level on every row of a dossier", "the dossier changes unit or level")
        for row in _rows(mixed)
    ]
    recognitions = tables.get("recognitions")
    if recognitions is not None:
        known = set(zip(recognitions["unit_code"], recognitions["level"], recognitions["decision_no"]))
        approved = dossiers[dossiers["stage"] == "approved"]
        for row in _rows(approved):
            if (row.unit_code, row.level, row.decision_no) not in known:
                findings.append(_finding(
                    WARNING, "approval_without_recognition", "appraisals", row, "decision_no",
                    row.decision_no, f"a decision of recognitions for {row.unit_code}, level {row.level}",
                    "an approved dossier whose decision is not in recognitions"))
    return findings


def check_inspections(tables: dict) -> list[Finding]:
    """Action due and resolution not before the visit; a due date or resolution needs a finding."""
    visits = _present(tables, "inspections")
    if visits is None:
        return []
    findings = []
    for column, rule in (("action_due", "due_before_visit"), ("resolved_on", "resolved_before_visit")):
        early = visits[visits[column].notna() & (visits[column] < visits["visit_date"])]
        findings += [
            _finding(ERROR, rule, "inspections", row, column, f"{getattr(row, column):%Y-%m-%d}",
                     f"on or after the visit, {row.visit_date:%Y-%m-%d}", f"{column} before the visit date")
            for row in _rows(early)
        ]
    from nrd.reference.catalogs import resolve_department

    leads = {text: text.strip().lower() == OFFICE or resolve_department(text) is not None
             for text in visits["lead"].dropna().unique()}
    findings += [
        _finding(ERROR, "unknown_lead", "inspections", row, "lead", row.lead,
                 f"a department id or name, or {OFFICE} (the coordination office)", "no such department")
        for row in _rows(visits[~visits["lead"].map(leads).fillna(True).astype(bool)])
    ]
    orphan = visits[visits["finding"].isna() & visits["action_due"].notna()]
    findings += [
        _finding(WARNING, "action_without_finding", "inspections", row, "finding", "",
                 "the finding the action remedies", "an action due date without a finding")
        for row in _rows(orphan)
    ]
    return findings


def check_ocop_council(tables: dict) -> list[Finding]:
    """A registration's result stars are given only once it is evaluated."""
    registrations = _present(tables, "ocop_registrations")
    if registrations is None or "result_stars" not in registrations.columns:
        return []
    early = registrations[registrations["result_stars"].notna() & (registrations["stage"] != "evaluated")]
    return [
        _finding(WARNING, "result_before_evaluation", "ocop_registrations", row, "result_stars",
                 str(row.result_stars), "blank until the stage is evaluated", "stars given before evaluation")
        for row in _rows(early)
    ]


def check_pipeline_criteria(tables: dict) -> list[Finding]:
    """A project's criterion is a criterion of a criteria set the product knows; an inspection finding's
    criterion is one of the set in force in the month of the visit (reference data, never code)."""
    from nrd.reference import criteria_set_for, load_criteria_sets

    findings: list[Finding] = []
    projects = _present(tables, "projects")
    if projects is not None:
        known = {str(c).strip() for cs in load_criteria_sets().values() for c in cs.criteria["criterion"]}
        tagged = projects[projects["criterion"].notna()]
        unknown = tagged[~tagged["criterion"].astype(str).str.strip().isin(known)]
        findings += [
            _finding(WARNING, "unknown_criterion", "projects", row, "criterion", str(row.criterion),
                     "a criterion number of a criteria set (e.g. 2, 17)", "no criteria set has this criterion")
            for row in _rows(unknown)
        ]
    visits = _present(tables, "inspections")
    if visits is not None:
        tagged = visits[visits["criterion"].notna() & visits["visit_date"].notna()]
        months = tagged["visit_date"].dt.strftime("%Y-%m")
        in_force = {}
        for month in sorted(set(months)):
            try:
                criteria_set = criteria_set_for(month)
            except NrdError:  # a month no set covers: the recognition rules report the period itself
                continue
            in_force[month] = (criteria_set.id, {str(c).strip() for c in criteria_set.criteria["criterion"]})
        for row, month in zip(_rows(tagged), months):
            if month in in_force and str(row.criterion).strip() not in in_force[month][1]:
                findings.append(_finding(WARNING, "criterion_not_in_set", "inspections", row, "criterion",
                                         str(row.criterion), f"a criterion of {in_force[month][0]}, in force "
                                         f"in {month}", "the criterion is not in the set in force at the visit"))
    return findings


def validate_pipelines(tables: dict[str, pd.DataFrame], units: pd.DataFrame) -> list[Finding]:
    """Every rule of the pipeline tables (each one silent when its tables are absent)."""
    return [
        *check_projects(tables),
        *check_progress_projects(tables),
        *check_appraisals(tables, units),
        *check_inspections(tables),
        *check_ocop_council(tables),
        *check_pipeline_criteria(tables),
    ]

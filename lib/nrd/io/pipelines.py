"""Cross-table rules of the office's working pipelines: projects and their progress, appraisal dossiers,
inspections, the OCOP council cycle (data contract, "The office's working pipelines").

Pure functions over typed frames, like ``nrd.io.validate``: frames (and the unit registry) in, findings out;
each finding names the file, sheet, row and column of the offending cell.
"""

from __future__ import annotations

import pandas as pd

from nrd.io.findings import ERROR, WARNING, Finding
from nrd.io.schemas import ROW
from nrd.io.validate import _finding, _rows

OFFICE = "vpdp"  # the coordination office itself, as the lead of an inspection


def _present(tables: dict, name: str) -> pd.DataFrame | None:
    frame = tables.get(name)
    return None if frame is None or frame.empty else frame


def _cumulative_falls(ordered: pd.DataFrame, column: str, kind: str, message: str) -> list:
    """A warning for each progress row (``ordered`` by project and period) whose ``column``, a cumulative
    figure, is below its highest value in an earlier month of the same project."""
    before = ordered.groupby("project_id", sort=False)[column].cummax().groupby(
        ordered["project_id"], sort=False).shift(1)
    fell = ordered[ordered[column] < before - 1e-9]
    return [_finding(WARNING, kind, "project_progress", row, column, f"{getattr(row, column):g}",
                     f"at least {earlier:g} (an earlier month)", message)
            for row, earlier in zip(_rows(fell), before[fell.index])]


def check_progress_projects(tables: dict) -> list[Finding]:
    """Progress rows name a project of ``projects``; physical % and cumulative disbursement never decrease;
    a completed project is 100 % done; disbursement stays within the project's total investment."""
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
    findings += _cumulative_falls(ordered, "physical_pct", "progress_decreasing",
                                  "physical progress is lower than in an earlier month")
    findings += _cumulative_falls(ordered, "disbursed_mvnd", "disbursed_decreasing",
                                  "cumulative disbursement is lower than in an earlier month")
    unfinished = progress[(progress["status"] == "completed") & (progress["physical_pct"] < 100 - 1e-9)]
    findings += [
        _finding(WARNING, "completed_below_100", "project_progress", row, "physical_pct", f"{row.physical_pct:g}",
                 "100 when the status is completed", "a completed project whose physical progress is below 100 %")
        for row in _rows(unfinished)
    ]
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
    early = dossiers[dossiers["council_date"].notna() & (dossiers["council_date"] < dossiers["submitted_on"])]
    findings += [
        _finding(WARNING, "council_before_submission", "appraisals", row, "council_date",
                 f"{row.council_date:%Y-%m-%d}", f"on or after submitted_on, {row.submitted_on:%Y-%m-%d}",
                 "the appraisal council meets before the dossier is submitted")
        for row in _rows(early)
    ]
    findings += _levels_outside_their_set(dossiers)
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


def _levels_outside_their_set(dossiers: pd.DataFrame) -> list[Finding]:
    """A dossier's level is a tier of its criteria set (named, or in force on submitted_on): the 2026-2030
    set has no advanced or model level, the 2021-2025 one no modern pilot."""
    from nrd.reference import criteria_set_on, load_criteria_sets

    sets = load_criteria_sets()
    named = dossiers["criteria_set"] if "criteria_set" in dossiers else pd.Series(None, index=dossiers.index)
    days = {pd.Timestamp(day): criteria_set_on(day).id for day in dossiers["submitted_on"].dropna().unique()}
    set_ids = named.where(named.notna(), dossiers["submitted_on"].map(days))
    tiers = set_ids.map(lambda set_id: sets[set_id].tiers if set_id in sets else None)
    outside = [i for i, level, allowed in zip(dossiers.index, dossiers["level"], tiers)
               if allowed is not None and pd.notna(level) and level not in allowed]
    return [
        _finding(WARNING, "level_not_in_set", "appraisals", row, "level", row.level,
                 f"a level of {set_id}: {', '.join(sets[set_id].tiers)}",
                 "the criteria set of the dossier has no such level")
        for row, set_id in zip(_rows(dossiers.loc[outside]), set_ids.loc[outside])
    ]


def check_inspections(tables: dict, units: pd.DataFrame | None = None) -> list[Finding]:
    """Action due and resolution not before the visit; a due date or resolution needs a finding; an
    appraisal check (thẩm tra, of a commune proposed for recognition) is not made on a ward."""
    visits = _present(tables, "inspections")
    if visits is None:
        return []
    findings = []
    if units is not None:
        types = dict(zip(units["unit_code"], units["unit_type"]))
        on_ward = visits[(visits["kind"] == "appraisal_check") & (visits["unit_code"].map(types) == "ward")]
        findings += [
            _finding(WARNING, "appraisal_check_on_ward", "inspections", row, "unit_code", row.unit_code,
                     "a commune (wards are outside the NRA criteria)", "an appraisal check of a ward")
            for row in _rows(on_ward)
        ]
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


def latest_period(tables: dict) -> str | None:
    """The data's latest period: of ``criteria_status``, or of any table with a period (``Dataset``'s rule)."""
    frame = tables.get("criteria_status")
    if frame is not None and frame["period"].notna().any():
        return str(frame["period"].dropna().max())
    found = [frame["period"].dropna().max() for frame in tables.values()
             if frame is not None and "period" in frame.columns and frame["period"].notna().any()]
    return str(max(found)) if found else None


def check_ocop_council(tables: dict) -> list[Finding]:
    """A registration's result stars are given only once it is evaluated; its cycle is the year of the
    registration or the next; the council meets after the registration, and an evaluated registration's
    council has met by the data's latest period."""
    registrations = _present(tables, "ocop_registrations")
    if registrations is None:
        return []
    findings: list[Finding] = []
    if "result_stars" in registrations.columns:
        early = registrations[registrations["result_stars"].notna() & (registrations["stage"] != "evaluated")]
        findings += [
            _finding(WARNING, "result_before_evaluation", "ocop_registrations", row, "result_stars",
                     str(row.result_stars), "blank until the stage is evaluated", "stars given before evaluation")
            for row in _rows(early)
        ]
    year = registrations["registered_on"].dt.year
    off = registrations[registrations["cycle"].notna() & year.notna()
                        & ~registrations["cycle"].sub(year).isin([0, 1])]
    findings += [
        _finding(WARNING, "cycle_mismatch", "ocop_registrations", row, "cycle", str(row.cycle),
                 f"{row.registered_on.year} or {row.registered_on.year + 1} (registered on "
                 f"{row.registered_on:%Y-%m-%d})", "the evaluation cycle is not the year of the registration "
                 "or the next")
        for row in _rows(off)
    ]
    if "council_date" not in registrations.columns:
        return findings
    council = registrations["council_date"]
    before = registrations[council.notna() & (council < registrations["registered_on"])]
    findings += [
        _finding(WARNING, "council_before_registration", "ocop_registrations", row, "council_date",
                 f"{row.council_date:%Y-%m-%d}", f"on or after registered_on, {row.registered_on:%Y-%m-%d}",
                 "the council meets before the product is registered")
        for row in _rows(before)
    ]
    latest = latest_period(tables)
    if latest is not None:
        from nrd.periods import period_end

        end = period_end(latest)
        ahead = registrations[(registrations["stage"] == "evaluated") & council.notna() & (council > end)]
        findings += [
            _finding(WARNING, "evaluated_before_council", "ocop_registrations", row, "stage", row.stage,
                     f"submitted until the council of {row.council_date:%Y-%m-%d} (the data end in {latest})",
                     "evaluated by a council that has not met by the data's latest period")
            for row in _rows(ahead)
        ]
    return findings


def _outside_set_on(frame: pd.DataFrame, table: str, day_column: str, what: str) -> tuple[list[Finding], pd.Index]:
    """``criterion_not_in_set`` for the rows of ``frame`` dated in ``day_column`` whose criterion is not one of
    the set in force on that day; also the index of the undated rows (left to the caller)."""
    from nrd.reference import criteria_set_on

    tagged = frame[frame["criterion"].notna()]
    dated = tagged[tagged[day_column].notna()]
    in_force = {}
    for day in dated[day_column].unique():
        criteria_set = criteria_set_on(day)
        in_force[pd.Timestamp(day)] = (criteria_set.id, {str(c).strip() for c in criteria_set.criteria["criterion"]})
    findings = []
    for row in _rows(dated):
        set_id, criteria = in_force[pd.Timestamp(getattr(row, day_column))]
        if str(row.criterion).strip() not in criteria:
            day = getattr(row, day_column)
            findings.append(_finding(WARNING, "criterion_not_in_set", table, row, "criterion", str(row.criterion),
                                     f"a criterion of {set_id}, in force on {what} {day:%Y-%m-%d}",
                                     f"the criterion is not in the set in force on {what}"))
    return findings, tagged.index.difference(dated.index)


def check_pipeline_criteria(tables: dict) -> list[Finding]:
    """A project's criterion is one of the set in force at its start (without a start: of some set); an
    inspection finding's criterion is one of the set in force on the day of the visit. The reports read
    them in the same sets (``nrd.indicators.pipeline_criteria``)."""
    from nrd.reference import load_criteria_sets

    findings: list[Finding] = []
    projects = _present(tables, "projects")
    if projects is not None:
        outside, undated = _outside_set_on(projects, "projects", "start_date", "the start")
        findings += outside
        known = {str(c).strip() for cs in load_criteria_sets().values() for c in cs.criteria["criterion"]}
        unknown = projects.loc[undated]
        unknown = unknown[~unknown["criterion"].astype(str).str.strip().isin(known)]
        findings += [
            _finding(WARNING, "unknown_criterion", "projects", row, "criterion", str(row.criterion),
                     "a criterion number of a criteria set (e.g. 2, 17)", "no criteria set has this criterion")
            for row in _rows(unknown)
        ]
    visits = _present(tables, "inspections")
    if visits is not None:
        findings += _outside_set_on(visits, "inspections", "visit_date", "the visit")[0]
    return findings


def validate_pipelines(tables: dict[str, pd.DataFrame], units: pd.DataFrame) -> list[Finding]:
    """Every rule of the pipeline tables (each one silent when its tables are absent)."""
    return [
        *check_projects(tables),
        *check_progress_projects(tables),
        *check_appraisals(tables, units),
        *check_inspections(tables, units),
        *check_ocop_council(tables),
        *check_pipeline_criteria(tables),
    ]

"""The views a report's workbook holds besides its indicator rows, by name (a report kind's ``sheets`` in
``nrd.reports``): each name gives ``(dataset, period, key) -> {sheet name: frame}``, the same frames the
report shows (``nrd.indicators`` views); headers are made Vietnamese by the export.

A coded column (a category, a status, a stage, a kind of visit, a level, a lead or responsible department,
a criteria set) holds its Vietnamese label, as the page shows it, and its code stays beside it in a column
``<name>_code`` ("… (mã)") for whoever filters or joins the sheet by code (``readable``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from nrd.errors import UnknownNameError
from nrd.present.i18n import t

SheetView = Callable[[Any, str, "str | None"], dict[str, pd.DataFrame]]
#: Suffix of the column keeping a coded column's codes (``xlsx.code_suffix`` in its header).
CODE_SUFFIX = "_code"
SHEET_VIEWS: dict[str, SheetView] = {}
_LANG = "vi"


def register_sheets(name: str) -> Callable[[SheetView], SheetView]:
    def register(function: SheetView) -> SheetView:
        SHEET_VIEWS[name] = function
        return function
    return register


def _sheet(key: str) -> str:
    return t(f"xlsx.sheet.{key}", _LANG)


def _enum(kind: str) -> Callable[[object], str]:
    from nrd.present.i18n import enum_label

    return lambda code: enum_label(kind, code, _LANG)


def _lead(code: object) -> str:
    from nrd.present.appraisal_sections import lead_name

    return lead_name(code, _LANG)


def _criteria_set(code: object) -> str:
    from nrd.present.i18n import criteria_set_name

    try:
        return criteria_set_name(str(code), _LANG)
    except UnknownNameError:
        return str(code)


#: How the coded columns of the sheets read (the label of each code, in the workbook's language).
_CODED: dict[str, Callable[[], Callable[[object], str]]] = {
    "category": lambda: _enum("project_category"), "status": lambda: _enum("project_status"),
    "kind": lambda: _enum("inspection_kind"), "level": lambda: _enum("level"), "step": lambda: _enum("stage"),
    "lead": lambda: _lead, "department": lambda: _lead, "criteria_set": lambda: _criteria_set,
}
#: Columns renamed for their header: a project's ``status`` is its "Tình trạng" (``xlsx.status``, "Kết quả",
#: heads a criterion's result).
_RENAMED = {"status": "project_status"}


def readable(frame: pd.DataFrame, stage: str | None = None) -> pd.DataFrame:
    """``frame`` with each coded column holding its label and its codes in ``<name>_code`` just after it
    (blank cells stay blank); ``stage``: the enumeration of its ``stage`` column (``dossier_stage`` for
    recognition dossiers, ``stage`` for OCOP registrations)."""
    coded = {name: make() for name, make in _CODED.items()}
    if stage is not None:
        coded["stage"] = _enum(stage)
    out = {}
    for column in frame.columns:
        values = frame[column]
        if column not in coded:
            out[column] = values
            continue
        label = coded[column]
        name = _RENAMED.get(column, column)
        out[name] = values.map(lambda v, label=label: None if pd.isna(v) else label(v)).astype("object")
        out[f"{name}{CODE_SUFFIX}"] = values
    return pd.DataFrame(out, index=frame.index)


@register_sheets("unit_pipelines")
def _unit_pipelines(ds, period: str, key: str | None) -> dict[str, pd.DataFrame]:
    from nrd.indicators import unit_pipelines

    if key is None:
        return {}
    views = unit_pipelines(ds, period, key)
    return {_sheet("projects"): readable(views.projects),
            _sheet("dossiers"): readable(views.dossiers, "dossier_stage"), _sheet("actions"): readable(views.actions)}


@register_sheets("department_pipelines")
def _department_pipelines(ds, period: str, key: str | None) -> dict[str, pd.DataFrame]:
    from nrd.indicators import department_pipelines

    if key is None:
        return {}
    views = department_pipelines(ds, period, key)
    return {_sheet("projects"): readable(views.projects), _sheet("actions"): readable(views.actions)}


@register_sheets("ocop_cycle")
def _ocop_cycle(ds, period: str, key: str | None) -> dict[str, pd.DataFrame]:
    from nrd.indicators import council_sessions, evaluation_cycle, named_five_star_candidates

    return {_sheet("ocop_cycle"): readable(evaluation_cycle(ds, period)),
            _sheet("ocop_council"): council_sessions(ds, period),
            _sheet("five_star"): readable(named_five_star_candidates(ds, period), "stage")}


@register_sheets("works_projects")
def _works_projects(ds, period: str, key: str | None) -> dict[str, pd.DataFrame]:
    from nrd.indicators import (
        overdue_project_list,
        project_portfolio,
        project_schedule,
        projects_by_unit,
        stalled_project_list,
    )

    return {_sheet("works_categories"): readable(project_portfolio(ds, period)),
            _sheet("works_units"): projects_by_unit(ds, period),
            _sheet("works_schedule"): readable(project_schedule(ds, period)),
            _sheet("works_overdue"): readable(overdue_project_list(ds, period)),
            _sheet("works_stalled"): readable(stalled_project_list(ds, period))}


@register_sheets("appraisal_inspection")
def _appraisal_inspection(ds, period: str, key: str | None) -> dict[str, pd.DataFrame]:
    from nrd import indicators as ind

    # findings by criterion count inspection actions: their open / overdue columns take the actions' headers
    # ("Chưa khắc phục", "Quá hạn"), not the projects' ("Chưa hoàn thành", "Chậm tiến độ")
    findings = ind.findings_by_criterion(ds, period).rename(columns={"open": "actions_open",
                                                                      "overdue": "actions_overdue"})
    return {_sheet("appraisal_pipeline"): readable(ind.dossier_pipeline(ds, period), "dossier_stage"),
            _sheet("appraisal_open"): readable(ind.open_dossiers(ds, period), "dossier_stage"),
            _sheet("appraisal_stage_time"): readable(ind.time_in_stage(ds, period), "dossier_stage"),
            _sheet("appraisal_councils"): ind.council_schedule(ds, period),
            _sheet("inspection_calendar"): readable(ind.inspection_calendar(ds, period)),
            _sheet("inspection_findings"): readable(findings),
            _sheet("inspection_departments"): readable(ind.actions_by_department(ds, period)),
            _sheet("inspection_overdue"): readable(ind.overdue_action_list(ds, period))}


def view_sheets(names: tuple[str, ...], ds, period: str, key: str | None) -> dict[str, pd.DataFrame]:
    """The sheets of the views ``names``, in order.

    Raises:
        UnknownNameError: a name is not a registered sheet view.
    """
    sheets: dict[str, pd.DataFrame] = {}
    for name in names:
        if name not in SHEET_VIEWS:
            raise UnknownNameError("workbook sheet view", name, sorted(SHEET_VIEWS))
        sheets.update(SHEET_VIEWS[name](ds, period, key))
    return sheets

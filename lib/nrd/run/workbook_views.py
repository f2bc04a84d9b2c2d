"""The views a report's workbook holds besides its indicator rows, by name (a report kind's ``sheets`` in
``nrd.reports``): each name gives ``(dataset, period, key) -> {sheet name: frame}``, the same frames the
report shows (``nrd.indicators`` views), with their code columns; headers are made Vietnamese by the export.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from nrd.errors import UnknownNameError
from nrd.present.i18n import t

SheetView = Callable[[Any, str, "str | None"], dict[str, pd.DataFrame]]
SHEET_VIEWS: dict[str, SheetView] = {}
_LANG = "vi"


def register_sheets(name: str) -> Callable[[SheetView], SheetView]:
    def register(function: SheetView) -> SheetView:
        SHEET_VIEWS[name] = function
        return function
    return register


def _sheet(key: str) -> str:
    return t(f"xlsx.sheet.{key}", _LANG)


@register_sheets("unit_pipelines")
def _unit_pipelines(ds, period: str, key: str | None) -> dict[str, pd.DataFrame]:
    from nrd.indicators import unit_pipelines

    if key is None:
        return {}
    views = unit_pipelines(ds, period, key)
    return {_sheet("projects"): views.projects, _sheet("dossiers"): views.dossiers, _sheet("actions"): views.actions}


@register_sheets("department_pipelines")
def _department_pipelines(ds, period: str, key: str | None) -> dict[str, pd.DataFrame]:
    from nrd.indicators import department_pipelines

    if key is None:
        return {}
    views = department_pipelines(ds, period, key)
    return {_sheet("projects"): views.projects, _sheet("actions"): views.actions}


@register_sheets("ocop_cycle")
def _ocop_cycle(ds, period: str, key: str | None) -> dict[str, pd.DataFrame]:
    from nrd.indicators import council_sessions, evaluation_cycle, named_five_star_candidates

    return {_sheet("ocop_cycle"): evaluation_cycle(ds, period), _sheet("ocop_council"): council_sessions(ds, period),
            _sheet("five_star"): named_five_star_candidates(ds, period)}


@register_sheets("works_projects")
def _works_projects(ds, period: str, key: str | None) -> dict[str, pd.DataFrame]:
    from nrd.indicators import (
        overdue_project_list,
        project_portfolio,
        project_schedule,
        projects_by_unit,
        stalled_project_list,
    )

    return {_sheet("works_categories"): project_portfolio(ds, period),
            _sheet("works_units"): projects_by_unit(ds, period), _sheet("works_schedule"): project_schedule(ds, period),
            _sheet("works_overdue"): overdue_project_list(ds, period),
            _sheet("works_stalled"): stalled_project_list(ds, period)}


@register_sheets("appraisal_inspection")
def _appraisal_inspection(ds, period: str, key: str | None) -> dict[str, pd.DataFrame]:
    from nrd import indicators as ind

    return {_sheet("appraisal_pipeline"): ind.dossier_pipeline(ds, period),
            _sheet("appraisal_open"): ind.open_dossiers(ds, period),
            _sheet("appraisal_stage_time"): ind.time_in_stage(ds, period),
            _sheet("appraisal_councils"): ind.council_schedule(ds, period),
            _sheet("inspection_calendar"): ind.inspection_calendar(ds, period),
            _sheet("inspection_findings"): ind.findings_by_criterion(ds, period),
            _sheet("inspection_departments"): ind.actions_by_department(ds, period),
            _sheet("inspection_overdue"): ind.overdue_action_list(ds, period)}


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

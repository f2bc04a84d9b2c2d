"""Sections of the appraisal and inspection report (``appraisal_inspection``): the dossier pipeline by stage
and level, time in stage, the open dossiers, the council's dates; the inspection calendar, findings by
criterion, open and overdue actions by responsible department.

Each ``show_*`` displays its view (``nrd.indicators.appraisal_views``) and returns the frame it was given.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from nrd.contract import LEVEL
from nrd.errors import UnknownNameError
from nrd.present.absent import show_absent
from nrd.present.display import show_figure, show_note, show_table
from nrd.present.formats import fmt_number, fmt_period_short
from nrd.present.i18n import (
    DEFAULT_LANG,
    check_lang,
    criteria_set_name,
    criterion_name,
    department_name,
    enum_label,
    t,
)
from nrd.present.plots import _CB, _empty, _number_axis, _require, new_figure
from nrd.present.tables import Col

#: The ``lead`` code of the coordination office itself (data contract, inspections).
OFFICE_LEAD = "vpdp"
_OPEN, _LATE = _CB[0], _CB[3]

OPEN_DOSSIER_COLUMNS = (Col("dossier_id", "common.dossier"), Col("unit_name", "common.unit"),
                        Col("level", "common.level", "level"), Col("submitted_on", "common.submitted_on", "date"),
                        Col("stage", "common.stage", "dossier_stage"), Col("stage_date", "common.stage_date", "date"),
                        Col("days_in_stage", "appraisal.days_in_stage", "int"),
                        Col("days_open", "common.days_open", "int"), Col("council_date", "common.council_date", "date"),
                        Col("long_text", "appraisal.open_long"))
STAGE_TIME_COLUMNS = (Col("stage", "common.stage", "dossier_stage"), Col("passed", "appraisal.passed", "int"),
                      Col("median_days", "appraisal.median_days", "int"),
                      Col("max_days", "appraisal.max_days", "int"), Col("current", "appraisal.current", "int"),
                      Col("current_median_days", "appraisal.current_median_days", "int"))
CALENDAR_COLUMNS = (Col("inspection_id", "common.inspection"), Col("kind", "inspection.kind", "inspection_kind"),
                    Col("lead_name", "common.lead"), Col("first_visit", "inspection.first_visit", "date"),
                    Col("last_visit", "inspection.last_visit", "date"), Col("units", "inspection.units", "int"),
                    Col("findings", "inspection.findings", "int"), Col("actions_open", "inspection.actions_open", "int"),
                    Col("actions_overdue", "inspection.actions_overdue", "int"))
FINDING_COLUMNS = (Col("criterion", "common.criterion"), Col("criterion_label", "common.criterion_name"),
                   Col("findings", "inspection.findings", "int"), Col("resolved", "inspection.resolved", "int"),
                   Col("open", "inspection.actions_open", "int"), Col("overdue", "inspection.actions_overdue", "int"))
DEPARTMENT_COLUMNS = (Col("department_name", "inspection.department"),
                      Col("actions_open", "inspection.actions_open", "int"),
                      Col("actions_overdue", "inspection.actions_overdue", "int"),
                      Col("oldest_due", "inspection.oldest_due", "date"),
                      Col("max_days_overdue", "inspection.max_days_overdue", "int"))
ACTION_COLUMNS = (Col("inspection_id", "common.inspection"), Col("unit_name", "common.unit"),
                  Col("visit_date", "common.visit_date", "date"), Col("lead_name", "common.lead"),
                  Col("department_name", "inspection.department"), Col("criterion", "common.criterion"),
                  Col("finding", "common.finding"), Col("action_due", "common.action_due", "date"),
                  Col("days_overdue", "common.days_overdue", "int"))


def lead_name(code: object, lang: str = DEFAULT_LANG) -> str:
    """A department's name (reference data), the office for ``vpdp``; a code outside the list as written."""
    if str(code) == OFFICE_LEAD:
        return t("inspection.office", lang)
    try:
        return department_name(str(code), lang)
    except UnknownNameError:
        return str(code)


def _named(frame: pd.DataFrame, lang: str, *columns: str) -> pd.DataFrame:
    return frame.assign(**{f"{c}_name": [lead_name(v, lang) for v in frame[c]] for c in columns})


def _level_columns(frame: pd.DataFrame) -> list[str]:
    return [level for level in LEVEL if level in frame.columns and frame[level].sum() > 0]


def dossier_pipeline_bar(pipeline: pd.DataFrame, lang: str = DEFAULT_LANG) -> Figure:
    """Dossiers by stage (rows, contract order) stacked by level."""
    lang = check_lang(lang)
    _require(pipeline, ["stage", "dossiers"], "dossier_pipeline_bar")
    fig, ax = new_figure()
    if pipeline.empty:
        return _empty(fig, ax, lang)
    labels = [enum_label("dossier_stage", s, lang) for s in pipeline["stage"]][::-1]
    y, left = np.arange(len(labels)), np.zeros(len(labels))
    for colour, level in zip(_CB, _level_columns(pipeline)):
        values = pipeline[level].to_numpy(dtype=float)[::-1]
        ax.barh(y, values, left=left, color=colour, label=enum_label("level", level, lang))
        left += values
    ax.set_yticks(y, labels)
    ax.set(title=t("chart.appraisal_pipeline", lang), xlabel=t("appraisal.dossiers", lang))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    _number_axis(ax.xaxis, lang)
    fig.legend(loc="outside lower center", ncols=len(_level_columns(pipeline)), frameon=False)
    return fig


def visits_month_bar(monthly: pd.DataFrame, lang: str = DEFAULT_LANG) -> Figure:
    """Unit visits by month of the year, stacked by kind of visit."""
    lang = check_lang(lang)
    _require(monthly, ["month", "kind", "visits"], "visits_month_bar")
    fig, ax = new_figure(height_cm=8.0)
    if monthly.empty:
        return _empty(fig, ax, lang)
    months = list(dict.fromkeys(monthly["month"]))
    x, bottom = np.arange(len(months)), np.zeros(len(months))
    for colour, kind in zip(_CB, dict.fromkeys(monthly["kind"])):
        values = monthly[monthly["kind"] == kind].set_index("month")["visits"].reindex(months).to_numpy(dtype=float)
        ax.bar(x, values, bottom=bottom, color=colour, label=enum_label("inspection_kind", kind, lang))
        bottom += values
    ax.set_xticks(x, [fmt_period_short(m, lang) for m in months])
    ax.set(title=t("chart.inspection_calendar", lang), ylabel=t("inspection.visits", lang))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    _number_axis(ax.yaxis, lang)
    fig.legend(loc="outside lower center", ncols=3, frameon=False)
    return fig


def show_dossier_pipeline(pipeline: pd.DataFrame, lang: str = DEFAULT_LANG,
                          absent: Sequence[str] = ()) -> pd.DataFrame:
    """``dossier_pipeline``: the bars and the table, stage by level."""
    if show_absent(absent, lang):
        return pipeline
    if len(pipeline):
        show_figure(dossier_pipeline_bar(pipeline, lang))
    levels = [Col(level, f"level.{level}", "int") for level in _level_columns(pipeline)]
    show_table(pipeline, [Col("stage", "common.stage", "dossier_stage"), *levels,
                          Col("dossiers", "appraisal.dossiers", "int")], lang)
    show_note("note.appraisal_pipeline", lang)
    return pipeline


def show_time_in_stage(stage_times: pd.DataFrame, lang: str = DEFAULT_LANG,
                       absent: Sequence[str] = ()) -> pd.DataFrame:
    """``time_in_stage``: days spent in each stage by the dossiers that left it, and by those in it now."""
    if show_absent(absent, lang):
        return stage_times
    show_table(stage_times, STAGE_TIME_COLUMNS, lang)
    return stage_times


def show_open_dossiers(dossiers: pd.DataFrame, lang: str = DEFAULT_LANG,
                       absent: Sequence[str] = ()) -> pd.DataFrame:
    """``open_dossiers``: every dossier open at P, those open over the office's threshold marked."""
    if show_absent(absent, lang):
        return dossiers
    from nrd.indicators.pipelines import thresholds

    if dossiers.empty:  # "0 of 0 ... over 60 days" and an empty table say less than this
        show_note("note.no_open_dossiers", lang)
        return dossiers
    days = thresholds()["dossier_open_days"]
    show_note("note.appraisal_open_long", lang, n=int(dossiers["open_long"].sum()), total=len(dossiers), days=days)
    marks = [t("common.yes", lang) if bool(v) else "" for v in dossiers["open_long"]]
    show_table(dossiers.assign(long_text=marks), OPEN_DOSSIER_COLUMNS, lang)
    return dossiers


def show_council_schedule(councils: pd.DataFrame, lang: str = DEFAULT_LANG,
                          absent: Sequence[str] = ()) -> pd.DataFrame:
    """``council_schedule``: each session's date, held or planned, dossiers by level, approved."""
    if show_absent(absent, lang):
        return councils
    text = councils.assign(held_text=[t("common.held" if held else "common.planned", lang)
                                      for held in councils["held"]])
    levels = [Col(level, f"level.{level}", "int") for level in _level_columns(councils)]
    show_table(text, [Col("council_date", "common.council_date", "date"), Col("held_text", "common.session"),
                      *levels, Col("dossiers", "appraisal.dossiers", "int"),
                      Col("approved", "appraisal.approved", "int")], lang)
    return councils


def show_inspection_calendar(calendar: pd.DataFrame, monthly: pd.DataFrame, lang: str = DEFAULT_LANG,
                             absent: Sequence[str] = ()) -> pd.DataFrame:
    """``inspection_calendar`` and ``visits_by_month``: visits by month (bars), then one row per round."""
    if show_absent(absent, lang):
        return calendar
    if len(calendar):
        show_figure(visits_month_bar(monthly, lang))
        show_note("note.inspection_calendar", lang, rounds=fmt_number(len(calendar), lang),
                  visits=fmt_number(monthly["visits"].sum(), lang))
    show_table(_named(calendar, lang, "lead"), CALENDAR_COLUMNS, lang)
    return calendar


def show_findings_by_criterion(findings: pd.DataFrame, criteria_set, lang: str = DEFAULT_LANG,
                               absent: Sequence[str] = ()) -> pd.DataFrame:
    """``findings_by_criterion``, each criterion named in its own set (``criteria_set`` column; the set in
    force on the day of the visit), the set's name added when it is not ``criteria_set`` (the set in force
    at P); a number its set does not have is shown as written."""
    if show_absent(absent, lang):
        return findings
    from nrd.reference import get_criteria_set

    def name(set_id: object, criterion: str) -> str:
        if not criterion:
            return t("inspection.no_criterion", lang)
        own = criteria_set if pd.isna(set_id) or set_id == criteria_set.id else get_criteria_set(str(set_id))
        try:
            label = criterion_name(own, criterion, lang)
        except UnknownNameError:
            return t("inspection.outside_set", lang)
        return label if own.id == criteria_set.id else f"{label} ({criteria_set_name(own.id, lang)})"

    sets = findings["criteria_set"] if "criteria_set" in findings else pd.Series(pd.NA, index=findings.index)
    labels = [name(set_id, c) for set_id, c in zip(sets, findings["criterion"])]
    show_table(findings.assign(criterion_label=labels), FINDING_COLUMNS, lang)
    show_note("note.pipelines_criterion", lang)
    return findings


def show_actions_by_department(by_department: pd.DataFrame, lang: str = DEFAULT_LANG,
                               absent: Sequence[str] = ()) -> pd.DataFrame:
    """``actions_by_department``: open and overdue actions of each responsible department."""
    if show_absent(absent, lang):
        return by_department
    show_table(_named(by_department, lang, "department"), DEPARTMENT_COLUMNS, lang)
    show_note("note.inspection_department", lang)
    return by_department


def show_overdue_actions(actions: pd.DataFrame, lang: str = DEFAULT_LANG, max_rows: int = 40,
                         absent: Sequence[str] = ()) -> pd.DataFrame:
    """``overdue_action_list``: past their due date at P, most overdue first."""
    if show_absent(absent, lang):
        return actions
    show_note("note.inspection_overdue", lang, n=len(actions))
    show_table(_named(actions, lang, "lead", "department"), ACTION_COLUMNS, lang, max_rows=max_rows)
    if len(actions) > max_rows:
        show_note("note.first_rows_workbook", lang, shown=max_rows, total=len(actions))
    return actions

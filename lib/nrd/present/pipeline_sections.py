"""Sections that show the office's working pipelines inside the other reports: the OCOP evaluation cycle
and its council, a commune's projects / dossiers / open actions, a department's projects and actions.

Each ``show_*`` displays its view and returns the frame it was given (so the last line of a cell can be
the frame an analyst inspects). Views come from ``nrd.indicators.pipeline_views``.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from nrd import periods
from nrd.present.absent import show_absent, show_unrecorded
from nrd.present.display import section, show_figure, show_note, show_table
from nrd.present.formats import fmt_money, fmt_money_share, fmt_number, fmt_share
from nrd.present.i18n import DEFAULT_LANG, check_lang, enum_label, t
from nrd.present.plots import new_figure
from nrd.present.tables import Col

#: The ``lead`` code of the coordination office itself (data contract, inspections).
OFFICE_LEAD = "vpdp"
_CYCLE_COLOUR = "#2b6a99"
_STARS_COLOUR = "#c8962e"

PROJECT_COLUMNS = (Col("project_name", "common.project"), Col("unit_name", "common.unit"),
                   Col("category", "common.category", "project_category"), Col("criterion", "common.criterion"),
                   Col("physical_pct", "common.physical_pct", "percent"),
                   Col("disbursed_mvnd", "common.disbursed", "share", denominator="total_investment_mvnd"),
                   Col("status", "common.project_status", "project_status"), Col("planned_end", "common.planned_end", "date"),
                   Col("overdue_text", "common.overdue"), Col("obstacle", "common.obstacle"))
DOSSIER_COLUMNS = (Col("dossier_id", "common.dossier"), Col("level", "common.level", "level"),
                   Col("submitted_on", "common.submitted_on", "date"), Col("stage", "common.stage", "dossier_stage"),
                   Col("stage_date", "common.stage_date", "date"), Col("council_date", "common.council_date", "date"),
                   Col("days_open", "common.days_open", "int"))
ACTION_COLUMNS = (Col("inspection_id", "common.inspection"), Col("unit_name", "common.unit"),
                  Col("visit_date", "common.visit_date", "date"), Col("lead_name", "common.lead"),
                  Col("criterion", "common.criterion"), Col("finding", "common.finding"),
                  Col("action_due", "common.action_due", "date"), Col("days_overdue", "common.days_overdue", "int"))
CANDIDATE_COLUMNS = (Col("product_name", "common.product"), Col("unit_name", "common.unit"),
                     Col("registered_on", "common.registered_on", "date"), Col("stage", "common.stage", "stage"),
                     Col("council_date", "common.council_date", "date"))


def evaluation_cycle_bar(cycle: pd.DataFrame, lang: str = DEFAULT_LANG) -> Figure:
    """Registrations that reached each step of the cycle, then the recognitions by stars (horizontal bars)."""
    lang = check_lang(lang)
    fig, ax = new_figure()
    cycle = cycle[cycle["registrations"].notna()]  # a result not recorded has no bar (it is not zero)
    labels = [enum_label("stage", step, lang) for step in cycle["step"]]
    values = cycle["registrations"].to_numpy(dtype=float)
    colours = [_STARS_COLOUR if str(step).startswith("stars_") else _CYCLE_COLOUR for step in cycle["step"]]
    bars = ax.barh(labels[::-1], values[::-1], color=colours[::-1])
    ax.bar_label(bars, labels=[fmt_number(v, lang) for v in values[::-1]], padding=2)
    ax.set(xlabel=t("common.registrations", lang))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    return fig


def show_evaluation_cycle(cycle: pd.DataFrame, period: str, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """``evaluation_cycle``: a bar per step and the table with each step's share of the registrations; a
    result the dataset does not record (NA) reads "not recorded", with a note naming the column."""
    year = periods.period_year(period)
    registered = int(cycle["registered"].iloc[0]) if len(cycle) else 0
    if registered:
        show_figure(evaluation_cycle_bar(cycle, lang))
    unknown = t("common.not_recorded", lang)
    text = cycle.assign(
        count_text=[unknown if pd.isna(n) else fmt_number(n, lang) for n in cycle["registrations"]],
        share_text=[unknown if pd.isna(n) else fmt_share(n, d, lang)
                    for n, d in zip(cycle["registrations"], cycle["registered"])])
    show_table(text if registered else text.iloc[0:0],
               [Col("step", "common.step", "stage"), Col("count_text", "common.registrations"),
                Col("share_text", "common.of_registered")], lang)
    show_note("note.cycle_as_recorded", lang, registered=fmt_number(registered, lang), year=year)
    if registered and cycle["registrations"].isna().any():
        show_unrecorded("ocop_registrations", "result_stars", "note.result_stars_what", lang)
    return cycle


def show_council_sessions(sessions: pd.DataFrame, lang: str = DEFAULT_LANG, *, recorded: bool = True
                          ) -> pd.DataFrame:
    """``council_sessions``: date, registrations put to it, evaluated, held or planned. ``recorded`` False:
    the dataset does not record ``council_date`` (``nrd.indicators.unrecorded_columns``), which is said."""
    if not recorded:
        show_unrecorded("ocop_registrations", "council_date", "note.council_date_what", lang)
        return sessions
    text = sessions.assign(held_text=[t("common.held" if held else "common.planned", lang) for held in sessions["held"]])
    show_table(text, [Col("council_date", "common.council_date", "date"),
                      Col("registrations", "common.registrations", "int"),
                      Col("evaluated", "common.evaluated", "int"), Col("held_text", "common.session")], lang)
    return sessions


def show_five_star_candidates(candidates: pd.DataFrame, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """The named 5-star candidates (product, unit, registered on, stage, council date)."""
    show_table(candidates, CANDIDATE_COLUMNS, lang)
    return candidates


def _project_text(projects: pd.DataFrame, lang: str) -> pd.DataFrame:
    flags = [t("common.yes", lang) if bool(late) else "" for late in projects["overdue"]]
    return projects.assign(overdue_text=flags)


def show_projects(projects: pd.DataFrame, lang: str = DEFAULT_LANG, *, with_unit: bool = True,
                  max_rows: int | None = None) -> pd.DataFrame:
    """Projects (``pipeline_views.PROJECT_COLUMNS``): progress, disbursement of the total, status, obstacle."""
    columns = [c for c in PROJECT_COLUMNS if with_unit or c.column != "unit_name"]
    if len(projects):
        show_note("note.overdue_projects", lang, overdue=int(projects["overdue"].sum()), total=len(projects))
    show_table(_project_text(projects, lang), columns, lang, max_rows=max_rows)
    if max_rows is not None and len(projects) > max_rows:
        show_note("note.first_rows_workbook", lang, shown=max_rows, total=len(projects))
    return projects


def show_dossiers(dossiers: pd.DataFrame, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """Appraisal dossiers: level, submitted on, stage and since when, council date, days open."""
    show_table(dossiers, DOSSIER_COLUMNS, lang)
    return dossiers


def _lead_names(actions: pd.DataFrame, lang: str) -> pd.DataFrame:
    from nrd.errors import UnknownNameError
    from nrd.present.i18n import department_name

    def name(lead: object) -> str:
        if str(lead) == OFFICE_LEAD:
            return t("common.office", lang)
        try:
            return department_name(str(lead), lang)
        except UnknownNameError:  # validated as text: a lead outside the departments list is shown as written
            return str(lead)

    return actions.assign(lead_name=[name(lead) for lead in actions["lead"]])


def show_actions(actions: pd.DataFrame, lang: str = DEFAULT_LANG, *, with_unit: bool = True,
                 max_rows: int | None = None) -> pd.DataFrame:
    """Open inspection actions: round, unit, visit, lead, criterion, finding, due date, days overdue."""
    columns = [c for c in ACTION_COLUMNS if with_unit or c.column != "unit_name"]
    show_table(_lead_names(actions, lang), columns, lang, max_rows=max_rows)
    if max_rows is not None and len(actions) > max_rows:
        show_note("note.first_rows_workbook", lang, shown=max_rows, total=len(actions))
    return actions


def show_unit_portfolio(portfolio: pd.Series, lang: str = DEFAULT_LANG) -> bool:
    """The commune's portfolio in one sentence (``unit_project_portfolio``): projects, completed, in
    progress, overdue, total investment and the disbursed share in billion VND; or that it has none.
    True when it has projects."""
    if not int(portfolio["projects"]):
        show_note("note.unit_no_projects", lang)
        return False
    show_note("note.unit_portfolio", lang, projects=fmt_number(portfolio["projects"], lang),
              completed=fmt_number(portfolio["completed"], lang), open=fmt_number(portfolio["open"], lang),
              overdue=fmt_number(portfolio["overdue"], lang),
              investment=fmt_money(portfolio["total_investment_mvnd"], lang),
              share=fmt_money_share(portfolio["disbursed_mvnd"], portfolio["total_investment_mvnd"], lang))
    return True


def show_unit_pipelines(pipelines, lang: str = DEFAULT_LANG, *, portfolio: pd.Series | None = None,
                        absent: Sequence[str] = ()) -> object:
    """A commune's works and projects (its portfolio line, then those not completed), its dossiers and its
    open inspection actions, each a subsection; an empty one says plainly that the commune has none, a
    table the dataset does not hold is named (``absent``)."""
    from nrd.indicators.provided import APPRAISAL_TABLES, INSPECTION_TABLES, PROJECT_TABLES

    section("section.commune_projects", lang, level=3)
    if not show_absent([n for n in PROJECT_TABLES if n in absent], lang):
        has_projects = show_unit_portfolio(portfolio, lang) if portfolio is not None else True
        if len(pipelines.projects):
            show_projects(pipelines.projects, lang, with_unit=False)
        elif has_projects:
            show_note("note.unit_all_projects_done" if portfolio is not None else "note.unit_no_projects", lang)
    section("section.commune_dossiers", lang, level=3)
    if not show_absent([n for n in APPRAISAL_TABLES if n in absent], lang):
        if len(pipelines.dossiers):
            show_dossiers(pipelines.dossiers, lang)
        else:
            show_note("note.unit_no_dossiers", lang)
    section("section.commune_actions", lang, level=3)
    if not show_absent([n for n in INSPECTION_TABLES if n in absent], lang):
        if len(pipelines.actions):
            show_actions(pipelines.actions, lang, with_unit=False)
        else:
            show_note("note.unit_no_actions", lang)
    return pipelines


def show_department_pipelines(pipelines, lang: str = DEFAULT_LANG, max_rows: int = 40, *,
                              absent: Sequence[str] = ()) -> object:
    """A department's projects and open actions under the criteria it leads, each a subsection; an empty
    one says so, a table the dataset does not hold is named (``absent``)."""
    from nrd.indicators.provided import INSPECTION_TABLES, PROJECT_TABLES

    section("section.department_projects", lang, level=3)
    if not show_absent([n for n in PROJECT_TABLES if n in absent], lang):
        if len(pipelines.projects):
            show_projects(pipelines.projects, lang, max_rows=max_rows)
        else:
            show_note("note.department_no_projects", lang)
    section("section.department_actions", lang, level=3)
    if not show_absent([n for n in INSPECTION_TABLES if n in absent], lang):
        if len(pipelines.actions):
            show_actions(pipelines.actions, lang, max_rows=max_rows)
        else:
            show_note("note.department_no_actions", lang)
    show_note("note.pipelines_criterion", lang)
    return pipelines

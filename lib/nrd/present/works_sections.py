"""Sections of the works and projects report (``works_projects``): the portfolio by category and commune,
physical progress against the time elapsed, disbursement against the total investment, the overdue and the
stalled projects with their obstacles.

Each ``show_*`` displays its view (``nrd.indicators.project_views``) and returns the frame it was given.
Money is shown in billion VND, shares with their numerator and denominator.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from nrd.present.display import show_figure, show_note, show_table
from nrd.present.absent import show_absent
from nrd.present.formats import fmt_money, fmt_money_share, fmt_number
from nrd.present.i18n import DEFAULT_LANG, check_lang, enum_label, t
from nrd.present.plots import STATUS_COLORS, _empty, _number_axis, _require, new_figure
from nrd.present.tables import Col

_ON_TIME, _LATE = STATUS_COLORS["met"], STATUS_COLORS["not_met"]
_PLANNED, _PAID = "#c9d6e3", "#2b6a99"

COUNT_COLUMNS = (Col("projects", "works.projects", "int"), Col("completed", "works.completed", "int"),
                 Col("open", "works.open", "int"), Col("overdue", "common.overdue", "int"),
                 Col("total_investment_mvnd", "common.total_investment", "money"),
                 Col("disbursed_mvnd", "works.disbursed_share", "share", denominator="total_investment_mvnd"))
PORTFOLIO_COLUMNS = (Col("category", "common.category", "project_category"), *COUNT_COLUMNS)
UNIT_COLUMNS = (Col("unit_code", "common.unit_code"), Col("unit_label", "common.unit"), *COUNT_COLUMNS)
SCHEDULE_COLUMNS = (Col("project_name", "common.project"), Col("unit_label", "common.unit"),
                    Col("category", "common.category", "project_category"),
                    Col("start_date", "works.start_date", "date"), Col("planned_end", "common.planned_end", "date"),
                    Col("elapsed_pct", "works.elapsed_pct", "percent"),
                    Col("physical_pct", "common.physical_pct", "percent"),
                    Col("gap_pct", "works.gap_pct", "delta1"), Col("status", "common.project_status", "project_status"),
                    Col("obstacle", "common.obstacle"))
DISBURSEMENT_COLUMNS = (Col("category", "common.category", "project_category"),
                        Col("total_investment_mvnd", "common.total_investment", "money"),
                        Col("disbursed_mvnd", "common.disbursed", "money"),
                        Col("remaining_mvnd", "works.remaining", "money"),
                        Col("disbursed_mvnd", "works.disbursed_share", "share", denominator="total_investment_mvnd"))
_LIST_HEAD = (Col("project_id", "works.project_id"), Col("project_name", "common.project"),
              Col("unit_label", "common.unit"), Col("category", "common.category", "project_category"),
              Col("physical_pct", "common.physical_pct", "percent"),
              Col("disbursed_mvnd", "common.disbursed", "share", denominator="total_investment_mvnd"),
              Col("status", "common.project_status", "project_status"))
OVERDUE_COLUMNS = (*_LIST_HEAD, Col("planned_end", "common.planned_end", "date"),
                   Col("days_late", "works.days_late", "int"), Col("obstacle", "common.obstacle"))
STALLED_COLUMNS = (*_LIST_HEAD, Col("since", "works.still_since", "period"),
                   Col("months_still", "works.months_still", "int"), Col("obstacle", "common.obstacle"))


def _unit_labels(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The unit's name; a project of no single commune is an inter-commune or provincial project."""
    wide = t("works.province_level", lang)
    names = frame["unit_name"].astype("object")
    return frame.assign(unit_label=names.where(names.notna(), wide))


def _percent_axis(axis, lang: str) -> None:
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{fmt_number(v, lang)}%"))


def schedule_scatter(schedule: pd.DataFrame, lang: str = DEFAULT_LANG) -> Figure:
    """Each open project: the share of its planned duration elapsed (x) against its physical progress (y);
    below the diagonal a project is behind its schedule; overdue projects in vermillion."""
    lang = check_lang(lang)
    _require(schedule, ["elapsed_pct", "physical_pct", "overdue"], "schedule_scatter")
    fig, ax = new_figure(height_cm=10.0)
    if schedule.empty:
        return _empty(fig, ax, lang)
    late = schedule["overdue"].astype(bool).to_numpy()
    ax.plot([0, 100], [0, 100], color="#777777", linewidth=0.8, linestyle="--", label=t("works.on_schedule", lang))
    ax.scatter(schedule["elapsed_pct"][~late], schedule["physical_pct"][~late], s=18, color=_ON_TIME,
               label=t("works.open_in_time", lang), alpha=0.8)
    ax.scatter(schedule["elapsed_pct"][late], schedule["physical_pct"][late], s=26, color=_LATE, marker="D",
               label=t("common.overdue", lang))
    ax.set(xlim=(-2, 102), ylim=(-2, 102), title=t("chart.works_schedule", lang),
           xlabel=t("works.elapsed_pct", lang), ylabel=t("common.physical_pct", lang))
    _percent_axis(ax.xaxis, lang)
    _percent_axis(ax.yaxis, lang)
    ax.legend(loc="lower right")
    return fig


def disbursement_bar(portfolio: pd.DataFrame, lang: str = DEFAULT_LANG) -> Figure:
    """Total investment and disbursed to date by category (billion VND), the largest first."""
    lang = check_lang(lang)
    _require(portfolio, ["category", "total_investment_mvnd", "disbursed_mvnd"], "disbursement_bar")
    fig, ax = new_figure()
    if portfolio.empty:
        return _empty(fig, ax, lang)
    labels = [enum_label("project_category", c, lang) for c in portfolio["category"]][::-1]
    total = portfolio["total_investment_mvnd"].to_numpy(dtype=float)[::-1] / 1000
    paid = portfolio["disbursed_mvnd"].to_numpy(dtype=float)[::-1] / 1000
    y = np.arange(len(labels))
    ax.barh(y, total, color=_PLANNED, label=t("common.total_investment", lang))
    ax.barh(y, paid, height=0.5, color=_PAID, label=t("common.disbursed", lang))
    ax.set_yticks(y, labels)
    ax.set(title=t("chart.works_disbursement", lang), xlabel=t("axis.billion_vnd", lang))
    _number_axis(ax.xaxis, lang)
    ax.legend(loc="lower right")
    return fig


def show_portfolio(portfolio: pd.DataFrame, lang: str = DEFAULT_LANG,
                   absent: Sequence[str] = ()) -> pd.DataFrame:
    """``project_portfolio``: one row per category, with the disbursed share of its total investment."""
    if show_absent(absent, lang):  # no project tables: say so, not an empty table
        return portfolio
    show_table(portfolio, PORTFOLIO_COLUMNS, lang)
    if len(portfolio):
        show_note("note.works_portfolio", lang, projects=fmt_number(portfolio["projects"].sum(), lang),
                  investment=fmt_money(portfolio["total_investment_mvnd"].sum(), lang))
    return portfolio


def show_projects_by_unit(by_unit: pd.DataFrame, lang: str = DEFAULT_LANG, max_rows: int = 30,
                          absent: Sequence[str] = ()) -> pd.DataFrame:
    """``projects_by_unit``: the communes with most overdue projects, then the largest investment, first."""
    if show_absent(absent, lang):  # no project tables: say so, not an empty table
        return by_unit
    show_table(_unit_labels(by_unit, lang), UNIT_COLUMNS, lang, max_rows=max_rows)
    if len(by_unit) > max_rows:
        show_note("note.first_rows_workbook", lang, shown=max_rows, total=len(by_unit))
    return by_unit


def show_schedule(schedule: pd.DataFrame, lang: str = DEFAULT_LANG, max_rows: int = 15,
                  absent: Sequence[str] = ()) -> pd.DataFrame:
    """``project_schedule``: the scatter, how many open projects are behind, and the most behind."""
    if show_absent(absent, lang):  # no project tables: say so, not an empty table
        return schedule
    if len(schedule):
        show_figure(schedule_scatter(schedule, lang))
        behind = int((schedule["gap_pct"] < 0).sum())
        show_note("note.works_behind", lang, behind=behind, total=len(schedule))
    show_table(_unit_labels(schedule, lang), SCHEDULE_COLUMNS, lang, max_rows=max_rows)
    if len(schedule) > max_rows:
        show_note("note.first_rows_workbook", lang, shown=max_rows, total=len(schedule))
    return schedule


def show_disbursement(portfolio: pd.DataFrame, lang: str = DEFAULT_LANG,
                      absent: Sequence[str] = ()) -> pd.DataFrame:
    """Disbursement against the total investment, by category: the bars, the table, the province's share."""
    if show_absent(absent, lang):  # no project tables: say so, not an empty table
        return portfolio
    if portfolio.empty:
        show_table(portfolio, PORTFOLIO_COLUMNS, lang)
        return portfolio
    show_figure(disbursement_bar(portfolio, lang))
    remaining = (portfolio["total_investment_mvnd"] - portfolio["disbursed_mvnd"]).clip(lower=0)
    show_table(portfolio.assign(remaining_mvnd=remaining), DISBURSEMENT_COLUMNS, lang)
    paid, total = portfolio["disbursed_mvnd"].sum(), portfolio["total_investment_mvnd"].sum()
    show_note("note.works_disbursed", lang, share=fmt_money_share(paid, total, lang), paid=fmt_money(paid, lang),
              total=fmt_money(total, lang))
    return portfolio


def show_overdue_projects(overdue: pd.DataFrame, lang: str = DEFAULT_LANG,
                          absent: Sequence[str] = ()) -> pd.DataFrame:
    """``overdue_project_list``: past their planned completion, with the obstacle reported."""
    if show_absent(absent, lang):  # no project tables: say so, not an empty table
        return overdue
    show_note("note.works_overdue", lang, n=len(overdue))
    show_table(_unit_labels(overdue, lang), OVERDUE_COLUMNS, lang)
    return overdue


def show_stalled_projects(stalled: pd.DataFrame, lang: str = DEFAULT_LANG,
                          absent: Sequence[str] = ()) -> pd.DataFrame:
    """``stalled_project_list``: no physical progress for ``stalled_months`` months or more (the office's
    threshold, ``reference/data/pipelines.yaml``), with the obstacle."""
    if show_absent(absent, lang):  # no project tables: say so, not an empty table
        return stalled
    from nrd.indicators.pipelines import thresholds

    show_note("note.works_stalled", lang, n=len(stalled), months=thresholds()["stalled_months"])
    show_table(_unit_labels(stalled, lang), STALLED_COLUMNS, lang)
    return stalled

"""A commune's criteria met month by month against the median commune it is compared with: the chart (house
style of ``nrd.present.plots``) and the scorecard's ``show_criteria_met_trend``.

One small figure per scorecard: the national benchmark draws 3,321 of them, so the chart stays a few lines.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from nrd.present.display import show_figure, show_note
from nrd.present.formats import fmt_number, fmt_period, fmt_period_short
from nrd.present.i18n import DEFAULT_LANG, check_lang, t
from nrd.present.plots import _CB, _empty, _number_axis, _require, new_figure
from nrd.present.set_break import show_set_break

_COLUMNS = ["period", "criteria_set", "criteria", "unit_met", "median_met", "group"]


def _median_label(trend: pd.DataFrame, lang: str) -> str:
    group = trend["group"].dropna()
    if len(group):
        return t("series.median_group", lang, group=int(group.iloc[0]))
    return t("series.median_province", lang)


def criteria_met_trend_line(trend: pd.DataFrame, lang: str = DEFAULT_LANG, *, unit_name: str = "") -> Figure:
    """Criteria met by the commune and the median commune, month by month (``criteria_met_trend``); the lines
    break where the criteria set changes (a count of 19 criteria and one of 10 are not comparable), marked by
    a dashed line naming the new set."""
    from nrd.reference import get_criteria_set

    lang = check_lang(lang)
    _require(trend, _COLUMNS, "criteria_met_trend_line")
    # fixed margins, not the constrained layout: measuring the text for it cost ~40% of the chart's time
    fig, ax = new_figure(height_cm=7.0, layout=None)
    fig.subplots_adjust(left=0.1, right=0.98, top=0.9, bottom=0.2)
    if trend.empty:
        return _empty(fig, ax, lang)
    frame = trend.sort_values("period").reset_index(drop=True)
    x = frame["period"].map(fmt_period_short).tolist()
    ax.plot(x, [float("nan")] * len(x), alpha=0)  # every month on the axis, in order, whatever is missing
    segments = (frame["criteria_set"] != frame["criteria_set"].shift()).cumsum()
    series = (("unit_met", unit_name or t("axis.commune", lang), _CB[0], "o", "-"),
              ("median_met", _median_label(frame, lang), _CB[1], None, "--"))
    for number, part in frame.groupby(segments, sort=True):
        months = [x[i] for i in part.index]
        for column, label, color, marker, style in series:
            ax.plot(months, part[column].astype(float).to_numpy(), color=color, marker=marker, linestyle=style,
                    markersize=4, label=label if number == 1 else None)
        if number > 1:
            first = part.index[0]
            ax.axvline(first - 0.5, color="0.4", linestyle=":", linewidth=1)
            new = get_criteria_set(part["criteria_set"].iloc[0])
            ax.annotate(t("chart.set_change", lang, set=new.name(lang), n=len(new)), (first - 0.5, 1.0),
                        xycoords=("data", "axes fraction"), xytext=(3, -3), textcoords="offset points",
                        ha="left", va="top", fontsize=7, color="0.3")
    ax.set(title=t("chart.criteria_met_trend", lang), xlabel=t("axis.month", lang),
           ylabel=t("axis.criteria_met_count", lang))
    ax.set_ylim(0, int(frame["criteria"].max()) + 1)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    _number_axis(ax.yaxis, lang)
    ax.legend(title=None, loc="lower left")
    for i, label in enumerate(ax.get_xticklabels()):  # every other month, level: 13 months fit unrotated
        label.set_visible((len(x) - 1 - i) % 2 == 0)
    return fig


def criteria_met_trend_alt(trend: pd.DataFrame, lang: str = DEFAULT_LANG, *, unit_name: str = "") -> str:
    """The chart's text alternative in the page language: what is drawn and the last month's figures."""
    last = trend.sort_values("period").iloc[-1]
    return t("alt.criteria_met_trend", lang, unit=unit_name, median=_median_label(trend, lang).lower(),
             first=fmt_period(trend["period"].min(), lang), last=fmt_period(last["period"], lang),
             met=fmt_number(last["unit_met"], lang), median_met=fmt_number(last["median_met"], lang, 1),
             criteria=fmt_number(last["criteria"], lang))


def show_criteria_met_trend(trend: pd.DataFrame, unit: Mapping[str, str], lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """The commune's criteria met month by month against the median (``criteria_met_trend``), with a footnote
    where the months cross a change of criteria set; nothing for a ward (the view is empty). Returns
    ``trend``."""
    if trend.empty:
        return trend
    name = str(unit.get("name", ""))
    show_figure(criteria_met_trend_line(trend, lang, unit_name=name),
                alt=criteria_met_trend_alt(trend, lang, unit_name=name))
    show_note("note.criteria_met_trend", lang, median=_median_label(trend, lang).lower(),
              communes=fmt_number(trend["communes"].iloc[-1], lang))
    show_set_break(trend["period"].tolist(), lang)
    return trend

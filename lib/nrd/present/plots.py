"""The house style and one function per chart kind.

Every chart function takes a tidy frame (one row per observation, raw values) and the report language,
and returns a ``matplotlib.figure.Figure`` built without pyplot: the figure is not registered with the
pyplot state machine, so it is shown once (by ``show_figure`` or as a cell's value) and then garbage
collected — a notebook that draws many charts does not grow in memory.

Sizes print on A4 (16 × 9 cm by default); the inline PNG is rendered at 100 dpi to keep the HTML small.
PNG bytes are deterministic: no date in the metadata, a fixed SVG hash salt, no random layout.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib as mpl
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from nrd.present.formats import fmt_number, fmt_period_short
from nrd.present.i18n import DEFAULT_LANG, check_lang, enum_label, t

CM = 1 / 2.54
FIG_WIDTH_CM, FIG_HEIGHT_CM = 16.0, 9.0
DPI = 100
PALETTE = "colorblind"
FONT = "DejaVu Sans"  # matplotlib's bundled font; covers Vietnamese diacritics
#: savefig metadata without the matplotlib version or a date, so the bytes depend only on the chart.
PNG_METADATA = {"Software": None}
SVG_METADATA = {"Date": None, "Creator": None}

# Status colours from seaborn "colorblind": blue / yellow / vermillion differ in hue AND lightness, so
# they stay apart under the common colour-vision deficiencies and in greyscale print; grey = missing.
_CB = sns.color_palette(PALETTE)
STATUS_ORDER = ("not_met", "basically_met", "met")
STATUS_COLORS = {"met": _CB[0], "basically_met": _CB[8], "not_met": _CB[3], "missing": (0.85, 0.85, 0.85)}


def house_rc() -> dict:
    """The rcParams of the house style (also applied by ``set_house_style``)."""
    return {
        "font.family": "sans-serif",
        "font.sans-serif": [FONT],
        "font.size": 9,
        "axes.titlesize": 10,
        "axes.labelsize": 9,
        "xtick.labelsize": 8,
        "ytick.labelsize": 8,
        "legend.fontsize": 8,
        "figure.figsize": (FIG_WIDTH_CM * CM, FIG_HEIGHT_CM * CM),
        "figure.dpi": DPI,
        "savefig.dpi": DPI,
        "svg.hashsalt": "nrd",
        "svg.fonttype": "path",
        "pdf.fonttype": 42,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }


def set_house_style() -> None:
    """Apply the seaborn theme, fonts, sizes and, inside IPython, a deterministic inline PNG backend."""
    sns.set_theme(style="whitegrid", palette=PALETTE, font=FONT, rc=house_rc())
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: nothing to configure
        return
    if get_ipython() is None:
        return
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    set_matplotlib_formats("png", metadata=PNG_METADATA)


def new_figure(height_cm: float = FIG_HEIGHT_CM, width_cm: float = FIG_WIDTH_CM,
               layout: str | None = "constrained") -> tuple[Figure, object]:
    """A pyplot-free figure with one axes in the house size (``layout=None``: margins set by the caller)."""
    with mpl.rc_context(house_rc()):
        fig = Figure(figsize=(width_cm * CM, height_cm * CM), dpi=DPI, layout=layout)
        ax = fig.subplots()
    return fig, ax


def figure_png(fig: Figure) -> bytes:
    """The PNG bytes of ``fig`` as the report embeds them (deterministic)."""
    from io import BytesIO

    buffer = BytesIO()
    # Figures use the constrained layout, which already fits labels; "tight" would draw them a second time.
    fig.savefig(buffer, format="png", dpi=DPI, metadata=PNG_METADATA)
    return buffer.getvalue()


def _number_axis(axis, lang: str, digits: int = 0) -> None:
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt_number(v, lang, digits)))


def _require(frame: pd.DataFrame, columns: Sequence[str], chart: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{chart}: the frame lacks column(s) {missing}; it has {list(frame.columns)}")


def _empty(fig: Figure, ax, lang: str) -> Figure:
    ax.set_axis_off()
    ax.text(0.5, 0.5, t("common.none_to_show", lang), ha="center", va="center", transform=ax.transAxes)
    return fig


def level_history_lines(
    history: pd.DataFrame, lang: str = DEFAULT_LANG, *, period="period", level="level", value="communes"
) -> Figure:
    """Recognized communes by month, one line per level (1 NRA, 2 advanced, 3 model).

    Args:
        history: one row per (period, level) with the number of communes at that level or above.
    """
    lang = check_lang(lang)
    _require(history, [period, level, value], "level_history_lines")
    fig, ax = new_figure()
    if history.empty:
        return _empty(fig, ax, lang)
    frame = history.assign(
        _month=history[period].map(fmt_period_short),
        _level=history[level].map(lambda v: enum_label("level", v, lang)),
    ).sort_values([period, level])
    order = [enum_label("level", v, lang) for v in sorted(history[level].unique(), key=str)]
    sns.lineplot(frame, x="_month", y=value, hue="_level", hue_order=order, marker="o", ax=ax, sort=False)
    ax.set(title=t("chart.level_history", lang), xlabel=t("axis.month", lang), ylabel=t("axis.communes", lang))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    _number_axis(ax.yaxis, lang)
    ax.legend(title=None)
    _thin_xticks(ax)
    return fig


def _titled(key: str, lang: str, set_name: str | None) -> str:
    """A chart title, followed by the criteria set it counts against when given."""
    return t(key, lang) if not set_name else f"{t(key, lang)} — {set_name}"


def _thin_xticks(ax, keep: int = 12) -> None:
    labels = ax.get_xticklabels()
    step = max(1, int(np.ceil(len(labels) / keep)))
    for i, label in enumerate(labels):
        label.set_visible(i % step == 0)
    ax.tick_params(axis="x", labelrotation=45)


def criteria_distribution_bar(
    distribution: pd.DataFrame, lang: str = DEFAULT_LANG, *, met="criteria_met", value="communes",
    total_criteria: int | None = None, set_name: str | None = None,
) -> Figure:
    """Number of communes by number of criteria met (0..n); ``set_name``: the criteria set, in the title."""
    lang = check_lang(lang)
    _require(distribution, [met, value], "criteria_distribution_bar")
    fig, ax = new_figure()
    if distribution.empty:
        return _empty(fig, ax, lang)
    top = int(total_criteria if total_criteria is not None else distribution[met].max())
    counts = distribution.set_index(distribution[met].astype(int))[value].reindex(range(0, top + 1), fill_value=0)
    ax.bar(counts.index, counts.to_numpy(dtype=float), color=_CB[0])
    ax.set(title=_titled("chart.criteria_distribution", lang, set_name), xlabel=t("axis.criteria_met", lang),
           ylabel=t("axis.communes", lang))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    _number_axis(ax.yaxis, lang)
    return fig


def criteria_heatmap(
    matrix: pd.DataFrame, lang: str = DEFAULT_LANG, *, unit="unit_name", criterion="criterion", status="status",
    set_name: str | None = None,
) -> Figure:
    """Communes (rows) × criteria (columns), each cell coloured by status; readable at 97 × 19.
    ``set_name``: the criteria set, in the title.

    Args:
        matrix: one row per (commune, criterion) with ``status`` met/basically_met/not_met (NA = missing).
    """
    lang = check_lang(lang)
    _require(matrix, [unit, criterion, status], "criteria_heatmap")
    codes = {"not_met": 0, "basically_met": 1, "met": 2}
    frame = matrix.assign(_code=matrix[status].map(codes).astype(float))
    criteria = sorted(frame[criterion].astype(str).unique(), key=_natural_key)
    grid = frame.pivot_table(index=unit, columns=frame[criterion].astype(str), values="_code", aggfunc="first",
                             dropna=False).reindex(columns=criteria)
    rows = len(grid)
    fig, ax = new_figure(height_cm=max(FIG_HEIGHT_CM, 0.26 * rows + 3.5), layout=None)
    if rows == 0:
        return _empty(fig, ax, lang)
    cmap = ListedColormap([STATUS_COLORS[s] for s in STATUS_ORDER]).with_extremes(bad=STATUS_COLORS["missing"])
    _grid_cells(ax, grid.to_numpy(dtype=float), cmap, BoundaryNorm([-0.5, 0.5, 1.5, 2.5], 3), criteria,
                list(grid.index))
    ax.set(title=_titled("chart.criteria_heatmap", lang, set_name), xlabel=t("axis.criterion", lang), ylabel="")
    ax.tick_params(axis="y", labelsize=6 if rows > 40 else 8, rotation=0)
    ax.tick_params(axis="x", labelsize=7, rotation=0, top=True, labeltop=True, bottom=False, labelbottom=False)
    ax.xaxis.set_label_position("top")
    handles = [Patch(color=STATUS_COLORS[s], label=enum_label("status", s, lang))
               for s in ("met", "basically_met", "not_met", "missing")]
    _fixed_grid_layout(fig, list(grid.index), top_in=0.75, bottom_in=0.35)
    fig.legend(handles=handles, loc="lower center", ncols=4, frameon=False)
    return fig


def _grid_cells(ax, values: np.ndarray, cmap, norm, xlabels: Sequence[str], ylabels: Sequence[str]) -> None:
    """A categorical grid (rows top to bottom) drawn as one mesh with white cell borders.

    ``pcolormesh`` directly rather than ``sns.heatmap``: one artist and fixed ticks, so a 97-row grid
    draws in a fraction of the time (reports render it in every province overview).
    """
    rows, cols = values.shape
    ax.pcolormesh(np.ma.masked_invalid(values), cmap=cmap, norm=norm, edgecolors="white", linewidth=0.3)
    ax.set_xlim(0, cols)
    ax.set_ylim(rows, 0)
    ax.set_xticks(np.arange(cols) + 0.5, [str(x) for x in xlabels])
    ax.set_yticks(np.arange(rows) + 0.5, [str(y) for y in ylabels])
    ax.grid(False)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)


def _fixed_grid_layout(fig: Figure, ylabels: Sequence[str], *, top_in: float, bottom_in: float) -> None:
    """Fixed margins for a tall grid instead of the constrained layout.

    The constrained layout measures every tick label several times; with ~100 row labels that is most of
    a report's kernel time. Row labels are short names in a known font size, so the left margin is set
    from their length (about 0.55 em per character) and the top/bottom from the title, ticks and legend.
    """
    width_in, height_in = fig.get_size_inches()
    rows = len(ylabels)
    size_pt = 6 if rows > 40 else 8
    longest = max((len(str(label)) for label in ylabels), default=1)
    left_in = longest * 0.55 * size_pt / 72 + 0.15
    fig.subplots_adjust(left=min(left_in / width_in, 0.5), right=0.98, top=1 - top_in / height_in,
                        bottom=bottom_in / height_in)


def _natural_key(text: str):
    return [int(p) if p.isdigit() else p for p in str(text).replace("-", ".").split(".")]


def ocop_stars_bar(counts: pd.DataFrame, lang: str = DEFAULT_LANG, *, stars="stars", value="products") -> Figure:
    """Active OCOP products by stars (3, 4, 5)."""
    lang = check_lang(lang)
    _require(counts, [stars, value], "ocop_stars_bar")
    fig, ax = new_figure()
    series = counts.set_index(counts[stars].astype(int))[value].reindex([3, 4, 5], fill_value=0)
    labels = [t("series.stars", lang, n=n) for n in series.index]
    bars = ax.bar(labels, series.to_numpy(dtype=float), color=[_CB[0], _CB[1], _CB[2]])
    ax.bar_label(bars, labels=[fmt_number(v, lang) for v in series.to_numpy()], padding=2)
    ax.set(title=t("chart.ocop_stars", lang), xlabel=t("axis.stars", lang), ylabel=t("axis.products", lang))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    _number_axis(ax.yaxis, lang)
    return fig


def ocop_groups_bar(counts: pd.DataFrame, lang: str = DEFAULT_LANG, *, group="group_name",
                    value="products", stars: str | None = "stars") -> Figure:
    """Active OCOP products by product group (horizontal bars), stacked by stars when given."""
    lang = check_lang(lang)
    _require(counts, [group, value], "ocop_groups_bar")
    fig, ax = new_figure()
    if counts.empty:
        return _empty(fig, ax, lang)
    if stars and stars in counts.columns:
        grid = counts.pivot_table(index=group, columns=stars, values=value, aggfunc="sum", fill_value=0,
                                  sort=False)
        left = np.zeros(len(grid))
        for i, n in enumerate(sorted(grid.columns)):
            ax.barh(grid.index.astype(str), grid[n].to_numpy(dtype=float), left=left, color=_CB[i],
                    label=t("series.stars", lang, n=int(n)))
            left += grid[n].to_numpy(dtype=float)
        ax.legend(title=None)
    else:
        ax.barh(counts[group].astype(str), counts[value].to_numpy(dtype=float), color=_CB[0])
    ax.invert_yaxis()
    ax.set(title=t("chart.ocop_groups", lang), xlabel=t("axis.products", lang), ylabel="")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    _number_axis(ax.xaxis, lang)
    return fig


def capital_plan_vs_disbursed_bar(position: pd.DataFrame, lang: str = DEFAULT_LANG, *, source="source_name",
                                  plan="plan_mvnd", disbursed="disbursed_mvnd") -> Figure:
    """Plan and disbursement side by side per capital source, in billion VND."""
    lang = check_lang(lang)
    _require(position, [source, plan, disbursed], "capital_plan_vs_disbursed_bar")
    fig, ax = new_figure()
    if position.empty:
        return _empty(fig, ax, lang)
    y = np.arange(len(position))
    height = 0.38
    ax.barh(y - height / 2, position[plan].to_numpy(dtype=float) / 1000, height, color=_CB[0],
            label=t("series.plan", lang))
    ax.barh(y + height / 2, position[disbursed].to_numpy(dtype=float) / 1000, height, color=_CB[2],
            label=t("series.disbursed", lang))
    ax.set_yticks(y, position[source].astype(str))
    ax.invert_yaxis()
    ax.set(title=t("chart.capital_plan", lang), xlabel=t("axis.billion_vnd", lang), ylabel="")
    _number_axis(ax.xaxis, lang)
    ax.legend(title=None)
    return fig


def disbursement_pace_line(pace: pd.DataFrame, lang: str = DEFAULT_LANG, *, period="period",
                           rate="disbursement_rate", target="target_rate") -> Figure:
    """Cumulative disbursement rate (%) by month against the year-end target path."""
    lang = check_lang(lang)
    _require(pace, [period, rate], "disbursement_pace_line")
    fig, ax = new_figure()
    if pace.empty:
        return _empty(fig, ax, lang)
    months = pace[period].map(fmt_period_short)
    ax.plot(months, pace[rate].to_numpy(dtype=float), marker="o", color=_CB[0], label=t("series.disbursed", lang))
    if target in pace.columns:
        ax.plot(months, pace[target].to_numpy(dtype=float), linestyle="--", color=_CB[3],
                label=t("series.target", lang))
    ax.set(title=t("chart.disbursement_pace", lang), xlabel=t("axis.month", lang), ylabel=t("axis.percent", lang))
    ax.set_ylim(0, max(100.0, float(np.nanmax(pace[rate].to_numpy(dtype=float)))) * 1.05)
    _number_axis(ax.yaxis, lang)
    ax.legend(title=None)
    _thin_xticks(ax)
    return fig


def mobilized_by_source_bar(mobilized: pd.DataFrame, lang: str = DEFAULT_LANG, *, source="source_name",
                            value="cumulative_mvnd") -> Figure:
    """Cumulative capital mobilized per source, in billion VND, largest first."""
    lang = check_lang(lang)
    _require(mobilized, [source, value], "mobilized_by_source_bar")
    fig, ax = new_figure()
    if mobilized.empty:
        return _empty(fig, ax, lang)
    frame = mobilized.sort_values(value, ascending=False, kind="stable")
    values = frame[value].to_numpy(dtype=float) / 1000
    bars = ax.barh(frame[source].astype(str), values, color=_CB[0])
    ax.bar_label(bars, labels=[fmt_number(v, lang, 1) for v in values], padding=2, fontsize=7)
    ax.invert_yaxis()
    ax.set(title=t("chart.mobilized", lang), xlabel=t("axis.billion_vnd", lang), ylabel="")
    _number_axis(ax.xaxis, lang)
    return fig


def completeness_heatmap(submissions: pd.DataFrame, lang: str = DEFAULT_LANG, *, unit="unit_name",
                         period="period", submitted="submitted") -> Figure:
    """Communes (rows) × months (columns): submitted or missing."""
    lang = check_lang(lang)
    _require(submissions, [unit, period, submitted], "completeness_heatmap")
    frame = submissions.assign(_month=submissions[period].map(fmt_period_short),
                               _ok=submissions[submitted].astype(float))
    months = [fmt_period_short(p) for p in sorted(submissions[period].unique())]
    grid = frame.pivot_table(index=unit, columns="_month", values="_ok", aggfunc="max", dropna=False,
                             sort=False).reindex(columns=months)
    rows = len(grid)
    fig, ax = new_figure(height_cm=max(FIG_HEIGHT_CM, 0.26 * rows + 3.5), layout=None)
    if rows == 0:
        return _empty(fig, ax, lang)
    cmap = ListedColormap([STATUS_COLORS["not_met"], STATUS_COLORS["met"]])
    _grid_cells(ax, grid.to_numpy(dtype=float), cmap, BoundaryNorm([-0.5, 0.5, 1.5], 2), months, list(grid.index))
    ax.set(title=t("chart.completeness", lang), xlabel=t("axis.month", lang), ylabel="")
    ax.tick_params(axis="y", labelsize=6 if rows > 40 else 8, rotation=0)
    ax.tick_params(axis="x", labelsize=7, rotation=90)
    handles = [Patch(color=STATUS_COLORS["met"], label=t("series.submitted", lang)),
               Patch(color=STATUS_COLORS["not_met"], label=t("series.missing", lang))]
    _fixed_grid_layout(fig, list(grid.index), top_in=0.4, bottom_in=0.85)
    fig.legend(handles=handles, loc="lower center", ncols=2, frameon=False)
    return fig


def criteria_share_bar(criteria: pd.DataFrame, lang: str = DEFAULT_LANG, *, criterion="criterion",
                       name="criterion_name", share="share") -> Figure:
    """Share of communes (%) meeting each criterion, one horizontal bar per criterion, labelled with the value."""
    lang = check_lang(lang)
    _require(criteria, [criterion, name, share], "criteria_share_bar")
    fig, ax = new_figure(height_cm=max(6.0, 1.0 * len(criteria) + 3.0))
    if criteria.empty:
        return _empty(fig, ax, lang)
    labels = [f"{c}. {n}" for c, n in zip(criteria[criterion].astype(str), criteria[name].astype(str))]
    values = criteria[share].to_numpy(dtype=float)
    bars = ax.barh(labels, values, color=_CB[0])
    ax.bar_label(bars, labels=[fmt_number(v, lang, 1) for v in values], padding=2, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 105)
    ax.set(title=t("chart.criteria_share", lang), xlabel=t("axis.percent_communes", lang), ylabel="")
    _number_axis(ax.xaxis, lang)
    return fig


def share_trend_line(trend: pd.DataFrame, lang: str = DEFAULT_LANG, *, period="period", value="value",
                     title: str | None = None) -> Figure:
    """A share (%) month by month (0-100 axis)."""
    lang = check_lang(lang)
    _require(trend, [period, value], "share_trend_line")
    fig, ax = new_figure()
    if trend.empty:
        return _empty(fig, ax, lang)
    frame = trend.sort_values(period)
    ax.plot(frame[period].map(fmt_period_short), frame[value].to_numpy(dtype=float), marker="o", color=_CB[0])
    ax.set(title=title or "", xlabel=t("axis.month", lang), ylabel=t("axis.percent", lang))
    ax.set_ylim(0, 105)
    _number_axis(ax.yaxis, lang)
    _thin_xticks(ax)
    return fig

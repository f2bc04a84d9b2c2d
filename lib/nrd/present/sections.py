"""One function per report section: a frame from the public ``nrd.indicators`` views in, headings, tables and
charts in the report language out.

These only select, label and lay out what ``nrd.indicators`` computed; no indicator, status or threshold
is decided here. A notebook computes each view once and hands it to the section that shows it.
No personal column reaches a table: product and entity tables show product, unit and entity type, never
an entity's name (a household business is named after its owner) nor a phone or representative.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from nrd.present.formats import fmt_period
from nrd.present.i18n import (
    DEFAULT_LANG, check_lang, criteria_set_name, department_name, enum_label, ocop_group_name, source_name, t,
)
from nrd.present.plots import (
    capital_plan_vs_disbursed_bar,
    completeness_heatmap,
    criteria_distribution_bar,
    criteria_heatmap,
    criteria_share_bar,
    disbursement_pace_line,
    level_history_lines,
    mobilized_by_source_bar,
    ocop_groups_bar,
    ocop_stars_bar,
    share_trend_line,
)
from nrd.present.display import section, show_figure, show_note, show_table
from nrd.present.tables import Col

# ---- NRA standards and criteria ----------------------------------------------------------------------------


_HISTORY_LEVELS = {"recognized": 1, "advanced": 2, "model": 3, "recognized_phase": "recognized_phase",
                   "modern": "modern"}


def show_level_history(history: pd.DataFrame, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """``nrd.indicators.level_history`` as lines and a table: in the first phase recognised / advanced /
    model; in a later phase the tiers of the set in force (recognised under it, then its own tiers such as
    modern), with a note where the months cross a change of criteria set."""
    from nrd.indicators.headlines import is_later_phase
    from nrd.present.set_break import show_set_break

    later = len(history) and is_later_phase(str(history["period"].max()))
    series = ["recognized_phase", "modern"] if later else ["recognized", "advanced", "model"]
    long = history.melt(id_vars=["period"], value_vars=series, var_name="level_name", value_name="at_level")
    long = long.assign(level=long["level_name"].map(_HISTORY_LEVELS))
    show_figure(level_history_lines(long, lang, value="at_level"))
    recent = history.sort_values("period", ascending=False).head(13)
    labels = {"recognized": "level.1", "advanced": "level.2", "model": "level.3",
              "recognized_phase": "level.recognized_phase", "modern": "level.modern"}
    show_table(recent, [Col("period", "common.period", "period"),
                        *(Col(s, labels[s], "share", denominator="communes") for s in series)], lang)
    if later:
        show_set_break(history["period"].tolist(), lang)
    return recent


def show_criteria_distribution(distribution: pd.DataFrame, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """``criteria_met_distribution``: communes (with a submission) by the number of criteria they meet."""
    total = int(distribution["criteria_met"].max()) if len(distribution) else None
    name = criteria_set_name(distribution["criteria_set"].iloc[0], lang) \
        if len(distribution) and "criteria_set" in distribution else None
    show_figure(criteria_distribution_bar(distribution, lang, total_criteria=total, set_name=name))
    return distribution


def show_criteria_matrix(matrix: pd.DataFrame, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """``criteria_matrix``: the communes × criteria heatmap (grey = no submission under the set in force)."""
    shown = matrix.assign(status=matrix["status"].where(matrix["status"] != "missing"))
    name = criteria_set_name(matrix["criteria_set"].iloc[0], lang) if len(matrix) else None
    show_figure(criteria_heatmap(shown, lang, unit="name", set_name=name))
    if len(matrix):
        show_note("note.criteria_set", lang, set=criteria_set_name(matrix["criteria_set"].iloc[0], lang))
    return matrix


# ---- watch lists -------------------------------------------------------------------------------------------

_WATCH_COLUMNS = {
    "lost_criteria": (Col("name", "common.unit"), Col("criterion", "axis.criterion"),
                      Col("previous_period", "common.previous", "period"), Col("status", "common.status", "status")),
    "missing_submissions": (Col("unit_code", "common.unit_code"), Col("name", "common.unit"),
                            Col("last_submission", "common.last_submission", "period")),
    "ocop_expiring": (Col("product_name", "common.product"), Col("unit_name", "common.unit"),
                      Col("stars", "axis.stars", "int"), Col("expires", "common.expires", "date"),
                      Col("days_left", "common.days_left", "int")),
    "capital_behind": (Col("source_name", "axis.source"), Col("name", "common.unit"),
                       Col("plan_mvnd", "series.plan", "money"), Col("disbursed_mvnd", "series.disbursed", "money"),
                       Col("disbursed_mvnd", "common.share", "share", denominator="plan_mvnd"),
                       Col("expected_rate", "common.expected_rate", "percent")),
}


def _with_names(frame: pd.DataFrame, units: pd.DataFrame, column: str = "name") -> pd.DataFrame:
    names = units.astype({"unit_code": "str"}).set_index("unit_code")["name"]
    return frame.assign(**{column: frame["unit_code"].astype("str").map(names)})


def _with_source_names(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    return frame.assign(source_name=[source_name(s, lang) for s in frame["source"]])


def show_watch_lists(lists: Mapping[str, pd.DataFrame], units: pd.DataFrame, lang: str = DEFAULT_LANG,
                     max_rows: int = 25) -> dict[str, pd.DataFrame]:
    """``watch_lists``: each list under its own heading with its length; long lists show the first rows.
    Returns the lists shown, with the unit (and source) names they show."""
    shown = {}
    for key in ("lost_criteria", "missing_submissions", "ocop_expiring", "capital_behind"):
        frame = lists.get(key)
        if frame is None:
            continue
        section(f"watch.{key}", lang, level=3, n=len(frame))
        frame = _with_names(frame, units, "unit_name" if key == "ocop_expiring" else "name")
        if key == "capital_behind":
            frame = _with_source_names(frame, lang)
        shown[key] = show_table(frame, _WATCH_COLUMNS[key], lang, max_rows=max_rows)
        if len(frame) > max_rows:
            show_note("note.first_rows", lang, shown=max_rows, total=len(frame))
    return shown


# ---- one commune -------------------------------------------------------------------------------------------

PROFILE_CRITERIA_COLUMNS = (Col("criterion", "axis.criterion"), Col("criterion_name", "common.criterion_name"),
                            Col("status", "common.status", "status"),
                            Col("previous_status", "common.previous_status", "status"),
                            Col("trend", "common.trend", "trend"), Col("submission_period", "common.period", "period"),
                            Col("stale_text", "common.stale"))


def _criteria_names(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    lang = check_lang(lang)
    return frame.assign(criterion_name=frame[f"name_{lang}"])


def _is_ward(unit: Mapping[str, str]) -> bool:
    """Wards (and special zones) are not communes: NRA criteria and levels do not apply to them."""
    return unit["unit_type"] != "commune"


def show_commune_level(profile, unit: Mapping[str, str], lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """Section "level and history": the level now and the months it changed. For a ward the section says
    the criteria do not apply (and the criteria sections show nothing)."""
    if _is_ward(unit):
        section("section.ward", lang)
        show_note("note.ward", lang, name=unit["name"])
        return profile.level_history.iloc[0:0]
    from nrd.indicators.headlines import is_later_phase

    later = is_later_phase(profile.period)  # the level is then the result of decisions of earlier phases too
    section("section.level_held" if later else "section.level", lang)
    level = enum_label("level", profile.level, lang)
    show_note("note.level_held" if later else "note.level_now", lang, level=level)
    history = profile.level_history.assign(level_text=[enum_label("level", v, lang) for v in profile.level_history["level"]])
    changes = history[history["level"] != history["level"].shift()]
    return show_table(changes, [Col("period", "common.since", "period"), Col("level_text", "common.level")], lang)


def show_commune_criteria(profile, unit: Mapping[str, str], lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """Section: each criterion of the set in force with status, previous status, trend, stale flag."""
    if _is_ward(unit):
        return profile.criteria.iloc[0:0]
    section("section.commune_criteria", lang)
    frame = _criteria_names(profile.criteria, lang)
    frame = frame.assign(stale_text=[t("common.yes", lang) if s is True else "" for s in frame["stale"]])
    return show_table(frame, PROFILE_CRITERIA_COLUMNS, lang)


def show_next_level(profile, unit: Mapping[str, str], lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """Section: what the commune lacks, the criteria of the set in force it does not meet (``lacking``)."""
    if _is_ward(unit):
        return profile.lacking.iloc[0:0]
    section("section.next_level", lang)
    target = min(profile.level + 1, 3)
    if profile.level >= 3:
        show_note("note.top_level", lang)
        return profile.lacking.iloc[0:0]
    show_note("note.next_level", lang, level=enum_label("level", target, lang), n=len(profile.lacking),
              total=len(profile.criteria))
    return show_table(_criteria_names(profile.lacking, lang),
                      PROFILE_CRITERIA_COLUMNS[:3] + (Col("submission_period", "common.period", "period"),), lang)


PRODUCT_COLUMNS = (Col("product_name", "common.product"), Col("stars", "axis.stars", "int"),
                   Col("group_name", "axis.group"), Col("recognized_on", "common.recognized_on", "date"),
                   Col("expires", "common.expires", "date"))


def _with_group_names(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    return frame.assign(group_name=[ocop_group_name(g, lang) for g in frame["group"]])


def show_commune_products(profile, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """The commune's active OCOP products and when each certificate expires."""
    products = profile.products
    if products.empty:
        show_note("common.none_to_show", lang)
        return products
    return show_table(_with_group_names(products.sort_values(["expires", "product_id"]), lang), PRODUCT_COLUMNS, lang)


CAPITAL_LINE_COLUMNS = (Col("source_name", "axis.source"), Col("plan_mvnd", "series.plan", "money"),
                        Col("disbursed_mvnd", "series.disbursed", "money"),
                        Col("disbursed_mvnd", "common.share", "share", denominator="plan_mvnd"))


def show_commune_capital(profile, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """The commune's capital lines of the plan year (plan, disbursed, share)."""
    lines = profile.capital
    if lines.empty:
        show_note("common.none_to_show", lang)
        return lines
    return show_table(_with_source_names(lines, lang), CAPITAL_LINE_COLUMNS, lang)


# ---- one department ----------------------------------------------------------------------------------------

DEPARTMENT_CRITERIA_COLUMNS = (Col("criterion", "axis.criterion"), Col("criterion_name", "common.criterion_name"),
                               Col("met", "common.communes_met", "share", denominator="reporting"))
LAGGING_COLUMNS = (Col("unit_code", "common.unit_code"), Col("name", "common.unit"), Col("criterion", "axis.criterion"),
                   Col("criterion_name", "common.criterion_name"), Col("status", "common.status", "status"),
                   Col("submission_period", "common.period", "period"), Col("stale_text", "common.stale"))


def show_department_criteria(view, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """The criteria a department leads (``DepartmentView.criteria``) with met/reporting communes."""
    frame = _criteria_names(view.criteria, lang)
    if frame.empty:  # a brief kept for its earlier-set projects and actions: say so, no empty table
        show_note("note.department_leads_none", lang, department=department_name(view.department, lang),
                  set=criteria_set_name(view.criteria_set, lang))
        return frame
    show_note("note.department_leads", lang, department=department_name(view.department, lang),
              n=len(view.criteria), set=criteria_set_name(view.criteria_set, lang))
    return show_table(frame, DEPARTMENT_CRITERIA_COLUMNS, lang)


def show_department_achievement(view, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """Share of communes meeting each criterion the department leads, as bars."""
    frame = _criteria_names(view.criteria, lang)
    if frame.empty:
        show_note("note.no_led_criteria", lang)
        return frame
    show_figure(criteria_share_bar(frame, lang))
    return frame


def show_department_lagging(view, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """The communes to act on: each (commune, criterion) the department leads that is not met."""
    names = _criteria_names(view.criteria, lang).set_index("criterion")["criterion_name"]
    lagging = view.lagging.assign(criterion_name=view.lagging["criterion"].map(names),
                                  stale_text=[t("common.yes", lang) if s else "" for s in view.lagging["stale"]])
    show_note("note.lagging", lang, communes=lagging["unit_code"].nunique(), pairs=len(lagging))
    show_table(lagging, LAGGING_COLUMNS, lang)
    return lagging.drop(columns="stale_text")  # the typed view: ``stale`` is the flag, the text only its display


def show_department_trend(trend: pd.DataFrame, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """The department's met share month by month (``department_trend``: a line, and the figures with
    evidence); returns ``trend``."""
    from nrd.present.set_break import show_set_break

    show_figure(share_trend_line(trend, lang, title=t("chart.department_trend", lang)))
    show_table(trend.sort_values("period", ascending=False),
               [Col("period", "common.period", "period"),
                Col("numerator", "common.pairs_met", "share", denominator="denominator")], lang)
    show_set_break(trend["period"].tolist(), lang)
    return trend


# ---- OCOP --------------------------------------------------------------------------------------------------

OCOP_PRODUCT_COLUMNS = (Col("product_name", "common.product"), Col("stars", "axis.stars", "int"),
                        Col("group_name", "axis.group"), Col("unit_name", "common.unit"),
                        Col("entity_type", "common.entity_type", "entity_type"),
                        Col("recognized_on", "common.recognized_on", "date"), Col("expires", "common.expires", "date"))


def show_ocop_stars(by_stars: pd.DataFrame, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """Active products by stars (``product_counts(active, ["stars"])``) as a bar chart; returns ``by_stars``."""
    show_figure(ocop_stars_bar(by_stars, lang))
    return by_stars


def show_ocop_groups(by_group_stars: pd.DataFrame, by_group: pd.DataFrame,
                     lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """Products by group and stars (``product_counts(active, ["group", "stars"])``) stacked as bars, and the
    products by group (``product_counts(active, "group")``) as a table; returns the first with group names."""
    counts = _with_group_names(by_group_stars, lang)
    show_figure(ocop_groups_bar(counts, lang))
    show_table(_with_group_names(by_group, lang),
               [Col("group_name", "axis.group"), Col("products", "axis.products", "int")], lang)
    return counts


def show_ocop_units(by_unit: pd.DataFrame, lang: str = DEFAULT_LANG, max_rows: int = 20) -> pd.DataFrame:
    """Units with the most active products (``ocop_by_unit``: unit, products, of which 4★ and 5★)."""
    show_note("note.units_with_products", lang, n=len(by_unit))
    return show_table(by_unit, [Col("unit_name", "common.unit"), Col("products", "axis.products", "int"),
                                Col("high", "common.four_five_stars", "int")], lang, max_rows=max_rows)


def show_ocop_entity_types(by_entity_type: pd.DataFrame, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """Active products and distinct entities by entity type (``ocop_by_entity_type``)."""
    return show_table(by_entity_type,
                      [Col("entity_type", "common.entity_type", "entity_type"), Col("products", "axis.products", "int"),
                       Col("entities", "common.entities", "int")], lang)


def show_ocop_products(products: pd.DataFrame, lang: str = DEFAULT_LANG, max_rows: int | None = None) -> pd.DataFrame:
    """A list of products (``ocop_new_recognitions`` or expiring ones) without entity names."""
    shown = show_table(_with_group_names(products, lang), OCOP_PRODUCT_COLUMNS, lang, max_rows=max_rows)
    if max_rows is not None and len(products) > max_rows:
        show_note("note.first_rows", lang, shown=max_rows, total=len(products))
    return shown


def expiring_products(active: pd.DataFrame, expiring: pd.DataFrame) -> pd.DataFrame:
    """The active products the watch list ``ocop_expiring`` names, with their days left, soonest first."""
    days = expiring.set_index("product_id")["days_left"]
    rows = active[active["product_id"].isin(days.index)]
    return rows.assign(days_left=rows["product_id"].map(days)).sort_values(["expires", "product_id"]) \
        .reset_index(drop=True)


def show_registrations(stages: pd.DataFrame, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """``registrations_by_stage``: the evaluation cycle, stage by stage, in pipeline order."""
    return show_table(stages, [Col("stage", "common.stage", "stage"), Col("registrations", "common.registrations", "int")],
                      lang)


# ---- capital -----------------------------------------------------------------------------------------------

POSITION_COLUMNS = (Col("year", "common.year"), Col("source_name", "axis.source"),
                    Col("plan_mvnd", "series.plan", "money"), Col("disbursed_mvnd", "series.disbursed", "money"),
                    Col("disbursed_mvnd", "common.share", "share", denominator="plan_mvnd"))


def show_capital_position(position: pd.DataFrame, period: str, lang: str = DEFAULT_LANG,
                          years: int | None = None) -> pd.DataFrame:
    """``capital_position``: plan vs disbursed per source; the chart for the plan year of P, the table for
    every plan year (each as of P, so the previous year includes January of this one)."""
    named = _with_source_names(position, lang)
    year = int(str(period)[:4])
    show_figure(capital_plan_vs_disbursed_bar(named[named["year"] == year], lang))
    shown = named.sort_values(["year", "source"], ascending=[False, True])
    if years is not None:
        shown = shown[shown["year"] > year - years]
    show_note("note.capital_as_of", lang, period=fmt_period(period, lang))
    # the table shows the year as text: a label ("2025"), not a number to format ("2.025")
    show_table(shown.assign(year=shown["year"].astype("str")), POSITION_COLUMNS, lang)
    return shown


def show_disbursement_pace(pace: pd.DataFrame, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """``disbursement_pace``: cumulative rate month by month against the linear path to the year-end target."""
    show_figure(disbursement_pace_line(pace, lang, rate="rate"))
    return show_table(pace.sort_values("period", ascending=False),
                      [Col("period", "common.period", "period"), Col("plan_mvnd", "series.plan", "money"),
                       Col("disbursed_mvnd", "series.disbursed", "money"),
                       Col("disbursed_mvnd", "common.share", "share", denominator="plan_mvnd"),
                       Col("target_rate", "common.expected_rate", "percent")], lang)


def show_mobilized(mobilized: pd.DataFrame, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """``mobilized_by_source``: cumulative capital mobilized since the start of the phase, per source."""
    frame = _with_source_names(mobilized, lang)
    show_figure(mobilized_by_source_bar(frame, lang))
    return show_table(frame.sort_values("cumulative_mvnd", ascending=False),
                      [Col("source_name", "axis.source"), Col("cumulative_mvnd", "common.cumulative", "money"),
                       Col("as_of", "common.as_of", "period")], lang)


def show_lagging_lines(behind: pd.DataFrame, units: pd.DataFrame, lang: str = DEFAULT_LANG, max_rows: int = 30) -> pd.DataFrame:
    """Capital lines behind the pace to the year-end target (``watch_lists()["capital_behind"]``)."""
    show_note("note.lagging_lines", lang, n=len(behind))
    frame = _with_source_names(_with_names(behind, units), lang)
    show_table(frame, _WATCH_COLUMNS["capital_behind"], lang, max_rows=max_rows)
    if len(frame) > max_rows:
        show_note("note.first_rows", lang, shown=max_rows, total=len(frame))
    return frame


# ---- data quality ------------------------------------------------------------------------------------------


def show_submission_grid(grid: pd.DataFrame, units: pd.DataFrame, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """``submission_grid``: communes × months, submitted or not."""
    frame = _with_names(grid, units, "unit_name")
    show_figure(completeness_heatmap(frame, lang))
    return frame


def show_late_communes(late: pd.DataFrame, grid: pd.DataFrame, units: pd.DataFrame,
                       lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """Communes that did not submit for P (``late_communes``), with their last submission and months since
    (to chase), out of the communes of ``grid``."""
    rows = late
    show_note("note.missing_now", lang, n=len(rows), total=grid["unit_code"].nunique())
    return show_table(_with_names(rows, units), [Col("unit_code", "common.unit_code"), Col("name", "common.unit"),
                                          Col("last_submission", "common.last_submission", "period"),
                                          Col("months_since", "common.months_since", "int")], lang)


def show_stale_counts(stale: pd.DataFrame, units: pd.DataFrame, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """``stale_counts``: per criterion, communes (of the communes in scope) whose status is carried from an
    earlier month, or missing."""
    frame = stale.assign(communes=int((units["unit_type"] == "commune").sum()))
    return show_table(frame, [Col("criterion", "axis.criterion"),
                       Col("stale", "common.stale_communes", "share", denominator="communes"),
                       Col("missing", "common.missing_communes", "share", denominator="communes")], lang)


def show_outliers(outliers: pd.DataFrame, units: pd.DataFrame, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """``value_outliers``: measured values far from their criterion's median (robust z-score)."""
    show_note("note.outliers", lang)
    return show_table(_with_names(outliers, units), [Col("name", "common.unit"), Col("criterion", "axis.criterion"),
                                              Col("indicator", "common.indicator"),
                                              Col("value", "common.value", "number"),
                                              Col("median", "common.median", "number"),
                                              Col("robust_z", "common.robust_z", "number"),
                                              Col("row", "common.row", "int")], lang)

"""The headline table of a report: each headline figure with its change on the month and on the year, its
target and status, as display text in the report language.

Which indicators a report shows is its headline set (``nrd.reports`` names it, ``nrd.indicators.headlines``
resolves it); the rows come from ``nrd.indicators.headlines.headlines``.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from nrd.contract import DEFAULT_PROVINCE
from nrd.indicators.headlines import PROVINCE_HEADLINES, headline_ids, headlines
from nrd.present.display import show_note, show_table
from nrd.present.formats import fmt_money, fmt_value
from nrd.present.i18n import DEFAULT_LANG, check_lang, t
from nrd.present.inputs import comparison_periods
from nrd.present.set_break import show_set_break
from nrd.present.tables import Col


def report_headlines(report: str, period: str) -> tuple[str, ...]:
    """The headline indicator ids of the report kind ``report`` (its registry entry names the set).

    Raises:
        UnknownNameError: ``report`` is not a registered report kind, or it names no headline set.
    """
    from nrd.errors import UnknownNameError
    from nrd.reports import get_report

    kind = get_report(report)
    if kind.headlines is None:
        raise UnknownNameError("headline set of report", report)
    return headline_ids(kind.headlines, period)


def _is_money_share(indicator_id: str) -> bool:
    """A capital share, or a share the catalog declares over million-VND amounts (``projects.disbursed_share``)."""
    from nrd.errors import UnknownNameError
    from nrd.indicators import get_indicator
    from nrd.present.tables import MONEY_SUFFIX

    if indicator_id.startswith("capital."):
        return True
    try:
        return str(get_indicator(indicator_id).numerator or "").endswith(MONEY_SUFFIX)
    except UnknownNameError:  # an id outside the catalog (a table of another version): a plain share
        return False


def _share_text(record: dict, lang: str) -> str | None:
    """``45,6% (243,6/534,4 tỷ đồng)`` for a share whose numerator and denominator are known, else None."""
    from nrd.present.formats import fmt_share

    num, den = record.get("numerator"), record.get("denominator")
    if pd.isna(num) or pd.isna(den):
        return None
    if _is_money_share(str(record["indicator"])):  # a share of money: its parts in billion VND
        percent = fmt_value(float(num) / float(den) * 100 if float(den) else None, "percent", lang)
        parts = f"{fmt_money(num, lang, unit=False)}/{fmt_money(den, lang, unit=False)} {t('unit.billion_vnd', lang)}"
        return f"{percent} ({parts})"
    return fmt_share(num, den, lang)


def _delta_text(delta: object, unit: str, lang: str) -> str:
    from nrd.present.formats import NA_TEXT, fmt_delta

    if delta is None or pd.isna(delta):
        return NA_TEXT
    if unit == "million_vnd":
        return f"{fmt_delta(float(delta) / 1000.0, lang, 1)} {t('unit.billion_vnd', lang)}"
    if unit == "percent":
        return f"{fmt_delta(delta, lang, 1)} {t('unit.points', lang)}"
    return fmt_delta(delta, lang, 1 if unit == "criteria" else 0)


def headline_frame(headlines: pd.DataFrame, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """Headline rows as display text: label, value, change on the month, change on the year, target, status.

    Args:
        headlines: one row per indicator with ``indicator`` and ``value``; optional ``numerator``,
            ``denominator``, ``delta`` (vs P-1), ``delta_year`` (vs P-12), ``target``, ``status``, ``unit``.
            Shares show their numerator and denominator; money shows billion VND with its unit.
    """
    from nrd.indicators import get_indicator
    from nrd.present.formats import NA_TEXT
    from nrd.present.i18n import indicator_label

    lang = check_lang(lang)
    rows = []
    for record in headlines.to_dict("records"):
        unit = record.get("unit") or get_indicator(record["indicator"]).unit
        value = (_share_text(record, lang) if unit == "percent" else None) or fmt_value(record.get("value"), unit, lang)
        if unit == "criteria" and not pd.isna(record.get("value")):
            value = f"{fmt_value(record.get('value'), unit, lang)} {t('unit.criteria', lang)}"
        if unit == "level" and not pd.isna(record.get("value")):  # 0-3 means nothing to a reader: name it
            level = int(record["value"])
            value = f"{t(f'level.{level}', lang)} ({fmt_value(level, unit, lang)})"
        status = record.get("status")
        rows.append({
            "label": indicator_label(record["indicator"], lang),
            "value": value,
            "delta": _delta_text(record.get("delta"), unit, lang),
            "delta_year": _delta_text(record.get("delta_year"), unit, lang),
            "target": _target_text(record, unit, lang),
            "status": t(f"target_status.{status}", lang) if status else NA_TEXT,
        })
    return pd.DataFrame(rows, columns=["label", "value", "delta", "delta_year", "target", "status"])


def _target_text(record: dict, unit: str, lang: str) -> str:
    """The target and, when given, its deadline: ``65,0% (12/2030)``."""
    from nrd.present.formats import NA_TEXT, fmt_period_short

    if "target" not in record or pd.isna(record.get("target")):
        return NA_TEXT
    text = fmt_value(record.get("target"), unit, lang)
    by = record.get("target_by")
    return f"{text} ({fmt_period_short(by)})" if isinstance(by, str) and by else text


HEADLINE_COLUMNS = (Col("label", "common.indicator"), Col("value", "common.value"),
                    Col("delta", "common.delta_month"), Col("delta_year", "common.delta_year"),
                    Col("target", "common.target"), Col("status", "common.target_status"))


def show_headlines(headlines: pd.DataFrame, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """Show the headline table (see ``headline_frame`` for the columns it reads); returns ``headlines``."""
    text = headline_frame(headlines, lang)
    with_target = "target" in headlines.columns and headlines["target"].notna().any()
    columns = [c for c in HEADLINE_COLUMNS if with_target or c.column not in ("target", "status")]
    show_table(text, columns, lang)
    return headlines


def show_headlines_of(table: pd.DataFrame, period: str, lang: str = DEFAULT_LANG,
                      indicators: Sequence[str] | str = PROVINCE_HEADLINES, *, unit_code: str | None = None,
                      province_code: str = DEFAULT_PROVINCE, targets=None, absent: Sequence[str] = ()
                      ) -> pd.DataFrame:
    """``headlines`` of ``table`` shown by ``show_headline_rows`` (without the target columns when no
    ``targets`` are given); returns the headline rows. A report binds the rows first (``headlines = rp.
    headlines(table, ...)``) and shows them; this is the one-call form for an analyst's cell."""
    rows = headlines(table, period, indicators, unit_code=unit_code, province_code=province_code, targets=targets)
    if not targets:
        rows = rows.drop(columns=["target", "status"])
    return show_headline_rows(rows, period, lang, absent=absent)


def show_headline_rows(rows: pd.DataFrame, period: str, lang: str = DEFAULT_LANG, *,
                       absent: Sequence[str] = ()) -> pd.DataFrame:
    """Headline figures (``nrd.indicators.headlines`` rows) with their change on the previous month and the
    same month last year, and their target status (met / on track / behind) when the rows have targets, a
    note on the deltas and, when P-12..P crosses a change of criteria set and a figure counts against the
    set, its footnote. ``absent``: input tables the dataset does not hold (their indicators are not in the
    table), named in a note. Returns ``rows`` (values, deltas, numerators and denominators as numbers)."""
    from nrd.present.absent import show_absent

    if rows.empty and show_absent(absent, lang):
        return rows
    show_headlines(rows, lang)
    show_absent(absent, lang)
    show_note("note.headline_deltas", lang)
    if _any_per_set(rows["indicator"] if "indicator" in rows else ()):
        show_set_break(comparison_periods(period), lang)
    return rows


def _any_per_set(indicator_ids) -> bool:
    """Whether one of the shown indicators is counted against the criteria set: only then does a change of
    set between the compared months concern the reader (works, appraisal or OCOP figures do not)."""
    from nrd.indicators.catalog import is_per_set

    return any(is_per_set(str(i)) for i in indicator_ids)

"""Numbers, money, shares and dates in the reader's locale (Babel), applied only when rendering.

Values stay raw in frames (money in million VND); these functions turn one value into display text.
Vietnamese writes ``1.234,5``, English ``1,234.5``, French ``1 234,5`` with the narrow no-break space
(U+202F) Babel gives: it is kept so a French reader sees the number the way French typography prints it.
Missing values (None, NaN, NA, NaT) show as an en dash.
"""

from __future__ import annotations

import datetime as _dt
import math

import pandas as pd
from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal

from nrd.periods import parse_period, period_start
from nrd.present.i18n import DEFAULT_LANG, check_lang, t

NA_TEXT = "–"
_MVND_PER_BILLION = 1000.0


def is_missing(x: object) -> bool:
    """True for None, NaN, pandas NA and NaT (what a report shows as a dash)."""
    if x is None:
        return True
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):  # lists and other containers are not "missing"
        return False


def _pattern(digits: int) -> str:
    return "#,##0" + ("." + "0" * digits if digits > 0 else "")


def fmt_number(x: object, lang: str = DEFAULT_LANG, digits: int = 0) -> str:
    """``x`` with grouping and ``digits`` decimals in the locale of ``lang``: vi ``1.234,5``."""
    lang = check_lang(lang)
    if is_missing(x):
        return NA_TEXT
    value = float(x)
    if value == 0:  # never print "-0"
        value = 0.0
    return format_decimal(value, format=_pattern(digits), locale=lang)


def fmt_int(x: object, lang: str = DEFAULT_LANG) -> str:
    return fmt_number(x, lang, 0)


def fmt_percent(x: object, lang: str = DEFAULT_LANG, digits: int = 1) -> str:
    """``x`` given in percent (0-100) with the locale's percent pattern: vi ``97,4%``, fr ``97,4 %``."""
    lang = check_lang(lang)
    if is_missing(x):
        return NA_TEXT
    pattern = Locale.parse(lang).percent_formats[None].pattern
    number = fmt_number(x, lang, digits)
    return pattern.replace("#,##0", number, 1)


def fmt_money(mvnd: object, lang: str = DEFAULT_LANG, digits: int = 1, unit: bool = True) -> str:
    """Million VND shown in billions with the unit: ``1.234,5 tỷ đồng`` / ``1,234.5 billion VND``."""
    lang = check_lang(lang)
    if is_missing(mvnd):
        return NA_TEXT
    number = fmt_number(float(mvnd) / _MVND_PER_BILLION, lang, digits)
    return f"{number} {t('unit.billion_vnd', lang)}" if unit else number


def fmt_share(num: object, den: object, lang: str = DEFAULT_LANG, digits: int = 1) -> str:
    """A share with its evidence: ``97,4% (95/97)``. A zero or missing denominator gives ``– (0/0)``."""
    lang = check_lang(lang)
    if is_missing(num) or is_missing(den):
        return NA_TEXT
    counts = f"({fmt_number(num, lang)}/{fmt_number(den, lang)})"
    if float(den) == 0:
        return f"{NA_TEXT} {counts}"
    return f"{fmt_percent(float(num) / float(den) * 100, lang, digits)} {counts}"


def fmt_money_share(num_mvnd: object, den_mvnd: object, lang: str = DEFAULT_LANG, digits: int = 1) -> str:
    """A share of two amounts in million VND, its parts in billions with the unit:
    ``89,9% (158,1/175,9 tỷ đồng)`` (never ``(158.115/175.906)``, which a reader takes for billions)."""
    lang = check_lang(lang)
    if is_missing(num_mvnd) or is_missing(den_mvnd):
        return NA_TEXT
    parts = (f"({fmt_money(num_mvnd, lang, unit=False)}/{fmt_money(den_mvnd, lang, unit=False)} "
             f"{t('unit.billion_vnd', lang)})")
    if float(den_mvnd) == 0:
        return f"{NA_TEXT} {parts}"
    return f"{fmt_percent(float(num_mvnd) / float(den_mvnd) * 100, lang, digits)} {parts}"


def fmt_delta(x: object, lang: str = DEFAULT_LANG, digits: int = 0, suffix: str = "") -> str:
    """A change with its sign: ``+3``, ``-1,5``, ``0``; ``suffix`` (e.g. `` pp``) is appended."""
    lang = check_lang(lang)
    if is_missing(x):
        return NA_TEXT
    value = round(float(x), digits)
    text = fmt_number(abs(value), lang, digits)
    sign = "+" if value > 0 else ("-" if value < 0 else "")
    return f"{sign}{text}{suffix}"


def fmt_date(d: object, lang: str = DEFAULT_LANG) -> str:
    """A date as dd/mm/yyyy in every language: ``30/09/2025``.

    The office and its partners read day-first dates; an unambiguous numeric form keeps tables narrow.
    """
    check_lang(lang)
    if is_missing(d):
        return NA_TEXT
    stamp = pd.Timestamp(d)
    return f"{stamp.day:02d}/{stamp.month:02d}/{stamp.year:04d}"


def fmt_period(p: object, lang: str = DEFAULT_LANG) -> str:
    """A month in words: ``tháng 9/2025``, ``September 2025``, ``septembre 2025``."""
    lang = check_lang(lang)
    if is_missing(p):
        return NA_TEXT
    period = parse_period(p)
    if lang == "vi":
        return f"tháng {int(period[5:]):d}/{period[:4]}"
    return format_date(period_start(period).date(), "MMMM yyyy", locale=lang)


def fmt_period_short(p: object, lang: str = DEFAULT_LANG) -> str:
    """A month for axes and column heads: ``09/2025`` in every language."""
    check_lang(lang)
    if is_missing(p):
        return NA_TEXT
    period = parse_period(p)
    return f"{period[5:]}/{period[:4]}"


def fmt_value(x: object, unit: str, lang: str = DEFAULT_LANG) -> str:
    """Format by an indicator's unit (catalog units: count, percent, million_vnd, criteria, level)."""
    if unit in ("percent", "share", "%"):
        return fmt_percent(x, lang)
    if unit in ("mvnd", "money", "million_vnd"):
        return fmt_money(x, lang)
    if unit in ("count", "level", "int"):
        return fmt_number(x, lang, 0)
    if isinstance(x, float) and not is_missing(x) and not math.isclose(x, round(x)):
        return fmt_number(x, lang, 1)
    return fmt_number(x, lang, 0)


def as_date(value: object) -> _dt.date | None:
    """A ``date`` for anything date-like, or None when missing."""
    return None if is_missing(value) else pd.Timestamp(value).date()


def escape_html(text: object) -> str:
    """``text`` safe to place in HTML (quotes too)."""
    import html

    return html.escape(str(text), quote=True)

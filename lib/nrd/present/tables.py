"""Styled HTML tables: values formatted in the reader's locale, escaped, with stable ids and compact CSS.

A table is declared as a list of ``Col`` (which frame column, its label key, how to format it); the frame
keeps raw values and only the copy that is rendered holds text. Every share is shown with its numerator
and denominator (``97,9% (95/97)``) so a reader can check it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd
from pandas.io.formats.style import Styler

from nrd.present import formats
from nrd.present.i18n import DEFAULT_LANG, check_lang, enum_label, has_label, t

#: Kinds of column and the formatter each uses (value, lang) -> text.
_FORMATTERS: dict[str, Callable[[object, str], str]] = {
    "text": lambda v, lang: formats.NA_TEXT if formats.is_missing(v) else str(v),
    "int": lambda v, lang: formats.fmt_number(v, lang, 0),
    "number": lambda v, lang: formats.fmt_number(v, lang, 1),
    "percent": lambda v, lang: formats.fmt_percent(v, lang),
    "money": lambda v, lang: formats.fmt_money(v, lang, unit=False),
    "date": lambda v, lang: formats.fmt_date(v, lang),
    "period": lambda v, lang: formats.fmt_period(v, lang),
    "delta": lambda v, lang: formats.fmt_delta(v, lang),
    "delta1": lambda v, lang: formats.fmt_delta(v, lang, 1),
}
_ENUM_KINDS = ("status", "level", "stage", "entity_type", "severity", "unit_type", "trend", "project_status",
               "project_category", "dossier_stage", "inspection_kind")
#: Columns holding million VND end so (data contract); a share of such columns is a share of money.
MONEY_SUFFIX = "_mvnd"
_RIGHT_ALIGNED = {"int", "number", "percent", "money", "delta", "delta1", "share"}

TABLE_CSS = [
    {"selector": "", "props": "border-collapse:collapse;font-size:0.85em;margin:0.4em 0 1em 0;"},
    {"selector": "th", "props": "background:#eef2f5;text-align:left;padding:3px 6px;"
                                 "border-bottom:1px solid #9aa5ad;font-weight:600;"},
    {"selector": "td", "props": "padding:2px 6px;border-bottom:1px solid #e3e7ea;vertical-align:top;"},
    {"selector": "caption", "props": "caption-side:top;text-align:left;font-weight:600;padding:2px 0;"},
]


@dataclass(frozen=True)
class Col:
    """One displayed column.

    Attributes:
        column: the frame column (for ``share``: the numerator column).
        label: a catalog key (translated) or literal header text.
        kind: text, int, number, percent, money (billion VND), date, period, delta, share, or an
            enumeration kind (status, level, stage, entity_type, severity, unit_type).
        denominator: for ``share``, the denominator column.
    """

    column: str
    label: str
    kind: str = "text"
    denominator: str | None = None


def _header(col: Col, lang: str) -> str:
    text = t(col.label, lang) if has_label(col.label) else col.label
    if col.kind == "money":
        text = f"{text} ({t('unit.billion_vnd', lang)})"
    return text


def _cell_texts(frame: pd.DataFrame, col: Col, lang: str) -> list[str]:
    if col.column not in frame.columns:
        raise ValueError(f"styled_table: no column {col.column!r}; the frame has {list(frame.columns)}")
    values = frame[col.column].tolist()
    if col.kind == "share":
        if not col.denominator or col.denominator not in frame.columns:
            raise ValueError(f"styled_table: share column {col.column!r} needs its denominator column")
        # money columns are million VND by the contract's naming (``*_mvnd``): their parts are shown in billions
        share = formats.fmt_money_share if col.column.endswith(MONEY_SUFFIX) else formats.fmt_share
        return [share(n, d, lang) for n, d in zip(values, frame[col.denominator].tolist())]
    if col.kind in _ENUM_KINDS:
        return [formats.NA_TEXT if formats.is_missing(v) else enum_label(col.kind, v, lang) for v in values]
    if col.kind not in _FORMATTERS:
        raise ValueError(f"styled_table: unknown column kind {col.kind!r}")
    return [_FORMATTERS[col.kind](v, lang) for v in values]


def table_id(columns: Sequence[Col], caption: str | None = None) -> str:
    """A stable id for a table (replaces pandas' random uuid): same columns and caption -> same id."""
    key = "|".join(f"{c.column}:{c.label}:{c.kind}" for c in columns) + f"|{caption or ''}"
    return "nrd" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]


def display_frame(frame: pd.DataFrame, columns: Sequence[Col], lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """The text the table shows: one str column per ``Col``, headed by its translated label."""
    lang = check_lang(lang)
    headers = [_header(col, lang) for col in columns]
    twice = sorted({h for h in headers if headers.count(h) > 1})
    if twice:  # two labels that coincide in one language would silently merge two columns
        raise ValueError(f"styled_table: header(s) {twice} appear twice in {lang!r}; give the columns distinct labels")
    data = {header: _cell_texts(frame, col, lang) for header, col in zip(headers, columns)}
    return pd.DataFrame(data, index=pd.RangeIndex(len(frame)), dtype=object)


def styled_table(
    frame: pd.DataFrame,
    columns: Sequence[Col],
    lang: str = DEFAULT_LANG,
    *,
    caption: str | None = None,
    max_rows: int | None = None,
    uid: str | None = None,
) -> str:
    """Render ``frame`` as an HTML table (escaped values, locale formats, stable ids).

    Args:
        frame: raw values; not modified.
        columns: what to show, in order.
        lang: vi, en or fr.
        caption: optional caption text (escaped).
        max_rows: show at most this many rows (the caller orders the frame).
        uid: the table id; by default derived from the columns and caption.
    """
    lang = check_lang(lang)
    columns = list(columns)
    shown = frame if max_rows is None else frame.head(max_rows)
    text = display_frame(shown, columns, lang)
    if text.empty and len(text.columns) == 0:
        return ""
    styler = Styler(text, cell_ids=False, uuid=uid or table_id(columns, caption))
    styler = styler.format(escape="html").format_index(escape="html", axis=1).hide(axis="index")
    if caption:
        styler = styler.set_caption(formats.escape_html(caption))
    right = {
        text.columns[i]: [{"selector": "td, th", "props": "text-align:right;white-space:nowrap;"}]
        for i, col in enumerate(columns)
        if col.kind in _RIGHT_ALIGNED
    }
    styler = styler.set_table_styles(TABLE_CSS).set_table_styles(right, overwrite=False)
    styler = styler.set_table_attributes('class="nrd-table"')
    return styler.to_html(doctype_html=False)

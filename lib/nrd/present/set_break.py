"""Footnotes for comparisons that cross a change of criteria set (e.g. 19 criteria, then 10).

A delta or a trend over periods under two sets compares counts of different things; every such view says so.
"""

from __future__ import annotations

from collections.abc import Sequence

from nrd.present.display import _display_html, note_html
from nrd.present.formats import fmt_period
from nrd.present.i18n import DEFAULT_LANG, t


def set_break_notes(period_list: Sequence[str], lang: str = DEFAULT_LANG) -> list[str]:
    """The sentences explaining each change of criteria set that ``period_list`` crosses (none if none)."""
    from nrd.indicators.phase import set_changes
    from nrd.reference import get_criteria_set

    notes = []
    for first, old, new in set_changes(period_list):
        a, b = get_criteria_set(old), get_criteria_set(new)
        notes.append(t("note.set_break", lang, period=fmt_period(first, lang), old=a.name(lang), n_old=len(a),
                       new=b.name(lang), n_new=len(b)))
    return notes


def show_set_break(period_list: Sequence[str], lang: str = DEFAULT_LANG) -> None:
    """A footnote for each change of criteria set that a delta or trend over ``period_list`` crosses."""
    for text in set_break_notes(period_list, lang):
        _display_html(note_html(text))

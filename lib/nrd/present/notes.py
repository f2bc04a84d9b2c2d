"""A report's notes: the assumptions it rests on and the reference data it used."""

from __future__ import annotations

from nrd.present.display import _display_html, assumptions_html, section
from nrd.present.i18n import DEFAULT_LANG


def show_assumptions(lang: str = DEFAULT_LANG, ds=None, period: str | None = None):
    """The report's notes: the assumptions it rests on and the reference data it used.

    With ``ds`` and ``period``: only the assumptions that concern the period's criteria set and that no
    office file of the dataset replaces, then how many indicators of the set are on file and which
    reference rows came from the office's files (``nrd.present.phase.reference_notes_html``).
    Returns the assumptions shown (a frame: id, tag, text in each language).
    """
    section("section.assumptions", lang)
    if ds is None or period is None:
        from nrd.reference import load_assumptions

        assumptions = load_assumptions()
        _display_html(assumptions_html(lang, assumptions))
        return assumptions
    from nrd.present.phase import show_reference_notes

    communes = ds.units.loc[ds.units["unit_type"] == "commune", "unit_code"]
    assumptions = ds.reference.assumptions(period, communes)
    _display_html(assumptions_html(lang, assumptions))
    show_reference_notes(ds.reference, period, lang)
    return assumptions

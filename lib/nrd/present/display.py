"""What a report notebook shows, as HTML: headings, notes, tables, figures, assumptions, findings.

Headings are emitted as HTML ``<h2>``/``<h3>`` in the report language (a markdown cell cannot be
translated); the HTML exporter builds its table of contents from them. Text is escaped here; tables are
``nrd.present.tables.styled_table``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

import pandas as pd

from nrd.present.i18n import DEFAULT_LANG, check_lang, has_label, t
from nrd.present.tables import Col, styled_table


def _display(obj, **kwargs) -> None:
    from IPython.display import display

    display(obj, **kwargs)


def heading_html(key_or_text: str, lang: str = DEFAULT_LANG, level: int = 2, **values: object) -> str:
    """``<h2>`` (or h3) with a translated label (a catalog key) or literal text, escaped."""
    text = t(key_or_text, lang, **values) if has_label(key_or_text) else key_or_text
    anchor = re.sub(r"[^a-z0-9]+", "-", key_or_text.lower()).strip("-")
    return f'<h{level} id="{html.escape(anchor)}">{html.escape(text)}</h{level}>'


def section(key: str, lang: str = DEFAULT_LANG, level: int = 2, **values: object) -> None:
    """Show a section heading in the report language."""
    _display_html(heading_html(key, lang, level, **values))


def _display_html(markup: str) -> None:
    from IPython.display import HTML

    _display(HTML(markup))


def note_html(text: str) -> str:
    return f'<p class="nrd-note">{html.escape(text)}</p>'


def show_note(key: str, lang: str = DEFAULT_LANG, **values: object) -> None:
    """A sentence of narrative from the catalog, in the report language."""
    _display_html(note_html(t(key, lang, **values)))


def show_table(frame: pd.DataFrame, columns: Sequence[Col], lang: str = DEFAULT_LANG, **kwargs) -> pd.DataFrame:
    """Show ``styled_table(frame, columns, lang)``; an empty frame shows "nothing to show".

    Returns ``frame`` itself (typed, every row: ``max_rows`` only shortens what is shown), so a notebook
    cell can end with the frame an analyst wants to sort or filter; a report ends the call with ``;``.
    """
    if frame.empty:
        _display_html(note_html(t("common.none_to_show", lang)))
        return frame
    _display_html(styled_table(frame, columns, lang, **kwargs))
    return frame


def show_figure(fig, alt: str | None = None) -> None:
    """Show a chart as a deterministic PNG and release it (no figure is kept alive). ``alt``: its text
    alternative in the report language (the page's ``<img alt>``; without it, the page's generic one)."""
    from IPython.display import Image

    from nrd.present.plots import figure_png  # here: the run's own process formats text without matplotlib

    _display(Image(data=figure_png(fig), format="png", metadata={"alt": alt} if alt else None))
    fig.clear()


def assumptions_html(lang: str = DEFAULT_LANG, assumptions: pd.DataFrame | None = None) -> str:
    """The stated assumptions, each with its evidence tag (R background, I inference); default: every
    assumption of the reference data."""
    from nrd.reference import load_assumptions

    lang = check_lang(lang)
    frame = load_assumptions() if assumptions is None else assumptions
    items = "\n".join(
        f'<li><span class="nrd-tag">[{html.escape(str(row["tag"]))}]</span> {html.escape(str(row[f"text_{lang}"]))}</li>'
        for _, row in frame.iterrows()
    )
    return f'<ul class="nrd-assumptions">\n{items}\n</ul>'


FINDING_COLUMNS = (Col("severity", "common.severity", "severity"), Col("file", "common.file"),
                   Col("sheet", "common.sheet"), Col("row", "common.row", "int"), Col("column", "common.column"),
                   Col("value", "common.value"), Col("expected", "common.expected"), Col("message", "common.message"))


def show_findings(findings, lang: str = DEFAULT_LANG, max_rows: int = 200) -> pd.DataFrame:
    """The validation findings (``Dataset.findings``) as a table: file, sheet, row, column, value, expected."""
    from nrd.io import findings_frame

    return show_table(findings_frame(findings), FINDING_COLUMNS, lang, max_rows=max_rows)

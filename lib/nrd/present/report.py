"""What a report notebook calls to show a section: header, headings, tables, figures, notes.

Notebooks stay thin (no ``def``, no business rule): each cell calls one of these with a frame from
``nrd.indicators`` and the report language. Headings are emitted as HTML ``<h2>``/``<h3>`` in the report
language (a markdown cell cannot be translated); the HTML exporter builds its table of contents from them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from nrd.errors import UsageError
from nrd.present.formats import fmt_date, fmt_period, fmt_value
from nrd.present.i18n import DEFAULT_LANG, check_lang, has_label, t
from nrd.present.plots import figure_png
from nrd.present.tables import Col, styled_table

#: Mime type of the report metadata output (``docs/architecture.md`` "Report metadata output"); the
#: value is the same as ``nrd.run.meta.REPORT_META_MIME`` — present cannot import run (layering).
REPORT_META_MIME = "application/vnd.nrd.report+json"

#: The repository's notebooks folder (``lib/nrd/present/report.py`` -> repo root / notebooks).
NOTEBOOKS_DIR = Path(__file__).resolve().parents[3] / "notebooks"


def _display(obj, **kwargs) -> None:
    from IPython.display import display

    display(obj, **kwargs)


def resolve_data_dir(data_dir: str | Path, notebooks_dir: str | Path | None = None) -> Path:
    """The dataset folder a notebook parameter names.

    A relative path is taken from the working directory when it exists there (JupyterLab runs a
    notebook in its own folder), else from the notebooks folder (papermill may run from anywhere).

    Raises:
        UsageError: the folder exists in neither place.
    """
    path = Path(data_dir).expanduser()
    if path.is_absolute():
        candidates = [path]
    else:
        candidates = [Path.cwd() / path, Path(notebooks_dir or NOTEBOOKS_DIR) / path]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate.resolve()
    tried = ", ".join(str(c) for c in candidates)
    raise UsageError(f"data folder {str(data_dir)!r} not found (tried {tried}); pass data_dir=<dataset folder>")


def normalize_unit_code(code: object) -> str:
    """A unit code as the 5-digit string (papermill ``-p unit_code 01234`` passes the int 1234)."""
    text = str(code).strip()
    if re.fullmatch(r"\d{1,5}", text):
        return text.zfill(5)
    return text


def report_meta(report: str, lang: str, period: str, *, unit: str | None = None, subtitle: str | None = None,
                as_of: object = None) -> dict[str, dict[str, str]]:
    """The mime bundle of the report metadata output (title block of the HTML page)."""
    lang = check_lang(lang)
    value = {
        "title": t(f"report.{report}", lang),
        "subtitle": subtitle if subtitle is not None else t("common.province", lang),
        "unit": unit,
        "period": fmt_period(period, lang),
        "as_of": None if as_of is None else fmt_date(as_of, lang),
        "lang": lang,
    }
    return {REPORT_META_MIME: {k: str(v) for k, v in value.items() if v is not None}}


def report_header(report: str, lang: str = DEFAULT_LANG, period: str | None = None, *, unit: str | None = None,
                  subtitle: str | None = None, as_of: object = None) -> None:
    """Emit the report metadata output (``report`` is a notebook name: title from ``report.<name>``).

    Inside JupyterLab the output is invisible; the exporter turns it into the page's title block.
    """
    _display(report_meta(report, lang, period, unit=unit, subtitle=subtitle, as_of=as_of), raw=True)


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


def show_table(frame: pd.DataFrame, columns: Sequence[Col], lang: str = DEFAULT_LANG, **kwargs) -> None:
    """Show ``styled_table(frame, columns, lang)``; an empty frame shows "nothing to show"."""
    if frame.empty:
        _display_html(note_html(t("common.none_to_show", lang)))
        return
    _display_html(styled_table(frame, columns, lang, **kwargs))


def show_figure(fig) -> None:
    """Show a chart as a deterministic PNG and release it (no figure is kept alive)."""
    from IPython.display import Image

    _display(Image(data=figure_png(fig), format="png"))
    fig.clear()


def headline_frame(headlines: pd.DataFrame, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """Headline rows as display text: label, value, change, target.

    Args:
        headlines: one row per indicator with ``indicator`` and ``value``; optional ``numerator``,
            ``denominator``, ``previous``, ``delta``, ``target``, ``gap``, ``unit``.
    """
    from nrd.present.formats import NA_TEXT, fmt_delta, fmt_share
    from nrd.present.i18n import indicator_label

    lang = check_lang(lang)
    rows = []
    for record in headlines.to_dict("records"):
        unit = record.get("unit")
        if unit is None:
            from nrd.indicators import get_indicator

            unit = get_indicator(record["indicator"]).unit
        if unit == "percent" and pd.notna(record.get("denominator")) and pd.notna(record.get("numerator")):
            value = fmt_share(record["numerator"], record["denominator"], lang)
        else:
            value = fmt_value(record.get("value"), unit, lang)
        digits = 1 if unit in ("percent", "criteria") else 0
        scale = 1000.0 if unit == "million_vnd" else 1.0
        delta = record.get("delta")
        rows.append({
            "label": indicator_label(record["indicator"], lang),
            "value": value,
            "delta": NA_TEXT if delta is None or pd.isna(delta) else fmt_delta(
                float(delta) / scale, lang, 1 if scale > 1 else digits),
            "target": fmt_value(record.get("target"), unit, lang) if "target" in record else NA_TEXT,
        })
    return pd.DataFrame(rows, columns=["label", "value", "delta", "target"])


HEADLINE_COLUMNS = (Col("label", "common.indicator"), Col("value", "common.value"),
                    Col("delta", "common.delta"), Col("target", "common.target"))


def show_headlines(headlines: pd.DataFrame, lang: str = DEFAULT_LANG) -> None:
    """Show the headline table (see ``headline_frame`` for the columns it reads)."""
    text = headline_frame(headlines, lang)
    columns = [c for c in HEADLINE_COLUMNS if c.column != "target" or "target" in headlines.columns]
    show_table(text, columns, lang)


def assumptions_html(lang: str = DEFAULT_LANG) -> str:
    """The stated assumptions (reference data), each with its evidence tag (R background, I inference)."""
    from nrd.reference import load_assumptions

    lang = check_lang(lang)
    items = "\n".join(
        f'<li><span class="nrd-tag">[{html.escape(str(row["tag"]))}]</span> {html.escape(str(row[f"text_{lang}"]))}</li>'
        for _, row in load_assumptions().iterrows()
    )
    return f'<ul class="nrd-assumptions">\n{items}\n</ul>'


def show_assumptions(lang: str = DEFAULT_LANG) -> None:
    section("section.assumptions", lang)
    _display_html(assumptions_html(lang))


FINDING_COLUMNS = (Col("severity", "common.severity", "severity"), Col("file", "common.file"),
                   Col("sheet", "common.sheet"), Col("row", "common.row", "int"), Col("column", "common.column"),
                   Col("value", "common.value"), Col("expected", "common.expected"), Col("message", "common.message"))


def findings_frame(findings) -> pd.DataFrame:
    """Validation findings as a frame (one row per finding, in the order the reader produced them)."""
    columns = ["severity", "rule", "table", "file", "sheet", "row", "column", "value", "expected", "message"]
    return pd.DataFrame([{c: getattr(f, c, None) for c in columns} for f in findings], columns=columns)


def show_findings(findings, lang: str = DEFAULT_LANG, max_rows: int = 200) -> None:
    show_table(findings_frame(findings), FINDING_COLUMNS, lang, max_rows=max_rows)

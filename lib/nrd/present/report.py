"""What a report notebook calls, in one namespace (``from nrd.present import report as rp``).

The names live in modules of one job each and are re-exported here, so a notebook needs one import:

- ``nrd.present.inputs``: the data folder and files a notebook names, its unit, its indicator table;
- ``nrd.present.display``: headings, notes, tables, figures, assumptions and findings as HTML;
- ``nrd.present.headline_table``: the headline table (the report's headline set, by name, from
  ``nrd.reports``);
- here: the report metadata output (the page's title block: the report's title from ``labels.yaml``).
"""

from __future__ import annotations

from nrd.indicators.headlines import (
    CAPITAL_HEADLINES,
    COMMUNE_HEADLINES,
    OCOP_HEADLINES,
    PROVINCE_HEADLINES,
    QUALITY_HEADLINES,
    headlines,
)
from nrd.present.display import (
    FINDING_COLUMNS,
    assumptions_html,
    heading_html,
    note_html,
    section,
    show_figure,
    show_findings,
    show_note,
    show_table,
)
from nrd.present.formats import fmt_date, fmt_period
from nrd.present.notes import show_assumptions
from nrd.present.headline_table import (
    HEADLINE_COLUMNS,
    headline_frame,
    report_headlines,
    show_headline_rows,
    show_headlines,
    show_headlines_of,
)
from nrd.present.i18n import DEFAULT_LANG, check_lang, t
from nrd.present.inputs import (
    comparison_periods,
    indicator_table,
    normalize_unit_code,
    resolve_data_dir,
    resolve_path,
    trend_periods,
    unit_name,
    unit_record,
)
from nrd.reports import find_report

#: Mime type of the report metadata output (``docs/architecture.md`` "Report metadata output"); the
#: value is the same as ``nrd.run.meta.REPORT_META_MIME`` — present cannot import run (layering).
REPORT_META_MIME = "application/vnd.nrd.report+json"

__all__ = [
    "CAPITAL_HEADLINES",
    "COMMUNE_HEADLINES",
    "FINDING_COLUMNS",
    "HEADLINE_COLUMNS",
    "OCOP_HEADLINES",
    "PROVINCE_HEADLINES",
    "QUALITY_HEADLINES",
    "REPORT_META_MIME",
    "assumptions_html",
    "comparison_periods",
    "heading_html",
    "headline_frame",
    "headlines",
    "indicator_table",
    "normalize_unit_code",
    "note_html",
    "report_header",
    "report_headlines",
    "report_meta",
    "resolve_data_dir",
    "resolve_path",
    "section",
    "show_assumptions",
    "show_figure",
    "show_findings",
    "show_headlines",
    "show_headline_rows",
    "show_headlines_of",
    "show_note",
    "show_table",
    "title_block_html",
    "trend_periods",
    "unit_name",
    "unit_record",
]


def report_meta(report: str, lang: str, period: str, *, unit: str | None = None, subtitle: str | None = None,
                as_of: object = None) -> dict[str, dict[str, str]]:
    """The mime bundle of the report metadata output (title block of the HTML page).

    The title is the report kind's (``nrd.reports``), the same label the index page shows.
    """
    lang = check_lang(lang)
    kind = find_report(report)
    value = {
        "title": t(kind.title_label if kind else f"report.{report}", lang),
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

    The exporter turns it into the page's title block and drops the whole output from the body; inside
    JupyterLab its ``text/html`` (``title_block_html``) shows the analyst the same title, unit and period.
    """
    from nrd.present.display import _display

    bundle = report_meta(report, lang, period, unit=unit, subtitle=subtitle, as_of=as_of)
    _display({**bundle, "text/html": title_block_html(bundle[REPORT_META_MIME], lang)}, raw=True)


def title_block_html(meta: dict[str, str], lang: str = DEFAULT_LANG) -> str:
    """The report metadata as a line of HTML for the notebook (the page builds its own title block)."""
    import html

    parts = [meta.get("subtitle"), meta.get("unit"), meta.get("period")]
    if meta.get("as_of"):
        parts.append(f"{t('common.as_of', lang)} {meta['as_of']}")
    details = " · ".join(html.escape(p) for p in parts if p)
    return (f'<div class="nrd-title-block"><strong>{html.escape(meta.get("title", ""))}</strong>'
            f"<br>{details}</div>")

"""The page's title block: report title, subtitle, unit, period, data as-of date and generated-on date.

The fields come from the notebook's report metadata (``nrd.run.page_cells``) and the exporter's arguments;
the labels from ``labels.yaml`` (``page.*``); every date and period is written by ``nrd.present.formats``,
so the as-of and generated-on dates read alike in every language (``30/09/2025``, ``05/10/2025``).

The generated-on date is the only date the exporter adds: ``resolve_generated_on`` takes it from the
argument, else ``NRD_GENERATED_ON``, else ``SOURCE_DATE_EPOCH``, else today (reproducible builds).
"""

from __future__ import annotations

import datetime as _dt
import os
from typing import Any

from nrd.errors import PeriodError, UsageError
from nrd.present.i18n import t

#: The ``page.*`` labels the template reads (``resources.nrd.labels``).
PAGE_LABELS = ("office", "unit", "period", "as_of", "generated_on", "toc", "report", "footer")


def resolve_generated_on(value: _dt.date | str | None = None) -> _dt.date:
    """The generated-on date: ``value``, else ``NRD_GENERATED_ON``, else ``SOURCE_DATE_EPOCH``, else today.

    Raises:
        UsageError: a given date is not ``YYYY-MM-DD`` (or the epoch is not an integer).
    """
    if value is None:
        value = os.environ.get("NRD_GENERATED_ON") or None
    if value is None and os.environ.get("SOURCE_DATE_EPOCH"):
        epoch = os.environ["SOURCE_DATE_EPOCH"]
        try:
            return _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc).date()
        except ValueError:
            raise UsageError(f"SOURCE_DATE_EPOCH={epoch!r}: expected seconds since 1970") from None
    if value is None:
        return _dt.date.today()
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise UsageError(f"generated-on date {value!r}: expected YYYY-MM-DD") from None


def run_generated_on(now: _dt.datetime) -> str:
    """The generated-on date of a run's pages (ISO): ``NRD_GENERATED_ON`` / ``SOURCE_DATE_EPOCH`` when set
    (reproducible builds, benchmarks comparing bytes), else the run's own date (one date for every page)."""
    if os.environ.get("NRD_GENERATED_ON") or os.environ.get("SOURCE_DATE_EPOCH"):
        return resolve_generated_on(None).isoformat()
    return now.date().isoformat()


def run_clock(now: _dt.datetime | None = None) -> _dt.datetime:
    """The run's timestamp (shown on the index page): ``now`` if given, else midnight of the reproducible
    generated-on date when ``NRD_GENERATED_ON`` / ``SOURCE_DATE_EPOCH`` is set (so the same inputs give the
    same index bytes), else the current time to the second."""
    if now is not None:
        return now
    if os.environ.get("NRD_GENERATED_ON"):
        return _dt.datetime.combine(resolve_generated_on(None), _dt.time())
    if os.environ.get("SOURCE_DATE_EPOCH"):
        resolve_generated_on(None)  # a malformed epoch is a UsageError, as for the pages
        stamp = _dt.datetime.fromtimestamp(int(os.environ["SOURCE_DATE_EPOCH"]), _dt.timezone.utc)
        return stamp.replace(tzinfo=None)
    return _dt.datetime.now().replace(microsecond=0)


def page_labels(lang: str) -> dict[str, str]:
    """The title block's and footer's labels in ``lang``."""
    return {key: t(f"page.{key}", lang) for key in PAGE_LABELS}


def _period_text(period: str, lang: str) -> str:
    from nrd.present.formats import fmt_period  # pandas: not loaded where only the generated-on date is needed

    try:
        return fmt_period(period, lang)
    except PeriodError:  # a free-text period ("2025", "tháng 9/2025") is shown as given
        return period


def _date_text(day: str, lang: str) -> str:
    from nrd.present.formats import fmt_date

    try:
        return fmt_date(_dt.date.fromisoformat(day.strip()[:10]), lang)
    except ValueError:  # already formatted ("30/09/2025") or free text: shown as given
        return day


def title_block(fields: dict[str, str], *, name: str, lang: str, generated_on: _dt.date) -> dict[str, Any]:
    """The template's ``resources.nrd``: title, subtitle, facts (label, text) and the document title.

    Without a title the page says "Báo cáo <name>" (in the page language).
    """
    from nrd.present.formats import fmt_date

    labels = page_labels(lang)
    title = fields.get("title") or f"{labels['report']} {name.replace('_', ' ')}"
    facts = []
    if fields.get("unit"):
        facts.append((labels["unit"], fields["unit"]))
    if fields.get("period"):
        facts.append((labels["period"], _period_text(fields["period"], lang)))
    if fields.get("as_of"):
        facts.append((labels["as_of"], _date_text(fields["as_of"], lang)))
    facts.append((labels["generated_on"], fmt_date(generated_on, lang)))
    document_title = " — ".join(v for v in (title, fields.get("unit"), fields.get("period")) if v)
    return {"lang": lang, "labels": labels, "title": title, "subtitle": fields.get("subtitle", ""),
            "facts": facts, "document_title": document_title, "banner": excluded_rows_banner(fields, lang)}


#: The data-quality report's page, beside every page of the publication (html/ and department folders).
DATA_QUALITY_PAGE = "data_quality.html"


def exclusion_text(rows: int, tables: Any, lang: str) -> str:
    """The sentence saying what an ``--accept-errors`` run left out: how many rows, and the tables left out
    whole (``tables``: (table, rows or ``None`` for an unreadable file) pairs), in ``lang``."""
    from nrd.present.formats import fmt_number

    whole = [t("page.excluded_table_unreadable", lang, table=_table_name(table, lang)) if count is None
             else t("page.excluded_table_rows", lang, table=_table_name(table, lang), n=fmt_number(count, lang))
             for table, count in tables]
    listed = t("page.excluded_tables", lang, tables=", ".join(whole)) if whole else ""
    if rows:
        return t("page.excluded_rows", lang, n=fmt_number(rows, lang), tables=listed)
    return t("page.excluded_data", lang, tables=listed)


def _table_name(table: str, lang: str) -> str:
    """A dataset table as a reader knows it (``table.<id>`` in ``lang``), the contract's id when unlabelled."""
    from nrd.present.i18n import has_label

    return t(f"table.{table}", lang) if has_label(f"table.{table}") else table


def exclusion_meta(exclusions: Any, quality_page: str | None) -> dict[str, str] | None:
    """The page's metadata fields of a run's ``Exclusions`` (``None`` when nothing was excluded):
    ``excluded_rows``, ``excluded_tables`` (JSON) and ``data_quality`` (the page the banner links, "" when
    the publication has none)."""
    import json

    if not exclusions:
        return None
    return {"excluded_rows": str(exclusions.rows), "excluded_tables": json.dumps(list(exclusions.tables)),
            "data_quality": quality_page or ""}


def excluded_rows_banner(fields: dict[str, Any], lang: str) -> dict[str, str] | None:
    """The banner of a page published by an ``--accept-errors`` run (``excluded_rows`` set), else None;
    it links the data-quality report only when the publication holds it (``data_quality``)."""
    import json

    if fields.get("excluded_rows") in (None, ""):
        return None
    try:
        count = int(str(fields["excluded_rows"]))
        tables = [(str(table), n) for table, n in json.loads(fields.get("excluded_tables") or "[]")]
    except (ValueError, TypeError):
        return None
    href = str(fields.get("data_quality") or "")
    return {"text": exclusion_text(count, tables, lang), "href": href,
            "link": t("report.data_quality", lang) if href else "",
            "details": t("page.excluded_details", lang) if href else ""}


def workbook_note(exclusions: Any, quality_pages: Any, lang: str = "vi") -> str:
    """The note an ``--accept-errors`` run's workbooks carry ("" when nothing was excluded), in the
    workbooks' language; ``quality_pages``: language -> data-quality page (the note names the one in
    ``lang``, else the first)."""
    if not exclusions:
        return ""
    pages = dict(quality_pages or {})
    quality_page = pages.get(lang) or (min(pages.items())[1] if pages else "")
    text = exclusion_text(exclusions.rows, exclusions.tables, lang)
    if quality_page:
        text += " " + t("xlsx.note.data_quality", lang, page=f"html/{quality_page}")
    return text

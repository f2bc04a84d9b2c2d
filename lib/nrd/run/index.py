"""The publication's ``index.html``: the period's headline figures with their change since last month (the
front page: the state of the programme before a reader chooses a report), then every report of the run,
grouped, with its status.

The page works offline from the file system: relative links only, inline CSS and a few lines of inline
JavaScript (the commune search box, which folds Vietnamese diacritics so ``binh luc`` finds ``Bình Lục``).
Its Content-Security-Policy (``nrd.run.sanitize``) fetches nothing and runs no script but that one, allowed
by the SHA-256 of its text, computed here from the very text the page carries.
Its bytes depend only on its inputs (``generated_at`` is passed in). Each report is listed under its
title from the report registry (``nrd.reports``), the label its page's title block shows; the section,
status and language labels come from ``labels.yaml`` too.
"""

from __future__ import annotations

import datetime as _dt
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from nrd.present.formats import fmt_date, fmt_period
from nrd.present.i18n import has_label, t
from nrd.reports import GROUPS, UNIT_FAN_OUT
from nrd.run.model import kind_of, registered_title
from nrd.run.sanitize import content_security_policy
from nrd.run.title_block import exclusion_text

INDEX_NAME = "index.html"
_TEMPLATES = Path(__file__).parent / "index_templates"

#: The index page's default language (its headings, groups, statuses and figures) — a run whose reports all
#: share another language writes the index in that one (``index_language``); report titles follow each report's.
INDEX_LANG = "vi"


def front_figures(history: Any, period: str, province_code: str, lang: str = INDEX_LANG) -> list[dict[str, str]]:
    """The front page's figures (headline set ``front``) as display text in the index language: label,
    value (shares with numerator/denominator), change since last month. Empty without an indicator table."""
    from nrd.indicators.headlines import FRONT_HEADLINES, headlines
    from nrd.present.headline_table import headline_frame

    if history is None or len(history) == 0:
        return []
    rows = headlines(history, period, FRONT_HEADLINES, province_code=province_code)
    return headline_frame(rows, lang)[["label", "value", "delta"]].to_dict("records")


def index_language(jobs: Sequence[Any]) -> str:
    """The index page's language: the run's when all its reports share one (``--lang en``), else ``vi``."""
    languages = {job.lang for job in jobs}
    return languages.pop() if len(languages) == 1 else INDEX_LANG


def report_title(job: Any, short: bool = False) -> str:
    """A job's report title in its language: the registry's label (``report.<kind>``, the title the page
    shows), or the report name made readable for a notebook that is not registered."""
    return registered_title(job, short) or job.report.replace("_", " ").capitalize()


_INDEX_LABELS = ("period", "generated_at", "total", "ok", "skipped", "failed", "indicators",
                 "search_placeholder", "search", "department_folders", "headlines", "change", "reports",
                 "figure")


def _group_label(group: str, lang: str = INDEX_LANG) -> str:
    key = f"group.{group}"
    return t(key, lang) if has_label(key) else group


def _status_label(status: str, lang: str = INDEX_LANG) -> str:
    key = f"run_status.{status}"
    return t(key, lang) if has_label(key) else status


def fold_text(text: str) -> str:
    """Lower-case ``text`` without diacritics (``Đ`` -> ``d``): what the search box compares."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def index_entries(results: Sequence[Any], key_labels: Mapping[str, str],
                  lang: str = INDEX_LANG) -> list[dict[str, Any]]:
    """The index page's groups, in display order, each with its entries (pure).

    Args:
        results: ``JobResult``-like objects (``job``, ``status``, ``html``, ``ipynb``, ``xlsx``, ``error``).
        key_labels: display names of ``for_each`` keys (unit code -> unit name, department -> name).
    """
    languages = {r.job.lang for r in results}
    grouped: dict[str, list[dict[str, Any]]] = {g: [] for g in GROUPS}
    for r in results:
        job = r.job
        label = report_title(job)
        if job.key is not None:
            name = key_labels.get(job.key)
            if _fans_out_over_units(job) and name:
                label = f"{name} ({job.key})"  # under its group's heading, the unit says which report
            else:
                label = f"{label}: {name or job.key}"
        if len(languages) > 1:
            label = f"{label} — {t('language.name', job.lang)}"
        html = r.html or None
        if r.status == "failed" and not html:
            html = None
        grouped.setdefault(job.group, []).append(
            {
                "label": label,
                "search": fold_text(f"{label} {job.key or ''}"),
                "html": html,
                "ipynb": r.ipynb,
                "xlsx": r.xlsx,
                "status": r.status,
                "status_label": _status_label(r.status, lang),
                "error": r.error,
            }
        )
    return [
        {
            "id": group,
            "label": _group_label(group, lang),
            "entries": entries,
            "searchable": group == "communes" and len(entries) > 1,
        }
        for group, entries in grouped.items()
        if entries
    ]


def _fans_out_over_units(job: Any) -> bool:
    kind = kind_of(job)
    return kind.for_each in UNIT_FAN_OUT if kind is not None else job.group in {"communes", "ocop"}


def _file_names(results: Sequence[Any]) -> dict[str, str]:
    """Link texts of the department folders' files: the report's short title (workbooks marked xlsx)."""
    names: dict[str, str] = {}
    for r in results:
        title = report_title(r.job, short=True)
        if r.html:
            names[Path(r.html).name] = title
        if r.xlsx:
            names[Path(r.xlsx).name] = f"{title} (xlsx)"
    return names


def render_index(
    *,
    period: str,
    results: Sequence[Any],
    generated_at: _dt.datetime,
    departments: Mapping[str, Sequence[str]] | None = None,
    key_labels: Mapping[str, str] | None = None,
    has_csv: bool = True,
    has_parquet: bool = True,
    figures: Sequence[Mapping[str, str]] = (),
    exclusions: Any = None,
    lang: str = INDEX_LANG,
) -> str:
    """The index page's HTML (pure); ``figures`` are ``front_figures`` (none: no figures block)."""
    key_labels = key_labels or {}
    env = Environment(
        loader=FileSystemLoader(_TEMPLATES), autoescape=select_autoescape(["html", "j2"]), keep_trailing_newline=True
    )
    counts = {
        "total": len(results),
        "ok": sum(r.status == "ok" for r in results),
        "skipped": sum(r.status == "skipped" for r in results),
        "failed": sum(r.status == "failed" for r in results),
    }
    names = _file_names(results)
    folders = [
        {
            "label": key_labels.get(dept, dept),
            "files": [{"href": f, "name": names.get(Path(f).name, Path(f).name)} for f in files],
        }
        for dept, files in sorted((departments or {}).items())
    ]
    script = env.get_template("search.js.j2").render()
    return env.get_template("index.html.j2").render(
        csp=content_security_policy([script]),
        script=Markup(script),  # our own code, inserted verbatim: the hash is of these exact characters
        title=t("index.title", lang),
        labels={key: t(f"index.{key}", lang) for key in _INDEX_LABELS},
        period_label=fmt_period(period, lang),
        generated_at=f"{fmt_date(generated_at, lang)} {generated_at:%H:%M}",
        counts=counts,
        groups=index_entries(results, key_labels, lang),
        departments=folders,
        has_csv=has_csv,
        has_parquet=has_parquet,
        figures=list(figures),
        banner=exclusion_text(exclusions.rows, exclusions.tables, lang) if exclusions else "",
        banner_details=t("page.excluded_details", lang),
        quality_page=_quality_page(results, lang),
        quality_title=t("report.data_quality", lang),
        lang=lang,
    )


def _quality_page(results: Sequence[Any], lang: str) -> str:
    """The data-quality report's page in this publication, in ``lang`` when there is one ("" when the
    publication has none: the banner then links nothing)."""
    pages = [r for r in results if Path(str(r.job.notebook)).stem == "data_quality" and r.html
             and r.status != "failed"]
    pages.sort(key=lambda r: r.job.lang != lang)
    return str(pages[0].html) if pages else ""


def write_index(
    publication: str | Path,
    *,
    period: str,
    results: Sequence[Any],
    generated_at: _dt.datetime,
    departments: Mapping[str, Sequence[str]] | None = None,
    key_labels: Mapping[str, str] | None = None,
    figures: Sequence[Mapping[str, str]] = (),
    exclusions: Any = None,
    lang: str = INDEX_LANG,
) -> Path:
    """Write ``index.html`` into the publication folder."""
    publication = Path(publication)
    html = render_index(
        period=period,
        results=results,
        generated_at=generated_at,
        departments=departments,
        key_labels=key_labels,
        has_csv=(publication / "indicators.csv").is_file(),
        has_parquet=(publication / "indicators.parquet").is_file(),
        figures=figures,
        exclusions=exclusions,
        lang=lang,
    )
    path = publication / INDEX_NAME
    path.write_text(html, encoding="utf-8")
    return path

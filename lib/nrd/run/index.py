"""The publication's ``index.html``: every report of the run, grouped, with its status.

The page works offline from the file system: relative links only, inline CSS and a few lines of inline
JavaScript (the commune search box, which folds Vietnamese diacritics so ``binh luc`` finds ``Bình Lục``).
Its bytes depend only on its inputs (``generated_at`` is passed in).
"""

from __future__ import annotations

import datetime as _dt
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

INDEX_NAME = "index.html"
_TEMPLATES = Path(__file__).parent / "index_templates"

GROUP_LABELS = {
    "province": "Toàn tỉnh",
    "departments": "Sở, ngành phụ trách tiêu chí",
    "communes": "Các xã",
    "ocop": "Chương trình OCOP",
    "capital": "Vốn thực hiện chương trình",
    "data_quality": "Chất lượng dữ liệu",
    "other": "Báo cáo khác",
}
REPORT_TITLES = {
    "province_overview": "Tổng quan Chương trình Nông thôn mới toàn tỉnh",
    "commune_scorecard": "Phiếu đánh giá xã",
    "department_brief": "Báo cáo theo sở, ngành",
    "ocop_portfolio": "Sản phẩm OCOP",
    "capital_disbursement": "Giải ngân vốn",
    "data_quality": "Chất lượng dữ liệu đầu vào",
}
STATUS_LABELS = {"ok": "thành công", "skipped": "không đổi (giữ bản trước)", "failed": "lỗi"}
LANG_LABELS = {"vi": "Tiếng Việt", "en": "English", "fr": "Français"}


def fold_text(text: str) -> str:
    """Lower-case ``text`` without diacritics (``Đ`` -> ``d``): what the search box compares."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def index_entries(results: Sequence[Any], key_labels: Mapping[str, str]) -> list[dict[str, Any]]:
    """The index page's groups, in display order, each with its entries (pure).

    Args:
        results: ``JobResult``-like objects (``job``, ``status``, ``html``, ``ipynb``, ``xlsx``, ``error``).
        key_labels: display names of ``for_each`` keys (unit code -> unit name, department -> name).
    """
    languages = {r.job.lang for r in results}
    grouped: dict[str, list[dict[str, Any]]] = {g: [] for g in GROUP_LABELS}
    for r in results:
        job = r.job
        label = REPORT_TITLES.get(job.report, job.report.replace("_", " ").capitalize())
        if job.key is not None:
            name = key_labels.get(job.key)
            if job.group in {"communes", "ocop"} and name:
                label = f"{name} ({job.key})"
            else:
                label = f"{label}: {name or job.key}"
        if len(languages) > 1:
            label = f"{label} — {LANG_LABELS.get(job.lang, job.lang)}"
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
                "status_label": STATUS_LABELS.get(r.status, r.status),
                "error": r.error,
            }
        )
    return [
        {
            "id": group,
            "label": GROUP_LABELS.get(group, group),
            "entries": entries,
            "searchable": group == "communes" and len(entries) > 1,
        }
        for group, entries in grouped.items()
        if entries
    ]


def render_index(
    *,
    period: str,
    results: Sequence[Any],
    generated_at: _dt.datetime,
    departments: Mapping[str, Sequence[str]] | None = None,
    key_labels: Mapping[str, str] | None = None,
    has_csv: bool = True,
    has_parquet: bool = True,
) -> str:
    """The index page's HTML (pure)."""
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
    folders = [
        {
            "label": key_labels.get(dept, dept),
            "files": [{"href": f, "name": Path(f).name} for f in files],
        }
        for dept, files in sorted((departments or {}).items())
    ]
    year, month = period.split("-")
    return env.get_template("index.html.j2").render(
        title="Báo cáo Chương trình Nông thôn mới",
        period_label=f"tháng {int(month)}/{year}",
        generated_at=generated_at.strftime("%d/%m/%Y %H:%M"),
        counts=counts,
        groups=index_entries(results, key_labels),
        departments=folders,
        has_csv=has_csv,
        has_parquet=has_parquet,
    )


def write_index(
    publication: str | Path,
    *,
    period: str,
    results: Sequence[Any],
    generated_at: _dt.datetime,
    departments: Mapping[str, Sequence[str]] | None = None,
    key_labels: Mapping[str, str] | None = None,
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
    )
    path = publication / INDEX_NAME
    path.write_text(html, encoding="utf-8")
    return path

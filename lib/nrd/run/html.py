"""Offline HTML from an executed report notebook, with the project nbconvert template.

The page has no code, no prompts, no script and no external URL; a title block (report title, unit,
period, data as-of date, generated-on date) read from the notebook's report metadata output (see
``nrd.run.meta``); a table of contents built here from the ``h2``/``h3`` headings; print CSS for A4.
The same executed notebook and the same generated-on date give the same bytes.
"""

from __future__ import annotations

import copy
import datetime as _dt
import json
import os
import re
import threading
from functools import lru_cache
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from nrd.errors import ReportError, UsageError
from nrd.log import logger
from nrd.periods import parse_period
from nrd.run.meta import REPORT_META_FIELDS, REPORT_META_MIME

TEMPLATES_DIR = Path(__file__).parent / "templates"
TEMPLATE_NAME = "nrd"
LANGS = ("vi", "en", "fr")
#: Cell tags that keep a cell out of the page (nbconvert's TagRemovePreprocessor convention, plus ours).
REMOVE_TAGS = frozenset({"remove_cell", "nrd-notebook-only"})

_LABELS = {
    "vi": {
        "office": "Văn phòng Điều phối Nông thôn mới tỉnh Ninh Bình",
        "unit": "Đơn vị", "period": "Kỳ báo cáo", "as_of": "Số liệu đến ngày",
        "generated_on": "Ngày lập", "toc": "Mục lục", "report": "Báo cáo",
        "footer": "Báo cáo lập tự động từ số liệu của các đơn vị; không chứa thông tin cá nhân.",
    },
    "en": {
        "office": "New Rural Development Coordination Office, Ninh Bình province",
        "unit": "Unit", "period": "Period", "as_of": "Data as of",
        "generated_on": "Generated on", "toc": "Contents", "report": "Report",
        "footer": "Report generated automatically from the units' data; it holds no personal data.",
    },
    "fr": {
        "office": "Bureau de coordination Nouvelle ruralité, province de Ninh Bình",
        "unit": "Unité", "period": "Période", "as_of": "Données au",
        "generated_on": "Établi le", "toc": "Sommaire", "report": "Rapport",
        "footer": "Rapport établi automatiquement à partir des données des unités ; "
                  "sans données personnelles.",
    },
}

_EXPORT_LOCK = threading.Lock()


def export_html(
    executed_ipynb: str | Path,
    output_html: str | Path,
    *,
    title: str | None = None,
    lang: str = "vi",
    meta: dict[str, Any] | None = None,
    generated_on: _dt.date | str | None = None,
) -> Path:
    """Write the offline HTML page of an executed notebook.

    The title block is the notebook's report metadata output, overridden by ``meta`` and ``title``
    (``notebook.metadata["nrd"]`` is read too, below the output).

    Args:
        executed_ipynb: a notebook executed by ``execute_notebook``.
        output_html: the page to write (its folder is created).
        title: the report title, overriding the notebook's.
        lang: page language (``vi``, ``en``, ``fr``): ``<html lang>``, title-block labels, date formats.
        meta: more title-block fields (``REPORT_META_FIELDS``) overriding the notebook's.
        generated_on: the generated-on date; default from ``resolve_generated_on``.

    Returns:
        The path of the page.

    Raises:
        ReportError: the notebook cannot be read or the template fails.
    """
    import nbformat

    executed_ipynb, output_html = Path(executed_ipynb), Path(output_html)
    try:
        nb = nbformat.read(executed_ipynb, as_version=4)
    except Exception as error:  # nbformat raises several unrelated types for a broken file
        message = f"cannot read executed notebook {executed_ipynb}: {error}"
        raise ReportError(message, executed_ipynb) from None
    page = render_page(nb, name=executed_ipynb.stem, title=title, lang=lang, meta=meta,
                       generated_on=generated_on)
    output_html.parent.mkdir(parents=True, exist_ok=True)
    output_html.write_bytes(page.encode("utf-8"))
    logger.info("wrote %s (%d KB)", output_html, len(page.encode("utf-8")) // 1024)
    return output_html


def render_page(
    nb: Any,
    *,
    name: str = "report",
    title: str | None = None,
    lang: str = "vi",
    meta: dict[str, Any] | None = None,
    generated_on: _dt.date | str | None = None,
) -> str:
    """Return the HTML page of a notebook node (pure: ``nb`` is not modified). See ``export_html``."""
    lang = _check_lang(lang)
    body_nb, found = prepare_notebook(nb)
    fields = {**found, **{k: v for k, v in (meta or {}).items() if v not in (None, "")}}
    if title:
        fields["title"] = title
    resources = {"nrd": _title_block(fields, name=name, lang=lang,
                                     generated_on=resolve_generated_on(generated_on))}
    with _EXPORT_LOCK:  # one exporter is reused; nbconvert exporters are not thread-safe
        try:
            html, _ = _exporter().from_notebook_node(body_nb, resources=resources)
        except Exception as error:
            raise ReportError(f"{name}: HTML export failed: {type(error).__name__}: {error}") from error
    html = _add_toc(html, _LABELS[lang]["toc"])
    return sanitize_html(html)


def prepare_notebook(nb: Any) -> tuple[Any, dict[str, str]]:
    """Copy ``nb`` keeping only what a reader sees, and pull out the report metadata.

    Drops cells tagged with one of ``REMOVE_TAGS`` (e.g. a notebook's own ``# Title`` Markdown cell, which
    the title block replaces), report metadata outputs (returned instead), stderr streams, JavaScript and
    widget outputs, code cells left without outputs (parameters, imports); cell ids become positional
    (papermill gives its injected cell a random one). ``nb.metadata["nrd"]`` is read first, outputs override it in cell order.
    """
    nb = copy.deepcopy(nb)
    found: dict[str, str] = {}
    for key, value in dict(nb.metadata.get("nrd", {})).items():
        if key in REPORT_META_FIELDS and value not in (None, ""):
            found[key] = str(value)
    cells = []
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index}"  # the template shows no ids; this keeps nbformat's validator quiet
        if REMOVE_TAGS & set(cell.get("metadata", {}).get("tags", [])):
            continue
        if cell.cell_type != "code":
            cells.append(cell)
            continue
        outputs = []
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if REPORT_META_MIME in data:
                value = data[REPORT_META_MIME]
                if isinstance(value, str):  # some writers store JSON mime values as text
                    value = json.loads(value)
                found.update({k: str(v) for k, v in value.items()
                              if k in REPORT_META_FIELDS and v is not None})
                continue
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                continue
            for mime in ("application/javascript", "application/vnd.jupyter.widget-view+json"):
                data.pop(mime, None)
            if output.get("output_type") in ("display_data", "execute_result") and not data:
                continue
            outputs.append(output)
        if outputs:
            cell.outputs = outputs
            cells.append(cell)
    nb.cells = cells
    nb.metadata.pop("widgets", None)
    return nb, found


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


def format_period(period: str, lang: str) -> str:
    """A period as the reader says it: ``tháng 9/2025``, ``September 2025``, ``septembre 2025``."""
    from babel.dates import format_date

    period = parse_period(period)
    year, month = int(period[:4]), int(period[5:])
    if lang == "vi":
        return f"tháng {month}/{year}"
    return format_date(_dt.date(year, month, 1), "LLLL y", locale=lang)


def format_day(day: _dt.date | str, lang: str) -> str:
    """A date as the reader writes it (``03/10/2025``, ``3 October 2025``, ``3 octobre 2025``).

    Text that is no ISO date is shown as given.
    """
    from babel.dates import format_date

    if isinstance(day, str):
        try:
            day = _dt.date.fromisoformat(day.strip()[:10])
        except ValueError:
            return day
    return format_date(day, "dd/MM/y" if lang == "vi" else "d MMMM y", locale=lang)


def _check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise UsageError(f"language {lang!r}: expected one of {', '.join(LANGS)}")
    return lang


def _title_block(fields: dict[str, str], *, name: str, lang: str, generated_on: _dt.date) -> dict[str, Any]:
    labels = _LABELS[lang]
    title = fields.get("title") or f"{labels['report']} {name.replace('_', ' ')}"
    facts = []
    if fields.get("unit"):
        facts.append((labels["unit"], fields["unit"]))
    if fields.get("period"):
        try:
            facts.append((labels["period"], format_period(fields["period"], lang)))
        except Exception:  # a free-text period ("2025") is shown as given
            facts.append((labels["period"], fields["period"]))
    if fields.get("as_of"):
        facts.append((labels["as_of"], format_day(fields["as_of"], lang)))
    facts.append((labels["generated_on"], format_day(generated_on, lang)))
    document_title = " — ".join(v for v in (title, fields.get("unit"), fields.get("period")) if v)
    return {"lang": lang, "labels": labels, "title": title, "subtitle": fields.get("subtitle", ""),
            "facts": facts, "document_title": document_title}


@lru_cache(maxsize=1)
def _exporter():
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name=TEMPLATE_NAME, extra_template_basedirs=[str(TEMPLATES_DIR)])
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    return exporter


_HEADING = re.compile(r"<h([23])\b([^>]*)>(.*?)</h\1>", re.S | re.I)
_ANCHOR_LINK = re.compile(r'<a class="anchor-link"[^>]*>.*?</a>', re.S)
_ID = re.compile(r'\bid\s*=\s*"([^"]*)"')
_TAG = re.compile(r"<[^>]+>")
_TOC_MARK = "<!--nrd:toc-->"


def _add_toc(page: str, toc_label: str) -> str:
    """Replace the template's TOC mark with a list of the body's h2/h3 headings (ids added when missing)."""
    head, mark, body = page.partition(_TOC_MARK)
    if not mark:
        return page
    body = _ANCHOR_LINK.sub("", body)  # nbconvert's ¶ links beside every heading would print
    entries: list[tuple[str, str, str]] = []
    seen: set[str] = set()

    def _heading(match: re.Match) -> str:
        level, attrs, inner = match.groups()
        found = _ID.search(attrs)
        anchor = found.group(1) if found else ""
        if not anchor or anchor in seen:
            anchor = f"section-{len(entries) + 1}"
            attrs = _ID.sub("", attrs) + f' id="{anchor}"'
        seen.add(anchor)
        text = _TAG.sub("", inner).strip()
        if text:
            entries.append((level, anchor, text))
        return f"<h{level}{attrs}>{inner}</h{level}>"

    body = _HEADING.sub(_heading, body)
    if not entries:
        return head + body
    toc = (f'<nav class="nrd-toc" aria-label="{escape(toc_label)}">\n<h2>{escape(toc_label)}</h2>\n'
           f"{_toc_list(entries)}\n</nav>")
    return head + toc + body


def _toc_list(entries: list[tuple[str, str, str]]) -> str:
    """Nested ordered lists: h3 entries go in a sub-list of the h2 before them."""
    lines, in_sub = ["<ol>"], False
    for index, (level, anchor, text) in enumerate(entries):
        link = f'<a href="#{escape(anchor)}">{text}</a>'
        if level == "3" and index > 0:
            if not in_sub:
                lines[-1] = lines[-1].removesuffix("</li>")
                lines.append("<ol>")
                in_sub = True
            lines.append(f'<li class="toc-h3">{link}</li>')
            continue
        if in_sub:
            lines.append("</ol></li>")
            in_sub = False
        lines.append(f'<li class="toc-h{level}">{link}</li>')
    if in_sub:
        lines.append("</ol></li>")
    lines.append("</ol>")
    return "\n".join(lines)


# Elements a report never needs and that could run code or load from the network.
_DROP_ELEMENTS = {"script", "iframe", "object", "embed", "frame", "frameset", "applet", "base", "link",
                  "noscript", "template", "portal"}
_URL_ATTRS = {"href", "src", "srcset", "action", "formaction", "xlink:href", "poster", "background",
              "data", "codebase", "cite", "longdesc", "ping", "manifest"}
_LOCAL_URL = re.compile(r"^(#|data:image/(png|jpeg|gif|webp);base64,)", re.I)
_CSS_REMOTE = re.compile(r"@import[^;]*;?|url\(\s*['\"]?\s*(?!data:image/)[^)]*\)", re.I)


class _Sanitizer(HTMLParser):
    """Re-emits HTML without script-like elements, event handlers, remote URLs or CSS imports."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.skip_tag: str | None = None
        self.skip_depth = 0
        self.removed = 0

    def _attrs(self, tag: str, attrs: list[tuple[str, str | None]]) -> str:
        kept = []
        for key, value in attrs:
            key = key.lower()
            if key.startswith("on"):
                self.removed += 1
                continue
            if key in _URL_ATTRS and value is not None and not _LOCAL_URL.match(value.strip()):
                self.removed += 1
                if tag == "a" and key == "href":  # keep an author's link visible as a tooltip, not a URL
                    kept.append(f' title="{escape(value)}"')
                continue
            if key == "style" and value:
                value = _CSS_REMOTE.sub("", value)
            kept.append(f" {key}" if value is None else f' {key}="{escape(value)}"')
        return "".join(kept)

    def handle_starttag(self, tag, attrs):
        if self.skip_tag:
            self.skip_depth += tag == self.skip_tag
            return
        if tag in _DROP_ELEMENTS or (tag == "meta" and any(k.lower() == "http-equiv" for k, _ in attrs)):
            self.removed += 1
            if tag not in {"base", "link", "meta"}:  # void elements have no end tag to wait for
                self.skip_tag, self.skip_depth = tag, 1
            return
        self.out.append(f"<{tag}{self._attrs(tag, attrs)}>")

    def handle_startendtag(self, tag, attrs):
        if self.skip_tag or tag in _DROP_ELEMENTS:
            return
        self.out.append(f"<{tag}{self._attrs(tag, attrs)}/>")

    def handle_endtag(self, tag):
        if self.skip_tag:
            if tag == self.skip_tag:
                self.skip_depth -= 1
                if self.skip_depth == 0:
                    self.skip_tag = None
            return
        if tag in _DROP_ELEMENTS:
            return
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        if self.skip_tag:
            return
        if self.lasttag == "style" and self.cdata_elem == "style":
            data = _CSS_REMOTE.sub("", data)
        self.out.append(data)

    def handle_entityref(self, name):
        if not self.skip_tag:
            self.out.append(f"&{name};")

    def handle_charref(self, name):
        if not self.skip_tag:
            self.out.append(f"&#{name};")

    def handle_decl(self, decl):
        self.out.append(f"<!{decl}>")

    def handle_comment(self, data):  # comments can hide conditional markup; a report needs none
        pass

    def handle_pi(self, data):
        pass

    def unknown_decl(self, data):
        pass


def sanitize_html(page: str) -> str:
    """Return ``page`` without script/iframe/object elements, ``on*`` attributes, non-local URLs in
    ``src``/``href`` (only ``#anchor`` and base64 ``data:image/...`` stay) and CSS ``@import``/``url()``.

    Defense in depth: values from the data are escaped upstream (pandas, ``nrd.present.tables``);
    this guarantees the page stays inert and offline even when an output was not.
    """
    parser = _Sanitizer()
    parser.feed(page)
    parser.close()
    if parser.removed:
        logger.warning("sanitized report HTML: removed %d script/remote item(s)", parser.removed)
    return "".join(parser.out)

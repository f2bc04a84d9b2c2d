"""What a page may hold: the allow-list sanitizer of untrusted fragments and the pages' Content-Security-Policy.

Every fragment of a report page that comes from a notebook and is not escaped by nbconvert — ``text/html``
and ``text/markdown`` outputs, rendered Markdown cells, raw cells, images — goes through
``sanitize_fragment`` (the project template's ``nrd_sanitize`` filter, ``nrd.run.html``). It is nh3 (the
Ammonia HTML5 sanitizer): the fragment is parsed as a browser would, and only the elements and attributes
listed here are re-serialised. What stays is what our reports legitimately emit: tables, headings, lists,
text markup, spans and divs with classes and ids, ``style`` attributes and ``<style>`` elements filtered by
``nrd.run.css_filter`` (tinycss2), PNG/JPEG images as base64 ``data:`` URIs, and in-page ``#anchor``
links. A class of the page's own chrome (``nrd-``, ``jp-``, ``toc-``: the title block, the data-quality
banner, the contents, nbconvert's cell wrappers) is taken off a fragment's element, so an output cannot pass
for them (``<div class="nrd-banner">``); only the content classes ``nrd.present`` emits
(``FRAGMENT_CLASSES``) are kept. Everything else — scripts, handlers, SVG/MathML, frames, forms, ``base``/``meta``/``link``, every
other URL — is dropped, and the contents of script-like elements with it.

Values from the data are still escaped upstream (``nrd.present.tables``); this layer exists for what an
analyst writes by hand (``display(HTML(f"...{name}"))``, a ``Styler`` without ``escape=``).

Every page also carries a Content-Security-Policy ``<meta>`` (``content_security_policy``): nothing may be
fetched but ``data:`` images, no script runs but the index page's own, allowed by its SHA-256 hash.
"""

from __future__ import annotations

import base64
import hashlib
import re

import nh3

from nrd.log import logger
from nrd.run.css_filter import PAGE_CLASS_PREFIXES, clean_style_attribute, clean_stylesheet

_TEXT_TAGS = {"p", "br", "hr", "span", "div", "section", "article", "header", "footer", "aside", "figure",
              "figcaption", "blockquote", "pre", "code", "kbd", "samp", "var", "b", "strong", "i", "em", "u",
              "s", "del", "ins", "mark", "small", "sub", "sup", "abbr", "cite", "dfn", "q", "time", "wbr",
              "details", "summary", "a", "img", "style"}
_HEADING_TAGS = {f"h{level}" for level in range(1, 7)}
_LIST_TAGS = {"ul", "ol", "li", "dl", "dt", "dd"}
_TABLE_TAGS = {"table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td"}
#: The elements a fragment may keep.
ALLOWED_TAGS = frozenset(_TEXT_TAGS | _HEADING_TAGS | _LIST_TAGS | _TABLE_TAGS)
#: Elements dropped with everything inside them (the rest of a disallowed element's content is kept as text).
DROPPED_WITH_CONTENT = frozenset({"script", "noscript", "template", "iframe", "frame", "frameset", "object",
                                  "embed", "applet", "noembed", "noframes", "title", "textarea", "xmp",
                                  "select", "svg", "math", "head"})
_CELL_ATTRIBUTES = {"colspan", "rowspan", "headers", "scope", "align", "valign", "halign"}
#: The attributes each element may keep (``*``: every element); URLs and styles are checked by value.
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "title", "lang", "dir", "style"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": _CELL_ATTRIBUTES,
    "th": _CELL_ATTRIBUTES,
    "tr": {"align", "valign"},
    "table": {"border", "align"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start", "type", "reversed"},
    "time": {"datetime"},
    "style": {"type", "media"},
}
#: Classes with a page prefix that a fragment may carry: the content classes of ``nrd.present``'s HTML (notes,
#: tags, tables, reference and assumption lists, the notebook's title block), none of them the page's chrome.
FRAGMENT_CLASSES = frozenset({"nrd-note", "nrd-tag", "nrd-table", "nrd-reference", "nrd-assumptions",
                              "nrd-title-block"})
_IMAGE_DATA_URI = re.compile(r"data:image/(?:png|jpeg);base64,[A-Za-z0-9+/]+={0,2}")
_ANCHOR = re.compile(r"#[^\s<>\"'`\\]*")
_SIZE = re.compile(r"\d{1,5}%?")
_STYLE_ELEMENT = re.compile(r"(<style\b[^>]*>)(.*?)(</style>)", re.S)
# Only to tell the analyst what went missing (the sanitizer itself never relies on these).
_TAG_NAME = re.compile(r"<([a-zA-Z][a-zA-Z0-9:-]*)")
_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    """The value an allowed attribute keeps, or ``None`` to drop it."""
    if "<" in value:  # never useful in a report; keeps every "<" of the output a real tag start
        return None
    if attribute == "style":
        return clean_style_attribute(value) or None
    if attribute == "class":
        return _fragment_classes(value)
    if attribute == "href":
        return value if _ANCHOR.fullmatch(value) else None
    if attribute == "src":
        compact = value.strip()
        return compact if tag == "img" and _IMAGE_DATA_URI.fullmatch(compact) else None
    if attribute in {"width", "height", "span", "colspan", "rowspan", "start", "border"}:
        return value.strip() if _SIZE.fullmatch(value.strip()) else None
    if attribute == "type" and tag == "style":
        return value if value.strip().lower() == "text/css" else None
    return value


def _fragment_classes(value: str) -> str | None:
    """``value`` without the classes of the page's chrome (``None`` when none is left); unchanged, byte for
    byte, when it holds none of them."""
    names = value.split()
    # lower-cased: a quirks-mode page would match classes case-insensitively
    kept = [name for name in names
            if name in FRAGMENT_CLASSES or not name.lower().startswith(PAGE_CLASS_PREFIXES)]
    if len(kept) == len(names):
        return value
    return " ".join(kept) or None


_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(DROPPED_WITH_CONTENT),
    attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
    attribute_filter=_attribute_filter,
    strip_comments=True,
    link_rel=None,
    url_schemes={"data"},
)


def sanitize_fragment(fragment: str) -> str:
    """``fragment`` (HTML from a notebook) re-serialised with only the allow-listed elements, attributes and
    CSS; deterministic (the same fragment gives the same bytes)."""
    if not fragment:
        return ""
    fragment = str(fragment)
    clean = _CLEANER.clean(fragment)
    _report_removed(fragment)
    # nh3 escapes "<" in text and attributes (and attribute values holding one were dropped), so every
    # "<style" here opens a real element whose raw text ends at the first "</style>".
    return _STYLE_ELEMENT.sub(lambda m: m.group(1) + "\n" + clean_stylesheet(m.group(2)) + m.group(3), clean)


def _report_removed(fragment: str) -> None:
    """Warn, naming them, when a fragment held elements or handlers a report page may not hold."""
    removed = sorted({name.lower() for name in _TAG_NAME.findall(fragment)} - ALLOWED_TAGS)
    if _HANDLER.search(fragment):
        removed.append("on* handlers")
    if removed:
        logger.warning("report HTML: left out what a page may not hold: %s", ", ".join(removed))


def script_hash(script: str) -> str:
    """The CSP source allowing exactly this inline script: ``'sha256-<base64>'`` of its UTF-8 text."""
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def content_security_policy(scripts: tuple[str, ...] | list[str] = ()) -> str:
    """The policy of a page: nothing fetched but ``data:`` images, inline styles, no script but ``scripts``
    (each allowed by its hash), no ``<base>``, no form submission."""
    directives = ["default-src 'none'", "img-src data:", "style-src 'unsafe-inline'"]
    if scripts:
        directives.append("script-src " + " ".join(script_hash(script) for script in scripts))
    directives += ["base-uri 'none'", "form-action 'none'"]
    return "; ".join(directives)


#: The report pages' policy (they hold no script).
REPORT_CSP = content_security_policy()

"""The last step of every page: remove whatever could run code or reach the network.

``sanitize_html(page)`` is the one call site (``nrd.run.html.render_page``); this module is the one place
that decides what a page may hold.
"""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

from nrd.log import logger

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

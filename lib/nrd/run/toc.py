"""The page's table of contents: the ``h2``/``h3`` headings of the body, as nested ordered lists.

The project template leaves a mark (``TOC_MARK``) where the contents go; ``add_toc`` replaces it, adding an
``id`` to every heading that lacks one (or repeats one) so each entry links to its section.
"""

from __future__ import annotations

import re
from html import escape

_HEADING = re.compile(r"<h([23])\b([^>]*)>(.*?)</h\1>", re.S | re.I)
_ANCHOR_LINK = re.compile(r'<a class="anchor-link"[^>]*>.*?</a>', re.S)
_ID = re.compile(r'\bid\s*=\s*"([^"]*)"')
_TAG = re.compile(r"<[^>]+>")
TOC_MARK = "<!--nrd:toc-->"


def add_toc(page: str, toc_label: str) -> str:
    """Replace the template's TOC mark with a list of the body's h2/h3 headings (ids added when missing)."""
    head, mark, body = page.partition(TOC_MARK)
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

"""CSS a report page may carry from an untrusted fragment: an allow-list over tinycss2's parse.

Used by ``nrd.run.sanitize`` for ``style="..."`` attributes and ``<style>`` elements (pandas ``Styler``
tables carry both). A declaration is kept only when its property is in ``SAFE_PROPERTIES`` and its value is
made of plain tokens (keywords, numbers, lengths, colours, strings, commas) and ``SAFE_FUNCTIONS``; anything
that can fetch or run something is dropped: ``url()`` in every spelling (tinycss2 decodes escapes such as
``\\75rl(`` before we look), ``image-set()``, ``expression()``, ``@import`` and every other at-rule. The
result is re-serialised from the tokens we kept, so the browser parses exactly what was checked, and it never
holds ``<`` (it cannot close its ``<style>`` element) nor a backslash (no escape survives).

A fragment's stylesheet styles the fragment, not the page. Every selector of a rule must start from an id or
a class (``#T_nrd… td``, ``.dataframe thead th``) and, checked over all of its tokens (inside ``:not()``,
``:is()`` and the like too): name no class or id of the page's own chrome (``nrd-``, ``jp-``, ``toc-``)
anywhere; use no sibling combinator (``~``, ``+``: from a fragment's top-level element, a raw cell's beside
the page's cells in ``<main>``, they select the page around it, ``#x ~ *``); and no ``:has()`` (its
relative selectors look at siblings and descendants of what they test, ``.a:has(+ .nrd-banner)``). A rule
with any selector failing is dropped whole. So an output can style what lies under its own elements only:
it cannot hide or restyle the title block, a data-quality banner or the contents. Negative margins, which
could slide content over them, are dropped too.
"""

from __future__ import annotations

import tinycss2

#: Properties a report's tables and text use; none of them can load anything once values are checked.
SAFE_PROPERTIES = frozenset(
    {
        "background", "background-color", "color", "opacity",
        "border", "border-collapse", "border-spacing", "border-color", "border-style", "border-width",
        "border-radius",
        *(f"border-{side}" for side in ("top", "right", "bottom", "left")),
        *(f"border-{side}-{part}" for side in ("top", "right", "bottom", "left")
          for part in ("color", "style", "width")),
        "margin", "margin-top", "margin-right", "margin-bottom", "margin-left",
        "padding", "padding-top", "padding-right", "padding-bottom", "padding-left",
        "font", "font-family", "font-size", "font-style", "font-weight", "font-variant", "font-variant-numeric",
        "line-height", "letter-spacing", "word-spacing", "text-align", "text-decoration", "text-decoration-line",
        "text-decoration-color", "text-decoration-style", "text-transform", "text-indent", "white-space",
        "word-break", "overflow-wrap", "vertical-align", "direction",
        "width", "min-width", "max-width", "height", "min-height", "max-height", "box-sizing",
        "display", "float", "clear", "caption-side", "empty-cells", "table-layout",
        "list-style-type", "list-style-position",
        "break-before", "break-after", "break-inside", "page-break-before", "page-break-after",
        "page-break-inside",
    }
)
#: Functions allowed in a value: colours and arithmetic, nothing that takes a URL or an image.
SAFE_FUNCTIONS = frozenset({"rgb", "rgba", "hsl", "hsla", "calc"})
#: Classes of the page around the fragments (title block, banner, contents, nbconvert's cell wrappers).
PAGE_CLASS_PREFIXES = ("nrd-", "jp-", "toc-")
_PLAIN_TOKENS = frozenset({"whitespace", "ident", "number", "percentage", "dimension", "hash", "string",
                           "literal"})


def _value_is_safe(tokens) -> bool:
    for token in tokens:
        if token.type == "function":
            if token.lower_name not in SAFE_FUNCTIONS or not _value_is_safe(token.arguments):
                return False
        elif token.type not in _PLAIN_TOKENS:  # url, at-keyword, blocks, unicode-range, errors...
            return False
        elif token.type == "ident" and token.lower_value in {"expression", "url", "image-set"}:
            return False
    return True


def _clean_declarations(tokens_or_text) -> list[str]:
    """The kept declarations of a declaration list, each ``name: value`` (``!important`` kept)."""
    kept = []
    for item in tinycss2.parse_declaration_list(tokens_or_text, skip_comments=True, skip_whitespace=True):
        if item.type != "declaration" or item.lower_name not in SAFE_PROPERTIES:
            continue
        if not _value_is_safe(item.value):
            continue
        if item.lower_name.startswith("margin") and any(
                token.type in {"number", "dimension", "percentage"} and token.value < 0 for token in item.value):
            continue
        value = tinycss2.serialize(item.value).strip()
        if not value or "<" in value or "\\" in value:
            continue
        kept.append(f"{item.lower_name}: {value}{' !important' if item.important else ''}")
    return kept


def clean_style_attribute(value: str) -> str:
    """A ``style`` attribute keeping only safe declarations (``""`` when none is left)."""
    return "; ".join(_clean_declarations(value))


def clean_stylesheet(text: str) -> str:
    """A ``<style>`` element's text keeping only style rules with safe declarations; every at-rule
    (``@import``, ``@font-face``, ``@media``...) is dropped."""
    rules = []
    for rule in tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True):
        if rule.type != "qualified-rule":
            continue
        selector = tinycss2.serialize(rule.prelude).strip()
        if not selector or "<" in selector or "\\" in selector or not _selector_is_safe(rule.prelude) \
                or not _selector_is_scoped(rule.prelude):
            continue
        declarations = _clean_declarations(rule.content)
        if declarations:
            body = "".join(f"  {declaration};\n" for declaration in declarations)
            rules.append(f"{selector} {{\n{body}}}\n")
    return "".join(rules)


def _selector_is_safe(tokens) -> bool:
    """Selectors cannot fetch, but a block or at-keyword in one means the rule is not what it looks like."""
    for token in tokens:
        if token.type in {"{} block", "at-keyword", "url", "bad-url", "bad-string", "error"}:
            return False
        if token.type in {"function", "() block", "[] block"}:
            inner = token.arguments if token.type == "function" else token.content
            if not _selector_is_safe(inner):
                return False
    return True


# Combinators that select an element's following siblings, and pseudo-classes that look beyond the element
# they test (``:has()``'s relative selectors; the shadow-DOM ones, which a page without shadow roots never
# needs).
_SIBLING_COMBINATORS = frozenset({"~", "+"})
_OUTWARD_FUNCTIONS = frozenset({"has", "host", "host-context"})


def _selector_stays_inside(tokens, *, in_nth: bool = False) -> bool:
    """No token of a selector (functions' arguments included) names a class or id of the page's chrome,
    combines with a sibling or looks outward (``_OUTWARD_FUNCTIONS``)."""
    previous = None
    for token in tokens:
        if token.type == "literal" and token.value in _SIBLING_COMBINATORS:
            # ``+`` in ``:nth-child(2n + 1)`` is arithmetic; ``~`` is a combinator everywhere
            if not (in_nth and token.value == "+"):
                return False
        elif token.type == "function":
            if token.lower_name in _OUTWARD_FUNCTIONS:
                return False
            if not _selector_stays_inside(token.arguments, in_nth=token.lower_name.startswith("nth-")):
                return False
        elif token.type == "hash" and token.value.lower().startswith(PAGE_CLASS_PREFIXES):
            return False
        elif (token.type == "ident" and previous is not None and previous.type == "literal"
              and previous.value == "." and token.lower_value.startswith(PAGE_CLASS_PREFIXES)):
            return False
        previous = token
    return True


def _selector_is_scoped(tokens) -> bool:
    """Every selector of the list starts with ``#id`` or ``.class`` (a class not of the page's chrome) and
    stays inside the elements it starts from (``_selector_stays_inside``)."""
    selectors: list[list] = [[]]
    for token in tokens:
        if token.type == "literal" and token.value == ",":
            selectors.append([])
        elif token.type != "whitespace" or selectors[-1]:
            selectors[-1].append(token)
    for selector in selectors:
        if not selector or not _selector_stays_inside(selector):
            return False
        first = selector[0]
        if first.type == "hash" and first.is_identifier:
            continue
        if (first.type == "literal" and first.value == "." and len(selector) > 1 and selector[1].type == "ident"
                and not selector[1].lower_value.startswith(PAGE_CLASS_PREFIXES)):
            continue
        return False
    return True

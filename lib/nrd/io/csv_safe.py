"""Cells written for spreadsheets: text that Excel would read as a formula is neutralised (OWASP CSV injection).

A cell that starts with ``= + - @``, a tab or a carriage return is evaluated by Excel and LibreOffice when the
office opens the file; a product name such as ``=HYPERLINK(...)`` would run. The OWASP rule prefixes such text
with a single quote, which spreadsheets show as text. A plain number written as text (``-12,5``) stays as it is:
it is a number, not a formula.
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d[\d.,\s]*")


def looks_like_formula(text: str) -> bool:
    """True when a spreadsheet could evaluate ``text`` (it starts like a formula and is not a plain number)."""
    return text.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text)


def neutralise(value: Any) -> Any:
    """``value`` as a spreadsheet will show it as text: formula-leading strings get a ``'`` prefix."""
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value

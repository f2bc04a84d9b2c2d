"""Parse one cell of an input file into the value its contract type holds.

Cells arrive as text (CSV) or as Excel values (str, int, float, bool, date, datetime). Each parser returns
the typed value, ``None`` for a blank cell, or raises ``CellError`` with what was expected.
"""

from __future__ import annotations

import datetime as _dt
import functools
import math
import re
import unicodedata

import pandas as pd

from nrd.errors import PeriodError
from nrd.periods import parse_period


class CellError(ValueError):
    """Raised (internally) when a cell cannot be parsed; ``expected`` says what would be accepted."""

    def __init__(self, expected: str):
        self.expected = expected
        super().__init__(expected)


def normalize_text(text: object) -> str:
    """Lower case, no diacritics (``đ`` -> ``d``), single spaces; ``_`` and ``-`` count as spaces."""
    s = unicodedata.normalize("NFD", str(text).strip().lower().replace("đ", "d"))
    s = "".join(ch for ch in s if unicodedata.category(ch) != "Mn")
    s = re.sub(r"[_\-\s]+", " ", s)
    return s.strip()


def normalize_header(text: object) -> str:
    """A header as matched against canonical names and Vietnamese labels (a trailing ``*`` ignored)."""
    return normalize_text(str(text).strip().rstrip("*"))


def is_blank(cell: object) -> bool:
    if cell is None:
        return True
    if isinstance(cell, float) and math.isnan(cell):
        return True
    if isinstance(cell, str) and not cell.strip():
        return True
    return cell is pd.NaT


def cell_text(cell: object) -> str:
    """A cell as text: Excel numbers that are whole print without ``.0``."""
    if isinstance(cell, bool):
        return str(cell)
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, _dt.datetime):
        return cell.isoformat(sep=" ").removesuffix(" 00:00:00")
    return str(cell).strip()


#: The number formats a dataset may declare (``number_locale`` in ``dataset.yaml``): Vietnamese ``1.234,5``
#: (the default) and English ``1,234.5``. The other one is the fallback of each.
NUMBER_LOCALES = ("vi", "en")
DEFAULT_NUMBER_LOCALE = "vi"

# How a text number was read (``read_number``): ``NEUTRAL``, alike in both locales (``12``, an Excel
# number); ``DECLARED``, only in the declared locale's form; ``OTHER``, only in the other locale's form
# (accepted: it has one reading); ``AMBIGUOUS``, differently in the two (``12,345``, ``1.234``): read by the
# declared locale, and worth a finding when the file also holds cells of the other form.
NEUTRAL, DECLARED, OTHER, AMBIGUOUS = "neutral", "declared", "other", "ambiguous"

# An allow-list of the characters a number's magnitude may be written with (ASCII digits, the two
# separators), checked before Babel: Babel (through ``decimal.Decimal``) would also take ``1e5``, ``NaN``,
# ``Infinity``, ``1_000`` and non-ASCII digits, none of which an office means as an amount.
_NUMBER_CHARS = re.compile(r"^[0-9.,]+$")
# A leading sign is taken off before the locales read the magnitude: Babel's strict check formats the
# number back without a ``+``, so ``+1.000`` failed in vi and won as en's 1.0 (1000 times off, no finding).
# U+2212 is the typographic minus word processors put in front of a number.
_SIGNS = {"+": 1, "-": -1, "\u2212": -1}
_SPACES = re.compile(r"[\s\u00a0\u202f]")


@functools.lru_cache(maxsize=None)
def _babel_locale(name: str):
    from babel import Locale

    return Locale.parse(name)


def _babel_parse(text: str, locale: str):
    """The Decimal Babel reads from ``text`` in ``locale`` with strict grouping, or ``None``."""
    from babel.numbers import NumberFormatError, parse_decimal

    try:
        value = parse_decimal(text, locale=_babel_locale(locale), strict=True)
    except (NumberFormatError, ValueError, ArithmeticError):
        return None
    return value if value.is_finite() else None


# Babel's strict check compares the text with the number formatted back: whether it passes depends on the
# digits only through their count and which are zeros (leading and trailing zeros). Texts with the same
# shape (every digit 1-9 as 1) pass or fail together, so a failure (slow in Babel: it builds suggestions)
# is computed once per shape; a text whose shape passes is still read by Babel itself.
_SHAPE = str.maketrans("23456789", "11111111")


@functools.lru_cache(maxsize=65536)
def _shape_fits(shape: str, locale: str) -> bool:
    return _babel_parse(shape, locale) is not None


def _parse_in(text: str, locale: str):
    """The Decimal Babel reads from ``text`` (allowed characters only) in ``locale``, or ``None``."""
    if not _shape_fits(text.translate(_SHAPE), locale):
        return None
    return _babel_parse(text, locale)


def other_locale(locale: str) -> str:
    return "en" if locale == "vi" else "vi"


def number_example(locale: str = DEFAULT_NUMBER_LOCALE) -> str:
    """How a number is written in ``locale`` (for the ``expected`` of a finding)."""
    return "1.234.567,5" if locale == "vi" else "1,234,567.5"


def read_number(cell: object, locale: str = DEFAULT_NUMBER_LOCALE) -> tuple[float | None, str]:
    """(value, how it was read) of a number cell in a dataset whose ``number_locale`` is ``locale``.

    Excel numbers are numbers (``NEUTRAL``). Text is read by Babel (``parse_decimal``, strict grouping) in
    the declared locale and in the other one: one reading wins; two that differ (``12,345``: 12.345 in vi,
    12345 in en) are read by the declared locale (``AMBIGUOUS``). A leading sign (``+``, ``-``, ``\u2212``)
    does not change the reading; spaces (thousands in some offices) are ignored. ``CellError`` when neither
    locale reads it.
    """
    if is_blank(cell):
        return None, NEUTRAL
    if isinstance(cell, bool):
        raise CellError("a number")
    if isinstance(cell, (int, float)):
        return float(cell), NEUTRAL
    text = _SPACES.sub("", unicodedata.normalize("NFKC", str(cell)))
    expected = f"a number, e.g. {number_example(locale)}"
    sign = _SIGNS.get(text[:1])
    if sign is not None:
        text = text[1:]
    if not _NUMBER_CHARS.match(text):
        raise CellError(expected)
    sign = sign or 1
    if text.isdigit():  # no separator: the same in every locale
        return sign * float(text), NEUTRAL
    declared, other = _parse_in(text, locale), _parse_in(text, other_locale(locale))
    if declared is None and other is None:
        raise CellError(expected)
    if other is None:
        return sign * float(declared), DECLARED
    if declared is None:
        return sign * float(other), OTHER
    return sign * float(declared), (NEUTRAL if declared == other else AMBIGUOUS)


def parse_number(cell: object, locale: str = DEFAULT_NUMBER_LOCALE) -> float | None:
    """A number: an Excel number, or text in the dataset's locale (vi ``1.234.567,5``, en ``1,234,567.5``);
    the other locale's form only where it has one reading (``read_number``)."""
    return read_number(cell, locale)[0]


def read_int(cell: object, locale: str = DEFAULT_NUMBER_LOCALE) -> tuple[int | None, str]:
    value, form = read_number(cell, locale)
    if value is None:
        return None, form
    if not float(value).is_integer():
        raise CellError("a whole number")
    if abs(value) > _LARGEST_WHOLE:  # a typing slip (an ID, a phone number): the column holds counts
        raise CellError("a whole number of at most 18 digits")
    return int(value), form


#: The largest whole number a count column holds (pandas Int64 goes to 2**63 - 1; 10**18 - 1 keeps the
#: message simple).
_LARGEST_WHOLE = 10**18 - 1


def parse_int(cell: object, locale: str = DEFAULT_NUMBER_LOCALE) -> int | None:
    return read_int(cell, locale)[0]


_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_VN_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")


def parse_date(cell: object) -> pd.Timestamp | None:
    """A date: Excel date cell, ``YYYY-MM-DD`` or ``dd/mm/yyyy`` (day first, as written in Vietnam)."""
    if is_blank(cell):
        return None
    if isinstance(cell, (_dt.date, pd.Timestamp)):
        return pd.Timestamp(cell.year, cell.month, cell.day)
    if isinstance(cell, (int, float)) and not isinstance(cell, bool) and 20000 <= cell <= 80000:
        # An Excel serial date in a cell without date format (days since 1899-12-30).
        return pd.Timestamp("1899-12-30") + pd.Timedelta(days=int(cell))
    text = str(cell).strip()
    m = _ISO_DATE.match(text)
    if m:
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        m = _VN_DATE.match(text)
        if not m:
            raise CellError("a date dd/mm/yyyy or YYYY-MM-DD")
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
    try:
        return pd.Timestamp(year, month, day)
    except ValueError:
        raise CellError("a real calendar date dd/mm/yyyy") from None


def parse_month(cell: object) -> str | None:
    """A period ``YYYY-MM``: also ``09/2025``, an Excel date cell, or a full date (its month)."""
    if is_blank(cell):
        return None
    if isinstance(cell, (_dt.date, pd.Timestamp)):
        return f"{cell.year:04d}-{cell.month:02d}"
    text = cell_text(cell)
    try:
        return parse_period(text)
    except PeriodError:
        pass
    try:
        stamp = parse_date(text)
    except CellError:
        raise CellError("a month YYYY-MM, e.g. 2025-09 (or 09/2025)") from None
    return f"{stamp.year:04d}-{stamp.month:02d}"


def parse_code_digits(cell: object) -> str | None:
    """A unit code written as digits (``13504``, ``13504.0``, ``3504``) zero-padded to 5; else ``None``."""
    if isinstance(cell, bool):
        return None
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    text = str(cell).strip()
    m = re.match(r"^(\d{1,5})(?:\.0+)?$", text)
    return m.group(1).zfill(5) if m else None


def enum_lookup(enum: dict[str, str]) -> dict[str, str]:
    """Normalized spelling -> code, for the English code and the Vietnamese word of each member."""
    lookup: dict[str, str] = {}
    for code, word in enum.items():
        lookup[normalize_text(code)] = code
        lookup[normalize_text(word)] = code
    return lookup


def parse_enum(cell: object, lookup: dict[str, str], expected: str) -> str | None:
    if is_blank(cell):
        return None
    code = lookup.get(normalize_text(cell_text(cell)))
    if code is None:
        raise CellError(expected)
    return code


_TRUE = {"yes", "co", "true", "x", "1", "y", "c"}
_FALSE = {"no", "khong", "false", "0", "n", "k"}


def parse_bool(cell: object) -> bool | None:
    """Yes/no: ``có``/``không``, ``yes``/``no``, an Excel TRUE/FALSE, 1/0."""
    if is_blank(cell):
        return None
    if isinstance(cell, bool):
        return cell
    text = normalize_text(cell_text(cell))
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError("có/không (yes/no)")

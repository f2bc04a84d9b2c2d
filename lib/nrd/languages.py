"""The report languages, listed once: Vietnamese (the office's, the default), English and French (partners).

Every part of nrd that names a language reads ``LANGS`` here: the label catalog (``labels.yaml`` carries
each key in each language), the reference data (``name_<lang>`` columns), run plans, the HTML exporter.
Adding a language = one entry here plus its texts in the label catalog and the reference files.
"""

from __future__ import annotations

from nrd.errors import UsageError

LANGS = ("vi", "en", "fr")
DEFAULT_LANG = "vi"


def check_language(lang: object, what: str = "language") -> str:
    """``lang`` when it is a report language.

    Raises:
        UsageError: it is not one of ``LANGS`` (the message lists them).
    """
    if lang not in LANGS:
        raise UsageError(f"{what} {lang!r}: expected one of {', '.join(LANGS)}")
    return str(lang)

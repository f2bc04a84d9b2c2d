"""The report metadata output: how a notebook tells the HTML exporter its title, unit, period and as-of date.

A report notebook emits, once, a ``display_data`` output whose only mime type is ``REPORT_META_MIME`` and
whose value is a JSON object (see ``REPORT_META_FIELDS``). The exporter reads it to build the title block
and drops it from the body. This module has no heavy imports: it is imported inside report kernels.
"""

from __future__ import annotations

from typing import Any

REPORT_META_MIME = "application/vnd.nrd.report+json"

#: Fields of the metadata object; every one is optional, unknown keys are ignored by the exporter.
REPORT_META_FIELDS = ("title", "subtitle", "unit", "period", "as_of", "lang", "excluded_rows", "excluded_tables",
                      "data_quality")


def report_meta_bundle(**fields: Any) -> dict[str, dict[str, str]]:
    """Return the mime bundle of a report metadata output (values become strings, ``None`` dropped).

    Args:
        **fields: any of ``REPORT_META_FIELDS``; dates may be ``date``/``Timestamp`` (shown as ISO dates).

    Raises:
        TypeError: when a field is not one of ``REPORT_META_FIELDS`` (a typo would silently lose a title).
    """
    unknown = sorted(set(fields) - set(REPORT_META_FIELDS))
    if unknown:
        raise TypeError(f"unknown report metadata field(s) {unknown}; known: {list(REPORT_META_FIELDS)}")
    value = {}
    for key, item in fields.items():
        if item is None:
            continue
        value[key] = item.date().isoformat() if hasattr(item, "date") and callable(item.date) else (
            item.isoformat() if hasattr(item, "isoformat") else str(item)
        )
    return {REPORT_META_MIME: value}


def display_report_meta(**fields: Any) -> None:
    """Emit the report metadata output from a notebook cell (see ``report_meta_bundle``)."""
    from IPython.display import display

    display(report_meta_bundle(**fields), raw=True)

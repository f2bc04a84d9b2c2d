"""Presentation: labels (vi/en/fr), locale formats, the chart house style, styled tables, report helpers.

Values stay raw in frames; everything here turns them into what a reader sees, in the reader's language.
The names below load on first use, so that importing one light module (``nrd.present.i18n``,
``nrd.present.formats``, as the run layer does) does not import matplotlib and seaborn.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "fmt_date": "nrd.present.formats",
    "fmt_delta": "nrd.present.formats",
    "fmt_money": "nrd.present.formats",
    "fmt_number": "nrd.present.formats",
    "fmt_percent": "nrd.present.formats",
    "fmt_period": "nrd.present.formats",
    "fmt_share": "nrd.present.formats",
    "LANGS": "nrd.present.i18n",
    "enum_label": "nrd.present.i18n",
    "indicator_label": "nrd.present.i18n",
    "t": "nrd.present.i18n",
    "set_house_style": "nrd.present.plots",
    "Col": "nrd.present.tables",
    "styled_table": "nrd.present.tables",
}

__all__ = sorted(_EXPORTS, key=str.lower)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'nrd.present' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})

"""Presentation: labels (vi/en/fr), locale formats, the chart house style, styled tables, report helpers.

Values stay raw in frames; everything here turns them into what a reader sees, in the reader's language.
"""

from nrd.present.formats import (
    fmt_date,
    fmt_delta,
    fmt_money,
    fmt_number,
    fmt_percent,
    fmt_period,
    fmt_share,
)
from nrd.present.i18n import LANGS, enum_label, indicator_label, t
from nrd.present.plots import set_house_style
from nrd.present.tables import Col, styled_table

__all__ = [
    "LANGS",
    "Col",
    "enum_label",
    "fmt_date",
    "fmt_delta",
    "fmt_money",
    "fmt_number",
    "fmt_percent",
    "fmt_period",
    "fmt_share",
    "indicator_label",
    "set_house_style",
    "styled_table",
    "t",
]

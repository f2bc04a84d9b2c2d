"""Indicators of the NRD programme: the catalog, the indicator table, comparisons, targets and report views.

Everything here is pure: a ``Dataset`` (or frames) and parameters in, a new frame out.
"""

# Import order is the catalog's (and the table's) order: NRA, criteria, OCOP, capital, organization.
from nrd.indicators import nra, criteria, ocop, capital, organization  # noqa: F401,I001
from nrd.indicators.catalog import CATALOG, Indicator, get_indicator, indicator_catalog, register
from nrd.indicators.table import TABLE_COLUMNS, build_indicator_table, compute_indicators, indicator_value

__all__ = [
    "CATALOG",
    "Indicator",
    "TABLE_COLUMNS",
    "build_indicator_table",
    "compute_indicators",
    "get_indicator",
    "indicator_catalog",
    "indicator_value",
    "register",
]

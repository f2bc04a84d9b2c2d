"""Column operations done once per distinct value: a national column repeats a few thousand values over a
million rows, and ``Series.map`` with a dict hashes every row through Python objects (about 0.12 s for a
million unit codes, against 0.02 s to factorize them and map the distinct ones).
"""

from __future__ import annotations

import pandas as pd


def map_distinct(series: pd.Series, mapping: dict) -> pd.Series:
    """``series.map(mapping)``, the same values, dtype, index and name, computed once per distinct value
    (blank cells included: they map as ``Series.map`` maps them)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=False)
    return pd.Series(uniques, name=series.name).map(mapping).take(codes).set_axis(series.index)

"""A commune's criteria met month by month, against the median commune of its group (or of the province).

Read from the indicator table (``criteria.met_count``, one row per commune with a submission and period), so
a report reuses the table its run computed once: one pass over that table's indicator column, then frames of
a few hundred rows. Pure: frames and parameters in, a new frame out.
"""

from __future__ import annotations

import pandas as pd

from nrd import periods

MET_COUNT = "criteria.met_count"
MET_TREND_COLUMNS = ["period", "criteria_set", "criteria", "unit_met", "median_met", "communes", "group"]


def criteria_met_trend(ds, period: str, unit_code: str, table: pd.DataFrame | None = None,
                       months: int = 12) -> pd.DataFrame:
    """Criteria met by ``unit_code`` in each month P-``months``..P, and the median over the communes it is
    compared with: its commune group when the set in force at P has groups and the office classifies the
    commune, else every commune of the province (communes with a submission only, as ``criteria.met_count``).

    Args:
        table: the indicator table holding those months (a run's precomputed one); ``None`` builds it here.
            Months the table lacks are left out.

    Returns:
        ``MET_TREND_COLUMNS``, one row per month in time order: ``criteria_set`` in force and its number of
        ``criteria`` (a count under two sets is not comparable), ``unit_met`` (NA without a submission),
        ``median_met`` and the ``communes`` it is over, ``group`` (Int64, NA: the province). Empty for a
        unit outside the communes in scope (a ward).
    """
    from nrd.indicators.context import prepare
    from nrd.indicators.timeline import criteria_set_id_for

    prepared = prepare(ds)
    period = periods.parse_period(period)
    wanted = periods.period_range(periods.shift_period(period, -months), period)
    if unit_code not in set(prepared.commune_codes):
        return _empty()
    if table is None:
        from nrd.indicators.table import build_indicator_table

        table = build_indicator_table(ds, wanted)
    met = table[table["indicator"] == MET_COUNT]
    met = met[met["period"].isin(wanted)]
    group = pd.NA
    if prepared.criteria_set_for(period).group_ids:
        group = prepared.commune_groups.get(unit_code, pd.NA)
    if not pd.isna(group):
        groups = prepared.commune_groups
        met = met[met["unit_code"].isin(groups.index[groups == group])]
    else:
        met = met[met["unit_code"].isin(prepared.commune_codes)]
    by_period = met.groupby("period")["value"]
    medians, counts = by_period.median(), by_period.size()
    own = met[met["unit_code"] == unit_code].set_index("period")["value"]
    present = sorted(set(table["period"].unique()) & set(wanted))
    sets = {p: criteria_set_id_for(p) for p in present}
    frame = pd.DataFrame({
        "period": present,
        "criteria_set": [sets[p] for p in present],
        "criteria": [len(prepared.criteria_set(sets[p]).criterion_ids) for p in present],
        "unit_met": pd.array([own.get(p, pd.NA) for p in present], dtype="Float64"),
        "median_met": pd.array([medians.get(p, pd.NA) for p in present], dtype="Float64"),
        "communes": [int(counts.get(p, 0)) for p in present],
        "group": pd.array([group] * len(present), dtype="Int64"),
    })
    return frame[MET_TREND_COLUMNS]


def _empty() -> pd.DataFrame:
    return pd.DataFrame({"period": pd.Series(dtype="str"), "criteria_set": pd.Series(dtype="str"),
                         "criteria": pd.Series(dtype="int64"), "unit_met": pd.Series(dtype="Float64"),
                         "median_met": pd.Series(dtype="Float64"), "communes": pd.Series(dtype="int64"),
                         "group": pd.Series(dtype="Int64")})

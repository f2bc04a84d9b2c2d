"""The criterion a project or an inspection finding names, read in its own criteria set.

The files do not name the set: the data contract reads a project's ``criterion`` in the set in force at its
start and a finding's in the set in force on the day of the visit. A 2021-2025 project's criterion 7 is the
rural market (commerce), whatever set is in force when the report is made; reading it in the set of the
report period would send it to the department leading criterion 7 of the new set. The department leading a
criterion of a set is the office's assignment for that set (``ds.reference``, shipped when the office has
none).
"""

from __future__ import annotations

import pandas as pd

from nrd import periods

READING_COLUMNS = ["criteria_set", "department", "in_set"]


def sets_on(ds, dates: pd.Series, period: str) -> pd.Series:
    """The id of the criteria set in force on each date (a blank date, e.g. a project not started: the set
    in force at P), indexed like ``dates``."""
    from nrd.reference import criteria_set_on

    fallback = ds.criteria_set_for(periods.parse_period(period)).id
    days = pd.to_datetime(dates)
    by_day = {pd.Timestamp(day): criteria_set_on(day).id for day in days.dropna().unique()}
    return days.map(by_day).fillna(fallback).astype("object")


def read_criteria(ds, criteria: pd.Series, dates: pd.Series, period: str) -> pd.DataFrame:
    """For each row: ``criteria_set`` (the set its criterion is read in, ``sets_on``), ``department`` (the
    lead of that criterion in that set, ``None`` when the set has no such criterion or none is named) and
    ``in_set`` (the criterion is one of that set). Indexed like ``criteria``."""
    set_ids = sets_on(ds, dates, period)
    keys = criteria.astype("string").str.strip()
    lead: dict[tuple[str, str], str] = {}
    for set_id in set_ids.unique():
        table = ds.reference.criteria_set(set_id).criteria
        for criterion, department in zip(table["criterion"].astype(str).str.strip(), table["department"]):
            lead[(set_id, criterion)] = None if pd.isna(department) else str(department)
    pairs = list(zip(set_ids, keys.fillna("")))
    return pd.DataFrame({"criteria_set": set_ids.to_numpy(),
                         "department": [lead.get(pair) for pair in pairs],
                         "in_set": [pair in lead for pair in pairs]}, index=criteria.index)

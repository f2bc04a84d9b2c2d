"""The data contract's defaults, filled in after validation (pure: new frames, inputs untouched).

- ``criteria_status.criteria_set``: the criteria set in force for the row's period;
- ``appraisals.criteria_set``: the criteria set in force on the dossier's ``submitted_on``;
- ``ocop_products.expires_on``: ``recognized_on`` + ``OCOP_VALIDITY_MONTHS`` (36 months).
"""

from __future__ import annotations

import pandas as pd

from nrd.errors import NoCriteriaSetError
from nrd.io.distinct import map_distinct


def sets_in_force(periods) -> dict[str, str | None]:
    """Period -> id of the criteria set in force at its end (``None`` when no set covers it)."""
    from nrd.reference import criteria_set_for

    result = {}
    for period in periods:
        try:
            result[period] = criteria_set_for(period).id
        except NoCriteriaSetError:  # reported as a finding by the criteria rule
            result[period] = None
    return result


def sets_on_days(days: pd.Series) -> pd.Series:
    """The id of the criteria set in force on each day (``None`` for a blank day), indexed like ``days``."""
    from nrd.reference import criteria_set_on

    by_day = {pd.Timestamp(day): criteria_set_on(day).id for day in days.dropna().unique()}
    return days.map(by_day).astype("object")


def apply_defaults(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """New frames with the contract's defaults filled: ``criteria_set`` = the set in force for the period
    (criteria_status) or on the submission (appraisals), ``expires_on`` = ``recognized_on`` + 36 months."""
    from nrd.reference import OCOP_VALIDITY_MONTHS

    out = dict(tables)
    frame = out.get("criteria_status")
    if frame is not None and frame["criteria_set"].isna().any():
        in_force = sets_in_force(frame["period"].dropna().unique().tolist())
        filled = frame["criteria_set"].fillna(map_distinct(frame["period"], in_force))
        out["criteria_status"] = frame.assign(criteria_set=filled.astype("str"))
    frame = out.get("appraisals")
    if frame is not None and "criteria_set" in frame and frame["criteria_set"].isna().any():
        out["appraisals"] = frame.assign(criteria_set=frame["criteria_set"].fillna(
            sets_on_days(frame["submitted_on"])).astype("str"))  # the contract's text dtype, as read or cached
    frame = out.get("ocop_products")
    if frame is not None and frame["expires_on"].isna().any():
        default = frame["recognized_on"] + pd.DateOffset(months=OCOP_VALIDITY_MONTHS)
        out["ocop_products"] = frame.assign(
            expires_on=frame["expires_on"].fillna(default).astype("datetime64[ns]")
        )
    return out

"""The data contract's defaults, filled in after validation (pure: new frames, inputs untouched).

- ``criteria_status.criteria_set``: the criteria set in force for the row's period;
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


def apply_defaults(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """New frames with the contract's defaults filled: ``criteria_set`` = the set in force for the period,
    ``expires_on`` = ``recognized_on`` + 36 months."""
    from nrd.reference import OCOP_VALIDITY_MONTHS

    out = dict(tables)
    frame = out.get("criteria_status")
    if frame is not None and frame["criteria_set"].isna().any():
        in_force = sets_in_force(frame["period"].dropna().unique().tolist())
        filled = frame["criteria_set"].fillna(map_distinct(frame["period"], in_force))
        out["criteria_status"] = frame.assign(criteria_set=filled.astype("str"))
    frame = out.get("ocop_products")
    if frame is not None and frame["expires_on"].isna().any():
        default = frame["recognized_on"] + pd.DateOffset(months=OCOP_VALIDITY_MONTHS)
        out["ocop_products"] = frame.assign(
            expires_on=frame["expires_on"].fillna(default).astype("datetime64[ns]")
        )
    return out

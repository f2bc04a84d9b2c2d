"""Data-quality views: submission completeness and timeliness, stale counts, outliers of measured values."""

from __future__ import annotations

import pandas as pd

from nrd import periods
from nrd.indicators.context import prepare


def submission_grid(ds, period_list: list[str]) -> pd.DataFrame:
    """Communes × periods: submitted (a criterion row for exactly that period) and months since the last one."""
    prepared = prepare(ds)
    rows = prepared.get("criteria_status")
    wanted = sorted({periods.parse_period(p) for p in period_list})
    grid = pd.MultiIndex.from_product([prepared.commune_codes, wanted], names=["unit_code", "period"])
    out = grid.to_frame(index=False)
    if rows is None:
        return out.assign(submitted=False, last_submission=None, months_since=pd.NA)
    submitted = rows[["unit_code", "period"]].drop_duplicates().assign(submitted=True)
    out = out.merge(submitted, on=["unit_code", "period"], how="left")
    out["submitted"] = out["submitted"].fillna(False).astype(bool)
    subs = rows[["unit_code", "period"]].drop_duplicates().rename(columns={"period": "last_submission"})
    subs = subs.assign(_m=_month_number(subs["last_submission"])).sort_values("_m")
    out = out.assign(_m=_month_number(out["period"])).sort_values("_m")
    out = pd.merge_asof(out, subs, on="_m", by="unit_code", direction="backward")
    months = out["_m"] - _month_number(out["last_submission"])
    out = out.assign(months_since=months).drop(columns="_m")
    return out.sort_values(["unit_code", "period"]).reset_index(drop=True)


def _month_number(period: pd.Series) -> pd.Series:
    """Months since year 0 (int64-like floats; NaN for a missing period), so periods can be subtracted."""
    text = period.astype("str").where(period.notna())
    return text.str[:4].astype("float64") * 12 + text.str[5:7].astype("float64")


def stale_counts(ds, period: str) -> pd.DataFrame:
    """Per criterion of the set in force: communes whose status at P is carried (stale) or missing."""
    ctx = prepare(ds).context(period)
    status = ctx.criteria_status
    stale = status[status["stale"].astype(bool)].groupby("criterion").size()
    present = status.groupby("criterion").size()
    crit = ctx.criteria_list
    return pd.DataFrame({
        "criterion": crit,
        "stale": [int(stale.get(c, 0)) for c in crit],
        "missing": [len(ctx.communes) - int(present.get(c, 0)) for c in crit],
    })


def value_outliers(ds, period: str, threshold: float = 3.5) -> pd.DataFrame:
    """Rows of ``criteria_status`` for P whose ``value`` is far from the median of its (criterion, indicator).

    Robust z = 0.6745 × (value − median) / MAD; rows with |z| > ``threshold`` are returned, with ``row`` the
    row of the input file.
    """
    frame = ds.table("criteria_status")
    rows = frame[(frame["period"] == periods.parse_period(period)) & frame["value"].notna()]
    key = [rows["criterion"].astype("str"), rows["indicator"].fillna("").astype("str")]
    median = rows.groupby(key)["value"].transform("median")
    mad = (rows["value"] - median).abs().groupby(key).transform("median")
    z = 0.6745 * (rows["value"] - median) / mad.where(mad > 0)
    out = rows.assign(median=median, robust_z=z)
    out = out[out["robust_z"].abs() > threshold]
    # ``row``: the row of the input file (the reader's internal ``_row``), where the office checks the value
    return out.rename(columns={"_row": "row"})[["unit_code", "criterion", "indicator", "value", "median",
                                                "robust_z", "row"]] \
        .sort_values(["criterion", "unit_code"]).reset_index(drop=True)


def late_communes(grid: pd.DataFrame, period: str) -> pd.DataFrame:
    """The rows of ``submission_grid`` for P of the communes that did not submit, longest silent first."""
    rows = grid[(grid["period"] == periods.parse_period(period)) & ~grid["submitted"].astype(bool)]
    return rows.sort_values(["months_since", "unit_code"], ascending=[False, True])

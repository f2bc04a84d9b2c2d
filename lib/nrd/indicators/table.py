"""The indicator table of the data contract: ``period, unit_code, indicator, value, numerator, denominator``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from nrd import periods
from nrd.indicators.catalog import CATALOG
from nrd.indicators.context import PeriodContext, Prepared, prepare
from nrd.log import logger

TABLE_COLUMNS = ["period", "unit_code", "indicator", "value", "numerator", "denominator"]


def _empty_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period": pd.Series(dtype="str"), "unit_code": pd.Series(dtype="str"),
            "indicator": pd.Series(dtype="str"), "value": pd.Series(dtype="float64"),
            "numerator": pd.Series(dtype="float64"), "denominator": pd.Series(dtype="float64"),
        }
    )


def _period_rows(prepared: Prepared, period: str) -> pd.DataFrame:
    ctx = PeriodContext(prepared, period)
    parts, commune_flags, orders = [], [], []
    for order, indicator in enumerate(CATALOG.values()):
        missing = [t for t in indicator.requires if not prepared.has(t)]
        if missing:
            logger.info("indicator %s left out: table(s) %s absent", indicator.id, ", ".join(missing))
            continue
        for level, compute in ((indicator.level, indicator.compute), ("commune", indicator.compute_commune)):
            if compute is None:
                continue
            rows = compute(ctx)
            if "indicator" not in rows:
                rows = rows.assign(indicator=indicator.id)
            parts.append(rows)
            commune_flags.append(np.full(len(rows), level == "commune"))
            orders.append(np.full(len(rows), order))
    if not parts:
        return _empty_table()
    out = pd.concat(parts, ignore_index=True)
    out["period"] = ctx.period
    out["_commune"] = np.concatenate(commune_flags)
    out["_order"] = np.concatenate(orders)
    out["_member"] = np.arange(len(out))
    # Province rows first, then communes by code; within a unit, the catalog's declaration order.
    out = out.sort_values(["_commune", "unit_code", "_order", "_member"], kind="stable")
    return out[TABLE_COLUMNS].astype(
        {"period": "str", "unit_code": "str", "indicator": "str", "value": "float64", "numerator": "float64",
         "denominator": "float64"}
    )


def compute_indicators(ds, period: str) -> pd.DataFrame:
    """The indicator table of one period.

    Args:
        ds: a ``nrd.io.Dataset``.
        period: ``YYYY-MM`` (anything ``nrd.periods.parse_period`` accepts).

    Returns:
        period, unit_code, indicator, value, numerator, denominator; province rows carry the province code.
        Indicators whose input table is absent are left out (logged).

    Raises:
        PeriodError: ``period`` is not a month.
    """
    return _period_rows(prepare(ds), periods.parse_period(period)).reset_index(drop=True)


def build_indicator_table(ds, period_list: list[str]) -> pd.DataFrame:
    """The indicator table of several periods, in period order (inputs prepared once)."""
    prepared = prepare(ds)
    ordered = sorted({periods.parse_period(p) for p in period_list})
    parts = [_period_rows(prepared, p) for p in ordered]
    return pd.concat(parts, ignore_index=True) if parts else _empty_table()


def indicator_value(table: pd.DataFrame, indicator: str, unit_code: str | None = None,
                    period: str | None = None) -> float:
    """One value of an indicator table (NaN when absent); ``unit_code`` None = the province row."""
    rows = table[table["indicator"] == indicator]
    if period is not None:
        rows = rows[rows["period"] == period]
    if unit_code is not None:
        rows = rows[rows["unit_code"] == unit_code]
    elif len(rows) > 1:
        rows = rows[rows["unit_code"].str.len() <= 2]
    return float(rows["value"].iloc[0]) if len(rows) else float("nan")

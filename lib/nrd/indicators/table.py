"""The indicator table of the data contract: ``period, unit_code, indicator, value, numerator, denominator``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from nrd import periods
from nrd.indicators.catalog import CATALOG
from nrd.indicators.context import PeriodContext, Prepared, prepare
from nrd.indicators.grid import GridContext
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


def _grid_rows(prepared: Prepared, period_list: list[str]) -> pd.DataFrame:
    """The indicator table of every period of ``period_list`` in one vectorised pass per indicator.

    Indicators without a grid function are computed period by period (``PeriodContext``); the row order
    is the per-period one (period, province rows, communes by code, catalog order, row order within).
    """
    grid = GridContext(prepared, period_list)
    if grid.n == 0:
        return _empty_table()
    contexts: dict[str, PeriodContext] = {}

    def per_period(compute) -> pd.DataFrame:
        parts = []
        for p in grid.periods:
            ctx = contexts.setdefault(p, PeriodContext(prepared, p))
            parts.append(compute(ctx).assign(period=p))
        return pd.concat(parts, ignore_index=True)

    parts, commune_flags, orders = [], [], []
    for order, indicator in enumerate(CATALOG.values()):
        missing = [t for t in indicator.requires if not prepared.has(t)]
        if missing:
            logger.info("indicator %s left out: table(s) %s absent", indicator.id, ", ".join(missing))
            continue
        for level, compute, compute_grid in (
            (indicator.level, indicator.compute, indicator.compute_grid),
            ("commune", indicator.compute_commune, indicator.compute_commune_grid),
        ):
            if compute is None:
                continue
            rows = compute_grid(grid) if compute_grid is not None else per_period(compute)
            if "indicator" not in rows:
                rows = rows.assign(indicator=indicator.id)
            parts.append(rows)
            commune_flags.append(np.full(len(rows), level == "commune"))
            orders.append(np.full(len(rows), order))
    if not parts:
        return _empty_table()
    out = pd.concat(parts, ignore_index=True)
    out["_commune"] = np.concatenate(commune_flags)
    out["_order"] = np.concatenate(orders)
    out["_member"] = np.arange(len(out))
    out["unit_code"] = out["unit_code"].astype("str")
    # Per period: province rows first, then communes by code; within a unit, the catalog's order.
    out = out.sort_values(["period", "_commune", "unit_code", "_order", "_member"], kind="stable")
    return out[TABLE_COLUMNS].astype(
        {"period": "str", "unit_code": "str", "indicator": "str", "value": "float64", "numerator": "float64",
         "denominator": "float64"}
    ).reset_index(drop=True)


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
    return _grid_rows(prepare(ds), [periods.parse_period(period)])


def build_indicator_table(ds, period_list: list[str]) -> pd.DataFrame:
    """The indicator table of several periods, in period order (one vectorised pass over all periods)."""
    return _grid_rows(prepare(ds), [periods.parse_period(p) for p in period_list])


def reference_indicator_table(ds, period_list: list[str]) -> pd.DataFrame:
    """The same table computed period by period with ``PeriodContext`` (the reference the tests check
    the vectorised engine against; slower)."""
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

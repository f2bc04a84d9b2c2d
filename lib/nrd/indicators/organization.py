"""Steering structures: the org.* indicators."""

from __future__ import annotations

import pandas as pd

from nrd.indicators import timeline
from nrd.indicators.catalog import Indicator, register, share_rows
from nrd.indicators.grid import grid_share_rows, per_period


def organization_at(organization: pd.DataFrame, communes: pd.Index, period: str) -> pd.DataFrame:
    """Each commune's latest organization row at or before ``period`` (with ``stale``)."""
    rows = organization[organization["unit_code"].astype("str").isin(communes)]
    return timeline.latest_at(rows, period, ["unit_code"]).sort_values("unit_code").reset_index(drop=True)


def _steering(ctx) -> pd.DataFrame:
    latest = organization_at(ctx.prepared.get("organization"), ctx.communes, ctx.period)
    yes = int(latest["steering_committee"].fillna(False).astype(bool).sum())
    return share_rows(ctx.province_code, yes, len(ctx.communes))


def _steering_grid(grid) -> pd.DataFrame:
    rows = grid.prepared.get("organization")
    rows = rows[rows["unit_code"].astype("str").isin(grid.communes)]
    latest = grid.latest_cover(rows, ["unit_code"])
    yes = per_period(grid, latest["_g"].to_numpy(), latest["steering_committee"].fillna(False).astype(bool).to_numpy())
    return grid_share_rows(grid.periods, grid.province_code, yes, [len(grid.communes)] * grid.n)


register(Indicator(
    "org.steering_committee_share",
    {"vi": "Tỷ lệ xã có Ban chỉ đạo", "en": "Communes with a steering committee",
     "fr": "Communes dotées d'un comité de pilotage"},
    "percent", "province", "higher_is_better", _steering, ("organization",),
    numerator="communes whose latest row says yes", denominator="nra.communes_in_scope",
    definition="Communes whose latest organization row ≤ P says yes / communes in scope × 100.",
    compute_grid=_steering_grid,
))

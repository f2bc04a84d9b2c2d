"""The vectorised engine: every "at end of P" rule evaluated for a whole grid of periods in one pass.

``PeriodContext`` answers one period; building the table of 70 months with it repeats the same small
pandas operations 70 times. ``GridContext`` computes each intermediate once for all periods of the grid:
a row that is "the latest at or before P" stays the latest until the next row of its key, so it *covers* a
run of grid periods; expanding each row over the periods it covers gives the answer for every period at
once (``cover``). The per-period functions stay the reference implementation (the tests compare both).

Frames produced here carry ``_g``, the index of the period in the grid, next to the period itself.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import pandas as pd

from nrd import periods
from nrd.indicators import timeline


def cover(starts: np.ndarray, stops: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Expand intervals ``[starts[i], stops[i])`` of grid indices into (row index, grid index) pairs."""
    starts = np.asarray(starts, dtype="int64")
    lengths = np.clip(np.asarray(stops, dtype="int64") - starts, 0, None)
    rows = np.repeat(np.arange(len(starts)), lengths)
    offsets = np.arange(len(rows)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return rows, np.repeat(starts, lengths) + offsets


class GridContext:
    """All-period intermediates of a sorted grid of periods, each computed at most once."""

    def __init__(self, prepared, period_list: list[str]):
        self.prepared = prepared
        self.periods = np.array(sorted({periods.parse_period(p) for p in period_list}), dtype=object)
        self.n = len(self.periods)
        self.ends = pd.DatetimeIndex([periods.period_end(p) for p in self.periods]).as_unit("ns")
        self.years = np.array([int(p[:4]) for p in self.periods], dtype="int64")
        self.province_code = prepared.province_code
        self._memo: dict = {}

    def memo(self, key: str, compute):
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    @property
    def communes(self) -> pd.Index:
        return self.prepared.commune_codes

    # -- index arithmetic ------------------------------------------------------------------------------
    def period_index(self, values, side: str = "left") -> np.ndarray:
        """First grid index whose period is ≥ (``left``) or > (``right``) each ``YYYY-MM`` value."""
        text = np.asarray(pd.Series(values, dtype="object").to_numpy(), dtype=object)
        return np.searchsorted(self.periods, text, side=side).astype("int64")

    def date_index(self, dates: pd.Series) -> np.ndarray:
        """First grid index whose period end is ≥ each date (the grid size for NaT: never)."""
        values = pd.to_datetime(pd.Series(dates)).dt.as_unit("ns").to_numpy()
        out = np.searchsorted(self.ends.to_numpy(), values, side="left").astype("int64")
        out[np.isnat(values)] = self.n
        return out

    def latest_cover(self, rows: pd.DataFrame, keys: list[str], *, period_column: str = "period",
                     lo=None, hi=None) -> pd.DataFrame:
        """``timeline.latest_at`` for every grid period: the row of each key that is the latest ≤ P.

        Returns the rows repeated once per grid period they answer, with ``_g`` (grid index), ``at`` (the
        grid period) and ``stale`` (the row's period is before it). ``lo``/``hi`` (scalars or per-row
        column names holding per-row values) clip the grid indices a row may answer.
        """
        rows = rows[rows[period_column].notna()]
        group = rows.groupby(keys, dropna=False, sort=False).ngroup().to_numpy()
        month = pd.factorize(rows[period_column].astype("str").to_numpy(dtype=object), sort=True)[0]
        order = np.lexsort((np.arange(len(rows)), month, group))
        rows, group, month = rows.iloc[order], group[order], month[order]
        # Several rows of one key in one period: the last one (in input order) wins, as in latest_at.
        last_of_period = np.ones(len(rows), dtype=bool)
        if len(rows) > 1:
            last_of_period[:-1] = (group[1:] != group[:-1]) | (month[1:] != month[:-1])
        rows, group = rows[last_of_period], group[last_of_period]
        starts = self.period_index(rows[period_column].astype("str"))
        stops = np.full(len(rows), self.n, dtype="int64")
        if len(rows) > 1:
            stops[:-1] = np.where(group[1:] == group[:-1], starts[1:], self.n)
        if lo is not None:
            starts = np.maximum(starts, rows[lo].to_numpy(dtype="int64") if isinstance(lo, str) else lo)
        if hi is not None:
            stops = np.minimum(stops, rows[hi].to_numpy(dtype="int64") if isinstance(hi, str) else hi)
        row_idx, grid_idx = cover(starts, stops)
        out = rows.iloc[row_idx].reset_index(drop=True)
        at = self.periods[grid_idx]
        return out.assign(_g=grid_idx, at=at, stale=out[period_column].astype("str").to_numpy(dtype=object) < at)

    def set_blocks(self) -> list[tuple[str, int, int]]:
        """(criteria set id, first grid index, stop) for each run of periods under one set."""
        ids = [timeline.criteria_set_id_for(p) for p in self.periods]
        blocks, start = [], 0
        for i in range(1, self.n + 1):
            if i == self.n or ids[i] != ids[start]:
                blocks.append((ids[start], start, i))
                start = i
        return blocks

    # -- shared intermediates --------------------------------------------------------------------------
    @cached_property
    def criteria_lists(self) -> list[list[str]]:
        """Per grid period, the criteria of the set in force, in the set's order."""
        lists = {}
        out = []
        for p in self.periods:
            set_id = timeline.criteria_set_id_for(p)
            if set_id not in lists:
                lists[set_id] = [str(c).strip() for c in timeline.criteria_set_for(p).criteria["criterion"]]
            out.append(lists[set_id])
        return out

    @cached_property
    def criteria_status(self) -> pd.DataFrame:
        """``criteria_status_at`` of every grid period: _g, unit_code, criterion, status, value, period, stale."""
        rows = self.prepared.get("criteria_status")
        parts = []
        if rows is not None and not rows.empty:
            in_scope = rows[rows["unit_code"].isin(self.communes)]
            for set_id, lo, hi in self.set_blocks():
                pool = in_scope[(in_scope["criteria_set"] == set_id) & in_scope["criterion"].isin(self.criteria_lists[lo])]
                parts.append(self.latest_cover(pool, ["unit_code", "criterion"], lo=lo, hi=hi))
        if not parts:
            return pd.DataFrame({"_g": pd.Series(dtype="int64"), "unit_code": pd.Series(dtype="str"),
                                 "criterion": pd.Series(dtype="str"), "status": pd.Series(dtype="str")})
        return pd.concat(parts, ignore_index=True)

    @cached_property
    def met_counts(self) -> pd.DataFrame:
        """_g, unit_code, met (float): criteria met per commune with a submission at or before P."""
        status = self.criteria_status
        met = (status["status"] == "met").astype("int64")
        counts = met.groupby([status["_g"], status["unit_code"]]).sum().astype("float64")
        return counts.rename("met").reset_index()

    @cached_property
    def levels(self) -> np.ndarray:
        """Grid × communes array of NRA levels (0 none .. 3 model) at the end of each period."""
        from nrd.contract import LEVEL_RANK

        out = np.zeros((self.n, len(self.communes)), dtype="int64")
        rec = self.prepared.get("recognitions")
        if rec is None or rec.empty:
            return out
        position = pd.Series(np.arange(len(self.communes)), index=self.communes)
        rec = rec[rec["unit_code"].astype("str").isin(self.communes)]
        starts = self.date_index(rec["decision_date"])
        stops = self.date_index(rec["revoked_on"]) if "revoked_on" in rec else np.full(len(rec), self.n)
        rank = rec["level"].astype("str").map(LEVEL_RANK).fillna(0).astype("int64").to_numpy()
        col = position.reindex(rec["unit_code"].astype("str")).to_numpy()
        row_idx, grid_idx = cover(starts, stops)
        np.maximum.at(out, (grid_idx, col[row_idx]), rank[row_idx])
        return out

    @cached_property
    def ocop_current(self) -> pd.DataFrame:
        """``current_ocop_recognitions`` of every grid period (with _g, expires, active)."""
        products = self.prepared.get("ocop_products")
        products = products[products["recognized_on"].notna()]
        group = products.groupby("product_id", dropna=False, sort=False).ngroup().to_numpy()
        order = np.lexsort((np.arange(len(products)), products["recognized_on"].to_numpy(), group))
        products, group = products.iloc[order], group[order]
        starts = self.date_index(products["recognized_on"])
        stops = np.full(len(products), self.n, dtype="int64")
        if len(products) > 1:
            stops[:-1] = np.where(group[1:] == group[:-1], starts[1:], self.n)
        row_idx, grid_idx = cover(starts, stops)
        current = products.iloc[row_idx].reset_index(drop=True)
        end = self.ends.to_numpy()[grid_idx]
        expires = timeline.ocop_expiry(current["recognized_on"], current.get("expires_on"))
        if "revoked_on" in current:
            revoked = (current["revoked_on"] <= end).fillna(False).astype(bool).to_numpy()
        else:
            revoked = np.zeros(len(current), dtype=bool)
        active = (expires.to_numpy() > end) & ~revoked
        return current.assign(_g=grid_idx, _end=end, expires=expires, active=active)


def province_value_rows(grid: GridContext, values) -> pd.DataFrame:
    """One province row per grid period (a count or an amount)."""
    values = np.asarray(values, dtype="float64")
    nan = np.full(grid.n, np.nan)
    return pd.DataFrame({"period": grid.periods, "unit_code": grid.province_code, "value": values,
                         "numerator": nan, "denominator": nan.copy()})


def grid_share_rows(period, unit_code, numerator, denominator) -> pd.DataFrame:
    """Share rows with a period column: value = numerator / denominator × 100 (NaN when it is 0)."""
    num = pd.Series(np.asarray(numerator, dtype="float64"))
    den = pd.Series(np.asarray(denominator, dtype="float64"))
    value = (num / den.where(den > 0)) * 100.0
    return pd.DataFrame({"period": np.asarray(period, dtype=object), "unit_code": np.asarray(unit_code, dtype=object),
                         "value": value, "numerator": num, "denominator": den})


def grid_value_rows(period, unit_code, value) -> pd.DataFrame:
    """Count/amount rows with a period column."""
    values = np.asarray(value, dtype="float64")
    return pd.DataFrame({"period": np.asarray(period, dtype=object), "unit_code": np.asarray(unit_code, dtype=object),
                         "value": values, "numerator": np.full(len(values), np.nan),
                         "denominator": np.full(len(values), np.nan)})


def per_period(grid: GridContext, g: np.ndarray, values, fill: float = 0.0, how: str = "sum") -> np.ndarray:
    """Aggregate ``values`` by grid index into an array of the grid's length."""
    series = pd.Series(np.asarray(values), index=np.asarray(g, dtype="int64"))
    grouped = series.groupby(level=0)
    agg = getattr(grouped, how)()
    return agg.reindex(np.arange(grid.n), fill_value=fill).to_numpy(dtype="float64")

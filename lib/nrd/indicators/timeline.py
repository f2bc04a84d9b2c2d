"""Period rules of the indicators, in one place.

Every "at end of P" rule of the data contract is a function here: the criteria set in force, the latest
submission at or before P (and whether it is stale), OCOP validity and the expiry window, and the plan
year of capital. Functions are pure: frames in, new frames out.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from nrd import periods

# The contract's "minimum" OCOP validity; the reference layer holds the authoritative constants.
_FALLBACK_VALIDITY_MONTHS = 36
_FALLBACK_WINDOW_DAYS = 180


@functools.lru_cache(maxsize=512)
def criteria_set_id_for(period: str) -> str:
    """Id of the criteria set in force at the end of ``period`` (read from reference data)."""
    from nrd.reference import criteria_set_for

    return criteria_set_for(periods.parse_period(period)).id


def criteria_set_for(period: str):
    """The ``CriteriaSet`` in force at the end of ``period``."""
    from nrd.reference import criteria_set_for as _for

    return _for(periods.parse_period(period))


def recognition_phase(recognitions: pd.DataFrame) -> pd.Series:
    """The phase of each recognition: its ``criteria_set``, else the set in force on its decision date
    (a date before the first set took effect belongs to the first set)."""
    from nrd.reference import load_criteria_sets

    sets = list(load_criteria_sets().values())
    starts = pd.DatetimeIndex([pd.Timestamp(s.valid_from) for s in sets]).as_unit("ns")
    dates = pd.to_datetime(recognitions["decision_date"]).dt.as_unit("ns")
    position = np.searchsorted(starts.to_numpy(), dates.to_numpy(), side="right") - 1
    position = np.clip(position, 0, len(sets) - 1)
    by_date = pd.Series(np.asarray([s.id for s in sets], dtype=object)[position], index=recognitions.index)
    given = (recognitions["criteria_set"] if "criteria_set" in recognitions
             else pd.Series(pd.NA, index=by_date.index))
    return given.astype("object").where(given.notna(), by_date).astype("str")


def ocop_validity_months() -> int:
    try:
        from nrd.reference import OCOP_VALIDITY_MONTHS
    except ImportError:  # pragma: no cover - reference layer always ships it
        return _FALLBACK_VALIDITY_MONTHS
    return int(OCOP_VALIDITY_MONTHS)


def ocop_expiry_window_days() -> int:
    try:
        from nrd.reference import OCOP_EXPIRY_WINDOW_DAYS
    except ImportError:  # pragma: no cover
        return _FALLBACK_WINDOW_DAYS
    return int(OCOP_EXPIRY_WINDOW_DAYS)


def effective_criteria_set(rows: pd.DataFrame) -> pd.Series:
    """The criteria set of each ``criteria_status`` row: its own column, else the set in force for its period."""
    in_force = {p: criteria_set_id_for(p) for p in rows["period"].dropna().unique()}
    by_period = rows["period"].map(in_force)
    if "criteria_set" not in rows:
        return by_period.astype("str")
    return rows["criteria_set"].fillna(by_period).astype("str")


def latest_at(rows: pd.DataFrame, period: str, keys: list[str], *, period_column: str = "period") -> pd.DataFrame:
    """For each ``keys`` combination, its row with the latest ``period_column`` at or before ``period``.

    Rows keep their columns; ``stale`` is added: True when that latest row is from before ``period``
    (a carried-forward figure).
    """
    eligible = rows[rows[period_column] <= period]
    latest = eligible.sort_values(period_column, kind="stable").drop_duplicates(keys, keep="last")
    return latest.assign(stale=(latest[period_column] < period).to_numpy())


def ocop_expiry(recognized_on: pd.Series, expires_on: pd.Series | None) -> pd.Series:
    """``expires_on`` where given, else ``recognized_on`` + the validity (36 months)."""
    default = recognized_on + pd.DateOffset(months=ocop_validity_months())
    if expires_on is None:
        return default
    return expires_on.fillna(default)


def current_ocop_recognitions(products: pd.DataFrame, period: str) -> pd.DataFrame:
    """Each product's latest recognition on or before the end of ``period``, with ``expires``/``active``.

    ``active``: recognized_on ≤ end of P < expires_on, and not revoked on or before the end of P.
    """
    end = periods.period_end(period)
    eligible = products[products["recognized_on"] <= end]
    current = eligible.sort_values(["recognized_on"], kind="stable").drop_duplicates("product_id", keep="last")
    expires = ocop_expiry(current["recognized_on"], current.get("expires_on"))
    revoked = current["revoked_on"] <= end if "revoked_on" in current else False
    revoked = pd.Series(revoked, index=current.index).fillna(False).astype(bool)
    active = (expires > end) & ~revoked
    return current.assign(expires=expires, active=active.astype(bool))


def expiring_within_window(current: pd.DataFrame, period: str, days: int | None = None) -> pd.Series:
    """Active recognitions whose expiry falls within ``days`` (180) after the end of ``period``."""
    end = periods.period_end(period)
    window = end + pd.Timedelta(days=ocop_expiry_window_days() if days is None else days)
    return current["active"] & (current["expires"] > end) & (current["expires"] <= window)


def plan_year(period: str) -> int:
    """The capital plan year a period reports on: the year of P (the contract's capital.*_year)."""
    return periods.period_year(period)


def previous_plan_year_final_period(period: str) -> tuple[int, str]:
    """The previous plan year and the as-of month of its latest known position at ``period``.

    A plan year may be disbursed until 31 January of the next year (or later when extended), so the
    position of plan year Y-1 is read as of P itself: for P = 2026-01 that is plan year 2025 as of 2026-01
    (its January disbursement counts for 2025, not 2026).
    """
    return plan_year(period) - 1, periods.parse_period(period)


def expected_pace_share(period: str, target: float, *, start_month: int = 1, end_month: int = 12) -> float:
    """A linear monthly pace towards ``target`` (%), reached at the end of ``end_month`` of the year of P."""
    month = int(periods.parse_period(period)[5:7])
    span = end_month - start_month + 1
    elapsed = min(max(month - start_month + 1, 0), span)
    return target * elapsed / span

"""Small helpers shared by the demo table builders: the fixed calendar, dates, exact integer splits."""

from __future__ import annotations

import numpy as np
import pandas as pd

from nrd.periods import period_range

# The generator always simulates this calendar, whatever range it writes: a shorter ``end`` filters the
# finished tables, so the rows it keeps are the same rows a full run writes.
CALENDAR_START = "2021-01"
CALENDAR_END = "2026-10"
MONTHS: tuple[str, ...] = tuple(period_range(CALENDAR_START, CALENDAR_END))
MONTH_INDEX: dict[str, int] = {p: i for i, p in enumerate(MONTHS)}
QD51_FROM = "2026-02"  # first period whose set in force (at the end of the month) is qd51_2025


def month_of(index: int) -> str:
    """The ``YYYY-MM`` of a calendar index (may fall before or after the calendar)."""
    return str(pd.Period(CALENDAR_START, freq="M") + int(index))


def dates_in_months(
    rng: np.random.Generator, month_indexes: np.ndarray, first_day: int = 1, last_day: int = 28
) -> pd.DatetimeIndex:
    """A random day (``first_day``..``last_day``) in each given calendar month."""
    starts = pd.PeriodIndex([month_of(i) for i in month_indexes], freq="M").to_timestamp()
    days = rng.integers(first_day, last_day + 1, size=len(month_indexes))
    return starts + pd.to_timedelta(days - 1, unit="D")


def dates_between(rng: np.random.Generator, start: str, end: str, size: int) -> pd.DatetimeIndex:
    """``size`` random days from ``start`` to ``end`` (ISO dates, both included), unsorted."""
    first, last = pd.Timestamp(start), pd.Timestamp(end)
    offsets = rng.integers(0, (last - first).days + 1, size=size)
    return pd.DatetimeIndex(first + pd.to_timedelta(offsets, unit="D"))


def split_integer(total: int, weights: np.ndarray) -> np.ndarray:
    """Split a whole ``total`` into parts proportional to ``weights`` that sum to it exactly.

    Largest remainders get the leftover units; ties go to the lower index, so the split is deterministic.
    """
    weights = np.asarray(weights, dtype=float)
    raw = total * weights / weights.sum()
    parts = np.floor(raw).astype(np.int64)
    leftover = int(total - parts.sum())
    order = np.lexsort((np.arange(len(raw)), -(raw - parts)))
    parts[order[:leftover]] += 1
    return parts


def decision_numbers(rng: np.random.Generator, size: int, issuer: str = "QĐ-UBND") -> list[str]:
    """Decision numbers as the province writes them, e.g. ``1234/QĐ-UBND``."""
    return [f"{n}/{issuer}" for n in rng.integers(100, 3600, size=size)]


def base_name(unit_name: str) -> str:
    """``Xã Gia Viễn`` -> ``Gia Viễn`` (product and entity names use the place name alone)."""
    for prefix in ("Xã ", "Phường ", "Đặc khu "):
        if unit_name.startswith(prefix):
            return unit_name[len(prefix) :]
    return unit_name

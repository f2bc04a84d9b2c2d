"""Months as the program reports them: ``YYYY-MM`` strings, their last day, and moves between them.

Periods travel through the code as ``YYYY-MM`` strings (they sort correctly and survive CSV, YAML and
papermill unchanged); dates are ``pandas.Timestamp``. All period arithmetic lives here.

pandas is imported only by the functions that return dates: a Dask worker or the run's process that only
moves periods around does not load it (about 60 MB per process).
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import TYPE_CHECKING

from nrd.errors import PeriodError

if TYPE_CHECKING:
    import pandas as pd

_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


def parse_period(value: object) -> str:
    """Return ``value`` as a canonical ``YYYY-MM`` string, or raise ``PeriodError``.

    Accepts ``"2025-09"``, ``"2025-9"``, ``"09/2025"``, ``"9/2025"``, a ``date``/``Timestamp`` (its month).
    """
    if isinstance(value, _dt.date):  # pandas.Timestamp is a datetime, hence a date
        return f"{value.year:04d}-{value.month:02d}"
    text = str(value).strip()
    m = _PERIOD.match(text) or re.match(r"^(\d{4})-(\d{1,2})$", text)
    if m:
        year, month = int(m.group(1)), int(m.group(2))
    else:
        m = re.match(r"^(\d{1,2})/(\d{4})$", text)
        if not m:
            raise PeriodError(value)
        month, year = int(m.group(1)), int(m.group(2))
    if not (1 <= month <= 12 and 1900 <= year <= 2100):
        raise PeriodError(value)
    return f"{year:04d}-{month:02d}"


def period_start(period: str) -> pd.Timestamp:
    """First day of the month."""
    import pandas as pd

    return pd.Timestamp(parse_period(period) + "-01")


def period_end(period: str) -> pd.Timestamp:
    """Last day of the month (midnight), the reference date of every "at end of P" rule."""
    import pandas as pd

    return period_start(period) + pd.offsets.MonthEnd(0)


def period_year(period: str) -> int:
    return int(parse_period(period)[:4])


def _month_index(period: str) -> int:
    text = parse_period(period)
    return int(text[:4]) * 12 + int(text[5:]) - 1


def _from_month_index(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def shift_period(period: str, months: int) -> str:
    return _from_month_index(_month_index(period) + int(months))


def previous_period(period: str) -> str:
    return shift_period(period, -1)


def same_period_last_year(period: str) -> str:
    return shift_period(period, -12)


def period_range(start: str, end: str) -> list[str]:
    """Every month from ``start`` to ``end``, both included."""
    a, b = _month_index(start), _month_index(end)
    if b < a:
        raise PeriodError(f"{start}..{end}", "a range whose end is not before its start")
    return [_from_month_index(i) for i in range(a, b + 1)]


def previous_month(today: _dt.date | None = None) -> str:
    """The month before ``today`` (the period a cron run on the 5th reports on)."""
    today = today or _dt.date.today()
    return shift_period(f"{today.year:04d}-{today.month:02d}", -1)


def resolve_period(value: object, today: _dt.date | None = None) -> str:
    """Like ``parse_period`` but also accepts the plan keyword ``previous-month``."""
    if str(value).strip().lower() in {"previous-month", "previous_month"}:
        return previous_month(today)
    return parse_period(value)

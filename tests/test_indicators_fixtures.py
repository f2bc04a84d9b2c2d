"""Shared helpers of the indicator tests (no tests here): unit codes of Ninh Bình and small builders.

Ninh Bình has 97 communes and 32 wards (the shipped registry), so every share over "communes in scope"
below has 97 as its denominator.
"""

from __future__ import annotations

import math

import pandas as pd

from nrd.io import Dataset

C1, C2, C3, C4 = "13456", "13474", "13483", "13489"  # Xã Liêm Hà, Tân Thanh, Thanh Bình, Thanh Lâm
WARD = "13285"  # Phường Phủ Lý: a ward, outside the NRA criteria
COMMUNES_IN_SCOPE = 97


def dataset(**tables: list[dict]) -> Dataset:
    """A Ninh Bình dataset from lists of row dicts, one keyword per contract table."""
    return Dataset.from_frames({name: pd.DataFrame(rows) for name, rows in tables.items()}, province_code="37")


def value(table: pd.DataFrame, indicator: str, unit_code: str = "37") -> float:
    """The value of one row; fails loudly when the row is absent or duplicated."""
    rows = table[(table["indicator"] == indicator) & (table["unit_code"] == unit_code)]
    assert len(rows) == 1, f"{indicator} @ {unit_code}: {len(rows)} rows"
    return float(rows["value"].iloc[0])


def row(table: pd.DataFrame, indicator: str, unit_code: str = "37") -> tuple[float, float, float]:
    rows = table[(table["indicator"] == indicator) & (table["unit_code"] == unit_code)]
    assert len(rows) == 1, f"{indicator} @ {unit_code}: {len(rows)} rows"
    r = rows.iloc[0]
    return float(r["value"]), float(r["numerator"]), float(r["denominator"])


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def criteria_rows(period: str, unit_code: str, met: list[str], not_met: list[str], **extra) -> list[dict]:
    """Criterion-level rows of one submission."""
    rows = [dict(period=period, unit_code=unit_code, criterion=c, status="met", **extra) for c in met]
    rows += [dict(period=period, unit_code=unit_code, criterion=c, status="not_met", **extra) for c in not_met]
    return rows

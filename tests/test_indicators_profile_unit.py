"""A commune profile computed from the unit's own rows equals the one filtered from the province-wide
intermediates (``nrd.indicators.profile._PER_UNIT``), for communes, a ward, and units of a national slice."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from nrd.indicators import profile
from nrd.io import read_dataset

REPO = Path(__file__).resolve().parents[1]


def _both(monkeypatch, ds, period, unit):
    per_unit = profile.commune_profile(ds, period, unit)
    with monkeypatch.context() as patch:
        patch.setattr(profile, "_PER_UNIT", False)
        scanned = profile.commune_profile(ds, period, unit)
    return per_unit, scanned


def _assert_same(a, b):
    assert (a.unit_code, a.name, a.period, a.level) == (b.unit_code, b.name, b.period, b.level)
    for field in ("level_history", "criteria", "lacking", "products", "capital"):
        pd.testing.assert_frame_equal(getattr(a, field), getattr(b, field), check_dtype=True, obj=field)


@pytest.fixture(scope="module")
def national_slice(tmp_path_factory):
    from nrd.demo import generate_demo_dataset

    folder = tmp_path_factory.mktemp("national_profile")
    generate_demo_dataset(folder, province="all", end="2022-06", fmt="csv")
    return read_dataset(folder, use_cache=False)


def test_national_units_profile_the_same(monkeypatch, national_slice):
    ds = national_slice
    codes = sorted(ds.tables["criteria_status"]["unit_code"].dropna().unique())
    wards = ds.units.loc[ds.units["unit_type"] != "commune", "unit_code"].tolist()
    units = [*codes[:: max(1, len(codes) // 6)], wards[0]]
    levels = set()
    for period in ("2021-12", "2022-06"):
        for unit in units:
            a, b = _both(monkeypatch, ds, period, unit)
            _assert_same(a, b)
            levels.add(a.level)
    assert levels != {0}  # some unit holds a level: the history is compared on real recognitions


def test_demo_units_profile_the_same(monkeypatch):
    ds = read_dataset(REPO / "data" / "demo")
    units = ds.units["unit_code"].tolist()
    for unit in units[::9]:
        _assert_same(*_both(monkeypatch, ds, "2025-09", unit))


def test_the_comparison_sees_a_wrong_level(monkeypatch):
    ds = read_dataset(REPO / "data" / "demo")
    unit = ds.tables["recognitions"]["unit_code"].iloc[0]
    a, b = _both(monkeypatch, ds, "2025-09", unit)
    with pytest.raises(AssertionError):
        _assert_same(a, type(b)(**{**b.__dict__, "level": b.level + 1}))

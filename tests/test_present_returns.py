"""``show_*`` return the typed view they showed (numbers as numbers, no display-only or internal columns), so
an analyst can sort and filter what a report cell returns."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import nrd.indicators as ind
from nrd.present import sections as sx

ROOT = Path(__file__).resolve().parents[1]
PERIOD = "2025-09"


@pytest.fixture(scope="module")
def ds():
    from nrd.io import read_dataset

    return read_dataset(ROOT / "data" / "demo")


@pytest.fixture(autouse=True)
def quiet(monkeypatch):
    """What is displayed is not under test here: only what is returned."""
    import nrd.present.display as display

    monkeypatch.setattr(display, "_display", lambda *a, **k: None)
    monkeypatch.setattr(display, "_display_html", lambda *a, **k: None)


def test_capital_position_keeps_its_integer_year(ds):
    position = ind.capital_position(ds, PERIOD)
    shown = sx.show_capital_position(position, PERIOD, "vi", years=2)
    assert shown["year"].dtype == position["year"].dtype and pd.api.types.is_integer_dtype(shown["year"])
    assert set(shown["year"]) == {y for y in position["year"] if y > 2023}
    pd.testing.assert_frame_equal(shown[position.columns].sort_index(), position.loc[shown.index].sort_index())


def test_outliers_name_the_input_row_without_internal_columns(ds):
    outliers = ind.value_outliers(ds, PERIOD, threshold=1.0)
    assert len(outliers) > 0 and "row" in outliers and not any(c.startswith("_") for c in outliers)
    assert pd.api.types.is_integer_dtype(outliers["row"])
    shown = sx.show_outliers(outliers, ds.units, "vi")
    assert not any(c.startswith("_") for c in shown) and list(shown.columns[:len(outliers.columns)]) == list(
        outliers.columns)


@pytest.mark.parametrize("period", ["2025-03", "2025-09"])  # communes to act on, then none
def test_department_lagging_is_the_typed_view_even_when_empty(ds, period):
    view = ind.department_view(ds, period, "so_xd")
    shown = sx.show_department_lagging(view, "vi")
    assert "stale_text" not in shown and len(shown) == len(view.lagging)
    assert (shown.dtypes[view.lagging.columns] == view.lagging.dtypes).all()

"""``unit_rows`` gives exactly a unit mask's rows (order, index labels, dtypes), indexed or scanned."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nrd.indicators.unit_rows import INDEX_FROM_ROWS, unit_rows, warm_unit_indexes


@pytest.fixture
def big_frame():
    rng = np.random.default_rng(7)
    n = INDEX_FROM_ROWS * 2
    codes = rng.choice(["00376", "01354", "13504", None], size=n)
    frame = pd.DataFrame({"unit_code": pd.array(codes, dtype="str"), "value": rng.random(n),
                          "period": pd.array(rng.choice(["2026-09", "2026-10"], size=n), dtype="str")},
                         index=pd.RangeIndex(3, 3 + 2 * n, 2))
    return frame


@pytest.mark.parametrize("code", ["00376", "01354", "13504", "99999", ""])
def test_indexed_rows_equal_the_mask(big_frame, code):
    assert warm_unit_indexes([big_frame]) == 1
    pd.testing.assert_frame_equal(unit_rows(big_frame, code), big_frame[big_frame["unit_code"] == code])


def test_a_small_frame_is_scanned_and_a_replaced_frame_reindexed(big_frame):
    small = big_frame.iloc[:100]
    assert warm_unit_indexes([small]) == 0
    pd.testing.assert_frame_equal(unit_rows(small, "13504"), small[small["unit_code"] == "13504"])
    unit_rows(big_frame, "13504")
    other = big_frame.assign(unit_code=big_frame["unit_code"].replace({"13504": "00376"}))
    assert len(unit_rows(other, "13504")) == 0
    pd.testing.assert_frame_equal(unit_rows(other, "00376"), other[other["unit_code"] == "00376"])

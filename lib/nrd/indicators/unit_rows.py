"""One unit's rows of a frame that holds every unit, found through an index built once per frame.

A per-commune view used to take ``frame[frame["unit_code"] == code]``: a scan of every row, in every report
(1.2 million criteria rows at national scale). ``unit_rows`` gives the same rows, in the same order and
with the same index labels, from positions grouped by unit once per frame object — in a run, once in the
fork server for every report it forks. Frames are never mutated in place (the library's pure-function
rule), so a frame object keeps its index for as long as it lives. Small frames are simply scanned.
"""

from __future__ import annotations

import weakref

import numpy as np
import pandas as pd

#: Below this many rows a scan costs less than building an index.
INDEX_FROM_ROWS = 20_000

_INDEXES: dict[int, tuple[weakref.ref, dict]] = {}


def unit_rows(frame: pd.DataFrame, unit_code: str, column: str = "unit_code") -> pd.DataFrame:
    """``frame[frame[column] == unit_code]``, through the frame's unit index when the frame is large."""
    if len(frame) < INDEX_FROM_ROWS:
        return frame[frame[column] == unit_code]
    positions = _index(frame, column).get(unit_code)
    return frame.iloc[positions if positions is not None else np.empty(0, dtype=np.intp)]


def _index(frame: pd.DataFrame, column: str) -> dict:
    key = id(frame)
    held = _INDEXES.get(key)
    if held is not None and held[0]() is frame and column in held[1]:
        return held[1][column]
    codes = frame[column]
    # positions in ascending order per code: a boolean mask's row order
    # int32 positions: half the memory of pandas' intp, which a fork server holds for the whole run
    dtype = np.int32 if len(frame) < 2**31 else np.intp
    built = {code: np.asarray(rows, dtype=dtype)
             for code, rows in codes.groupby(codes, sort=False, dropna=True).indices.items()}
    if held is None or held[0]() is not frame:
        held = (weakref.ref(frame, lambda _, k=key: _INDEXES.pop(k, None)), {})
        _INDEXES[key] = held
    held[1][column] = built
    return built


def warm_unit_indexes(frames) -> int:
    """Build the unit index of every large frame among ``frames`` that has a ``unit_code`` column, and
    pay pandas' first positional take on it (done once by a process that forks report children); how
    many frames were indexed."""
    indexed = 0
    for frame in frames:
        if frame is None or len(frame) < INDEX_FROM_ROWS or "unit_code" not in frame:
            continue
        codes = _index(frame, "unit_code")
        if codes:
            frame.iloc[next(iter(codes.values()))[:1]]
        indexed += 1
    return indexed

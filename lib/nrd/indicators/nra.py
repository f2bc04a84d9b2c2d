"""NRA levels: a commune's recognised standard at the end of a period, and the nra.* indicators."""

from __future__ import annotations

import numpy as np
import pandas as pd

from nrd import periods
from nrd.contract import LEVEL_RANK
from nrd.indicators.catalog import Indicator, register, share_rows, value_rows
from nrd.indicators.grid import cover, grid_share_rows, grid_value_rows, province_value_rows

LEVEL_NAMES = {0: "none", 1: "nra", 2: "advanced", 3: "model"}


def levels_at(recognitions: pd.DataFrame | None, communes: pd.Index, period: str) -> pd.Series:
    """Each commune's level at the end of ``period`` (0 none, 1 nra, 2 advanced, 3 model).

    The highest level whose decision_date ≤ end of P and that is not revoked on or before the end of P.
    Units outside ``communes`` (wards) are ignored; communes without a decision get 0.
    """
    levels = pd.Series(0, index=pd.Index(communes, name="unit_code"), dtype="int64", name="level")
    if recognitions is None or recognitions.empty:
        return levels
    end = periods.period_end(period)
    revoked = recognitions["revoked_on"] if "revoked_on" in recognitions else pd.Series(pd.NaT, index=recognitions.index)
    in_force = (recognitions["decision_date"] <= end) & ~(revoked <= end).fillna(False).astype(bool)
    rows = recognitions[in_force]
    rank = rows["level"].astype("str").map(LEVEL_RANK).fillna(0).astype("int64")
    best = rank.groupby(rows["unit_code"].astype("str")).max()
    best = best[best.index.isin(levels.index)]
    levels.loc[best.index] = best.to_numpy()
    return levels


def unit_levels(recognitions: pd.DataFrame | None, unit_code: str, months: list[str]) -> list[int]:
    """``levels_at(recognitions, [unit_code], m)[unit_code]`` for every month of ``months`` in one pass over
    the unit's rows (a commune's 12-month level history: one comparison matrix, not 12 frames)."""
    if recognitions is None or recognitions.empty:
        return [0] * len(months)
    rows = recognitions[recognitions["unit_code"].astype("str") == unit_code]
    if rows.empty:
        return [0] * len(months)
    ends = np.array([periods.period_end(m).to_datetime64() for m in months], dtype="datetime64[ns]")[:, None]
    decided = rows["decision_date"].to_numpy(dtype="datetime64[ns]")[None, :]
    revoked = (rows["revoked_on"].to_numpy(dtype="datetime64[ns]") if "revoked_on" in rows
               else np.full(len(rows), np.datetime64("NaT"), dtype="datetime64[ns]"))[None, :]
    rank = rows["level"].astype("str").map(LEVEL_RANK).fillna(0).astype("int64").to_numpy()[None, :]
    in_force = (decided <= ends) & ~(revoked <= ends)  # NaT compares False, as in levels_at
    return [int(v) for v in np.where(in_force, rank, 0).max(axis=1)]


def _scope(ctx) -> pd.DataFrame:
    return value_rows(ctx.province_code, len(ctx.communes))


def _at_least(level: int):
    def count(ctx) -> pd.DataFrame:
        return value_rows(ctx.province_code, int((ctx.levels >= level).sum()))

    def share(ctx) -> pd.DataFrame:
        return share_rows(ctx.province_code, int((ctx.levels >= level).sum()), len(ctx.communes))

    return count, share


def _at_least_grid(level: int):
    def count(grid) -> pd.DataFrame:
        return province_value_rows(grid, (grid.levels >= level).sum(axis=1))

    def share(grid) -> pd.DataFrame:
        n = len(grid.communes)
        return grid_share_rows(grid.periods, grid.province_code, (grid.levels >= level).sum(axis=1),
                               [n] * grid.n)

    return count, share


def _scope_grid(grid) -> pd.DataFrame:
    return province_value_rows(grid, [len(grid.communes)] * grid.n)


def _not_recognized_grid(grid) -> pd.DataFrame:
    return province_value_rows(grid, (grid.levels == 0).sum(axis=1))


def _commune_level_grid(grid) -> pd.DataFrame:
    n = len(grid.communes)
    return grid_value_rows(np.repeat(grid.periods, n), np.tile(grid.communes.to_numpy(dtype=object), grid.n),
                           grid.levels.reshape(-1))


def _not_recognized(ctx) -> pd.DataFrame:
    return value_rows(ctx.province_code, int((ctx.levels == 0).sum()))


def _commune_level(ctx) -> pd.DataFrame:
    return value_rows(ctx.levels.index, ctx.levels.to_numpy())


def _lbl(vi: str, en: str, fr: str) -> dict[str, str]:
    return {"vi": vi, "en": en, "fr": fr}


register(Indicator(
    "nra.communes_in_scope", _lbl("Số xã trong phạm vi", "Communes in scope", "Communes concernées"),
    "count", "province", "neutral", _scope, definition="Units of type commune in the registry.",
    compute_grid=_scope_grid,
))
for _level, _key, _vi, _en, _fr in (
    (1, "recognized", "đạt chuẩn NTM", "recognised NRA", "reconnues NR"),
    (2, "advanced", "đạt NTM nâng cao", "advanced NRA", "NR avancée"),
    (3, "model", "đạt NTM kiểu mẫu", "model NRA", "NR modèle"),
):
    _count, _share = _at_least(_level)
    _count_grid, _share_grid = _at_least_grid(_level)
    register(Indicator(
        f"nra.{_key}", _lbl(f"Số xã {_vi}", f"Communes {_en}", f"Communes {_fr}"),
        "count", "province", "higher_is_better", _count, requires=("recognitions",),
        definition=f"Communes in scope with level ≥ {_level} at the end of P.", compute_grid=_count_grid,
    ))
    register(Indicator(
        f"nra.{_key}_share", _lbl(f"Tỷ lệ xã {_vi}", f"Share of communes {_en}", f"Part des communes {_fr}"),
        "percent", "province", "higher_is_better", _share, requires=("recognitions",), numerator=f"nra.{_key}",
        denominator="nra.communes_in_scope",
        definition=f"nra.{_key} / communes in scope × 100.", compute_grid=_share_grid,
    ))
register(Indicator(
    "nra.not_recognized", _lbl("Số xã chưa đạt chuẩn NTM", "Communes not recognised", "Communes non reconnues"),
    "count", "province", "lower_is_better", _not_recognized, requires=("recognitions",),
    definition="Communes in scope with level 0 at the end of P.", compute_grid=_not_recognized_grid,
))
register(Indicator(
    "nra.level", _lbl("Mức đạt chuẩn", "NRA level", "Niveau NR"), "level", "commune", "higher_is_better",
    _commune_level, requires=("recognitions",), definition="0 none, 1 NRA, 2 advanced, 3 model, at the end of P (every commune in scope).",
    compute_grid=_commune_level_grid,
))


# ---- the phase: recognitions under the set in force, and the modern tier ----------------------------------

PHASE_LEVELS = ("nra", "modern")  # a recognition that the commune meets the standard of its phase


def _in_force(recognitions: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    revoked = (recognitions["revoked_on"] if "revoked_on" in recognitions
               else pd.Series(pd.NaT, index=recognitions.index))
    return recognitions[(recognitions["decision_date"] <= end) & ~(revoked <= end).fillna(False).astype(bool)]


def phase_recognized(ctx) -> pd.Index:
    """Communes in scope with a non-revoked nra or modern recognition (at the end of P) whose phase is the
    criteria set in force at P (``timeline.recognition_phase``)."""

    def compute() -> pd.Index:
        rec = ctx.prepared.get("recognitions")
        if rec is None or rec.empty:
            return pd.Index([], dtype="str")
        rows = _in_force(rec, ctx.end)
        rows = rows[rows["level"].isin(PHASE_LEVELS) & (rows["phase"] == ctx.criteria_set.id)]
        return pd.Index(sorted(set(rows["unit_code"].astype("str")) & set(ctx.communes)), dtype="str")

    return ctx.memo("nra.phase_recognized", compute)


def modern_communes(ctx) -> pd.Index:
    """Communes in scope with a non-revoked modern recognition at the end of P (any phase)."""

    def compute() -> pd.Index:
        rec = ctx.prepared.get("recognitions")
        if rec is None or rec.empty:
            return pd.Index([], dtype="str")
        rows = _in_force(rec, ctx.end)
        return pd.Index(sorted(set(rows.loc[rows["level"] == "modern", "unit_code"].astype("str"))
                               & set(ctx.communes)), dtype="str")

    return ctx.memo("nra.modern", compute)


def _tier_rows(select):
    def count(ctx) -> pd.DataFrame:
        return value_rows(ctx.province_code, len(select(ctx)))

    def share(ctx) -> pd.DataFrame:
        return share_rows(ctx.province_code, len(select(ctx)), len(ctx.communes))

    return count, share


def _grid_tier_counts(grid, levels: tuple[str, ...], same_phase: bool) -> np.ndarray:
    """Per grid period, distinct communes in scope holding a recognition of ``levels`` in force (and, with
    ``same_phase``, whose phase is the set in force at that period)."""
    rec = grid.prepared.get("recognitions")
    if rec is None or rec.empty:
        return np.zeros(grid.n)
    rec = rec[rec["unit_code"].astype("str").isin(grid.communes) & rec["level"].isin(levels)]
    starts = grid.date_index(rec["decision_date"])
    stops = grid.date_index(rec["revoked_on"]) if "revoked_on" in rec else np.full(len(rec), grid.n)
    if same_phase:
        lo_hi = {set_id: (lo, hi) for set_id, lo, hi in grid.set_blocks()}
        bounds = np.array([lo_hi.get(p, (0, 0)) for p in rec["phase"]], dtype="int64").reshape(-1, 2)
        starts, stops = np.maximum(starts, bounds[:, 0]), np.minimum(stops, bounds[:, 1])
    row_idx, grid_idx = cover(starts, stops)
    pairs = pd.DataFrame({"_g": grid_idx, "unit_code": rec["unit_code"].astype("str").to_numpy()[row_idx]})
    counts = pairs.drop_duplicates().groupby("_g").size()
    return counts.reindex(np.arange(grid.n), fill_value=0).to_numpy(dtype="float64")


def _tier_grid(levels: tuple[str, ...], same_phase: bool):
    def count(grid) -> pd.DataFrame:
        return province_value_rows(grid, _grid_tier_counts(grid, levels, same_phase))

    def share(grid) -> pd.DataFrame:
        return grid_share_rows(grid.periods, grid.province_code, _grid_tier_counts(grid, levels, same_phase),
                               [len(grid.communes)] * grid.n)

    return count, share


for _key, _select, _levels, _same, _per_set, _labels, _definition in (
    ("recognized_phase", phase_recognized, PHASE_LEVELS, True, True,
     ("đạt chuẩn NTM theo bộ tiêu chí hiện hành", "recognised under the set in force",
      "reconnues selon le référentiel en vigueur"),
     "Communes in scope with a non-revoked (at the end of P) nra or modern recognition dated ≤ the end of P "
     "whose criteria set (blank: the set in force on its decision date) is the set in force at P."),
    ("modern", modern_communes, ("modern",), False, False,
     ("đạt NTM hiện đại", "recognised modern (pilot)", "reconnues modernes (pilote)"),
     "Communes in scope with a non-revoked modern recognition (xã NTM hiện đại) at the end of P."),
):
    _count, _share = _tier_rows(_select)
    _count_grid, _share_grid = _tier_grid(_levels, _same)
    _vi, _en, _fr = _labels
    register(Indicator(
        f"nra.{_key}", _lbl(f"Số xã {_vi}", f"Communes {_en}", f"Communes {_fr}"),
        "count", "province", "higher_is_better", _count, requires=("recognitions",), definition=_definition,
        compute_grid=_count_grid, per_set=_per_set,
    ))
    register(Indicator(
        f"nra.{_key}_share", _lbl(f"Tỷ lệ xã {_vi}", f"Share of communes {_en}", f"Part des communes {_fr}"),
        "percent", "province", "higher_is_better", _share, requires=("recognitions",), numerator=f"nra.{_key}",
        denominator="nra.communes_in_scope", definition=f"nra.{_key} / communes in scope × 100.",
        compute_grid=_share_grid, per_set=_per_set,
    ))

"""NRA levels: a commune's recognised standard at the end of a period, and the nra.* indicators."""

from __future__ import annotations

import pandas as pd

from nrd import periods
from nrd.contract import LEVEL_RANK
from nrd.indicators.catalog import Indicator, register, share_rows, value_rows

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


def _scope(ctx) -> pd.DataFrame:
    return value_rows(ctx.province_code, len(ctx.communes))


def _at_least(level: int):
    def count(ctx) -> pd.DataFrame:
        return value_rows(ctx.province_code, int((ctx.levels >= level).sum()))

    def share(ctx) -> pd.DataFrame:
        return share_rows(ctx.province_code, int((ctx.levels >= level).sum()), len(ctx.communes))

    return count, share


def _not_recognized(ctx) -> pd.DataFrame:
    return value_rows(ctx.province_code, int((ctx.levels == 0).sum()))


def _commune_level(ctx) -> pd.DataFrame:
    return value_rows(ctx.levels.index, ctx.levels.to_numpy())


def _lbl(vi: str, en: str, fr: str) -> dict[str, str]:
    return {"vi": vi, "en": en, "fr": fr}


register(Indicator(
    "nra.communes_in_scope", _lbl("Số xã trong phạm vi", "Communes in scope", "Communes concernées"),
    "count", "province", "neutral", _scope, definition="Units of type commune in the registry.",
))
for _level, _key, _vi, _en, _fr in (
    (1, "recognized", "đạt chuẩn NTM", "recognised NRA", "reconnues NR"),
    (2, "advanced", "đạt NTM nâng cao", "advanced NRA", "NR avancée"),
    (3, "model", "đạt NTM kiểu mẫu", "model NRA", "NR modèle"),
):
    _count, _share = _at_least(_level)
    register(Indicator(
        f"nra.{_key}", _lbl(f"Số xã {_vi}", f"Communes {_en}", f"Communes {_fr}"),
        "count", "province", "higher_is_better", _count, requires=("recognitions",),
        definition=f"Communes in scope with level ≥ {_level} at the end of P.",
    ))
    register(Indicator(
        f"nra.{_key}_share", _lbl(f"Tỷ lệ xã {_vi}", f"Share of communes {_en}", f"Part des communes {_fr}"),
        "percent", "province", "higher_is_better", _share, requires=("recognitions",), numerator=f"nra.{_key}",
        denominator="nra.communes_in_scope",
        definition=f"nra.{_key} / communes in scope × 100.",
    ))
register(Indicator(
    "nra.not_recognized", _lbl("Số xã chưa đạt chuẩn NTM", "Communes not recognised", "Communes non reconnues"),
    "count", "province", "lower_is_better", _not_recognized, requires=("recognitions",),
    definition="Communes in scope with level 0 at the end of P.",
))
register(Indicator(
    "nra.level", _lbl("Mức đạt chuẩn", "NRA level", "Niveau NR"), "level", "commune", "higher_is_better",
    _commune_level, requires=("recognitions",), definition="0 none, 1 NRA, 2 advanced, 3 model, at the end of P (every commune in scope).",
))

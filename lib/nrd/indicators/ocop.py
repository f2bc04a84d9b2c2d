"""OCOP indicators: active products and entities, stars, expiries, registrations of the cycle."""

from __future__ import annotations

import numpy as np
import pandas as pd

from nrd.indicators import timeline
from nrd.indicators.catalog import Indicator, register, value_rows
from nrd.indicators.grid import grid_value_rows, per_period, province_value_rows


def _active(ctx) -> pd.DataFrame:
    return value_rows(ctx.province_code, ctx.ocop_active["product_id"].nunique())


def _by_stars(stars: int):
    def compute(ctx) -> pd.DataFrame:
        active = ctx.ocop_active
        return value_rows(ctx.province_code, active.loc[active["stars"] == stars, "product_id"].nunique())

    return compute


def _entities(ctx) -> pd.DataFrame:
    return value_rows(ctx.province_code, ctx.ocop_active["entity_id"].nunique())


def _expiring(ctx) -> pd.DataFrame:
    current = ctx.ocop_current
    soon = timeline.expiring_within_window(current, ctx.period)
    return value_rows(ctx.province_code, current.loc[soon, "product_id"].nunique())


def registrations_of_cycle(registrations: pd.DataFrame, period: str) -> pd.DataFrame:
    """Registrations with cycle = year of P and registered_on ≤ end of P."""
    from nrd import periods

    year, end = periods.period_year(period), periods.period_end(period)
    return registrations[(registrations["cycle"] == year) & (registrations["registered_on"] <= end)]


def _registrations(ctx) -> pd.DataFrame:
    return value_rows(ctx.province_code, len(registrations_of_cycle(ctx.prepared.get("ocop_registrations"), ctx.period)))


def _pending(ctx) -> pd.DataFrame:
    regs = registrations_of_cycle(ctx.prepared.get("ocop_registrations"), ctx.period)
    return value_rows(ctx.province_code, int((regs["stage"] != "evaluated").sum()))


def _proposed_5star(ctx) -> pd.DataFrame:
    regs = registrations_of_cycle(ctx.prepared.get("ocop_registrations"), ctx.period)
    if "proposed_stars" not in regs:
        return value_rows(ctx.province_code, 0)
    return value_rows(ctx.province_code, int((regs["proposed_stars"] == 5).fillna(False).sum()))


def _commune_active(ctx) -> pd.DataFrame:
    counts = ctx.ocop_active.groupby(ctx.ocop_active["unit_code"].astype("str"))["product_id"].nunique()
    units = ctx.prepared.units["unit_code"]
    counts = counts.reindex(units, fill_value=0)
    return value_rows(counts.index, counts.to_numpy())


# -- the same indicators for a grid of periods at once -----------------------------------------------------

def _active_rows(grid) -> pd.DataFrame:
    return grid.memo("ocop_active", lambda: grid.ocop_current[grid.ocop_current["active"]])


def _distinct_per_period(grid, rows: pd.DataFrame, column: str) -> np.ndarray:
    return per_period(grid, rows["_g"].to_numpy(), rows[column].to_numpy(dtype=object), how="nunique")


def _active_grid(grid) -> pd.DataFrame:
    return province_value_rows(grid, _distinct_per_period(grid, _active_rows(grid), "product_id"))


def _by_stars_grid(stars: int):
    def compute(grid) -> pd.DataFrame:
        active = _active_rows(grid)
        return province_value_rows(grid, _distinct_per_period(grid, active[active["stars"] == stars], "product_id"))

    return compute


def _entities_grid(grid) -> pd.DataFrame:
    return province_value_rows(grid, _distinct_per_period(grid, _active_rows(grid), "entity_id"))


def _expiring_grid(grid) -> pd.DataFrame:
    current = grid.ocop_current
    window = current["_end"] + pd.Timedelta(days=timeline.ocop_expiry_window_days())
    soon = current["active"] & (current["expires"] > current["_end"]) & (current["expires"] <= window)
    return province_value_rows(grid, _distinct_per_period(grid, current[soon.to_numpy()], "product_id"))


def _registration_counts(grid) -> dict[str, np.ndarray]:
    """Per grid period: registrations of the cycle, those not evaluated, those proposed for 5 stars."""
    def compute():
        regs = grid.prepared.get("ocop_registrations")
        regs = regs[regs["registered_on"].notna()]
        pending = (regs["stage"] != "evaluated").to_numpy(dtype=bool)
        proposed = ((regs["proposed_stars"] == 5).fillna(False).to_numpy(dtype=bool) if "proposed_stars" in regs
                    else np.zeros(len(regs), dtype=bool))
        out = {k: np.zeros(grid.n) for k in ("all", "pending", "proposed")}
        ends = grid.ends.to_numpy()
        for year in np.unique(grid.years):
            in_cycle = regs["cycle"].eq(year).fillna(False).to_numpy(dtype=bool)
            dates = regs.loc[in_cycle, "registered_on"].dt.as_unit("ns").to_numpy()
            order = np.argsort(dates, kind="stable")
            at = np.flatnonzero(grid.years == year)
            # Registered on or before the end of P: a prefix of the cycle's rows sorted by date.
            upto = np.searchsorted(dates[order], ends[at], side="right")
            for key, flag in (("all", np.ones(len(regs), dtype=bool)), ("pending", pending), ("proposed", proposed)):
                cumulative = np.concatenate([[0], np.cumsum(flag[in_cycle][order])])
                out[key][at] = cumulative[upto]
        return out

    return grid.memo("ocop_registrations", compute)


def _registrations_grid(grid) -> pd.DataFrame:
    return province_value_rows(grid, _registration_counts(grid)["all"])


def _pending_grid(grid) -> pd.DataFrame:
    return province_value_rows(grid, _registration_counts(grid)["pending"])


def _proposed_5star_grid(grid) -> pd.DataFrame:
    return province_value_rows(grid, _registration_counts(grid)["proposed"])


def _commune_active_grid(grid) -> pd.DataFrame:
    active = _active_rows(grid)
    units = grid.prepared.units["unit_code"]
    counts = active.groupby([active["_g"], active["unit_code"].astype("str")])["product_id"].nunique()
    index = pd.MultiIndex.from_product([range(grid.n), units], names=["_g", "unit_code"])
    counts = counts.reindex(index, fill_value=0)
    g = index.get_level_values(0).to_numpy(dtype="int64")
    return grid_value_rows(grid.periods[g], index.get_level_values(1), counts.to_numpy())


def _lbl(vi: str, en: str, fr: str) -> dict[str, str]:
    return {"vi": vi, "en": en, "fr": fr}


_P = ("ocop_products",)
_R = ("ocop_registrations",)
register(Indicator(
    "ocop.products_active", _lbl("Số sản phẩm OCOP còn hiệu lực", "Active OCOP products", "Produits OCOP actifs"),
    "count", "province", "higher_is_better", _active, _P,
    definition="Distinct product_id whose latest recognition ≤ end of P is in force (recognized_on ≤ end < "
               "expires_on, not revoked); per unit (communes and wards) by the unit of the current recognition.",
    compute_commune=_commune_active, compute_grid=_active_grid, compute_commune_grid=_commune_active_grid,
))
for _stars in (3, 4, 5):
    register(Indicator(
        f"ocop.products_active_{_stars}star",
        _lbl(f"Sản phẩm OCOP {_stars} sao", f"Active {_stars}-star products", f"Produits actifs {_stars} étoiles"),
        "count", "province", "higher_is_better", _by_stars(_stars), _P,
        definition=f"Active products whose current recognition has {_stars} stars.",
        compute_grid=_by_stars_grid(_stars),
    ))
register(Indicator(
    "ocop.entities_active", _lbl("Số chủ thể có sản phẩm OCOP", "Entities with an active product",
                                 "Entités ayant un produit actif"),
    "count", "province", "higher_is_better", _entities, _P,
    definition="Distinct entity_id of active products.", compute_grid=_entities_grid,
))
register(Indicator(
    "ocop.products_expiring_180d", _lbl("Sản phẩm hết hạn trong 180 ngày", "Products expiring within 180 days",
                                        "Produits expirant sous 180 jours"),
    "count", "province", "lower_is_better", _expiring, _P,
    definition="Active products whose expires_on falls in (end of P, end of P + 180 days].",
    compute_grid=_expiring_grid,
))
register(Indicator(
    "ocop.registrations_cycle", _lbl("Sản phẩm đăng ký đánh giá trong năm", "Registrations of the cycle",
                                     "Inscriptions du cycle"),
    "count", "province", "higher_is_better", _registrations, _R,
    definition="Registrations with cycle = year of P and registered_on ≤ end of P.",
    compute_grid=_registrations_grid,
))
register(Indicator(
    "ocop.registrations_pending", _lbl("Đăng ký chưa đánh giá", "Registrations not yet evaluated",
                                       "Inscriptions non encore évaluées"),
    "count", "province", "neutral", _pending, _R,
    definition="Registrations of the cycle whose stage is not evaluated.", compute_grid=_pending_grid,
))
register(Indicator(
    "ocop.registrations_5star_proposed", _lbl("Lượt đăng ký đề xuất 5 sao trong năm (kể cả đã đánh giá)",
                                              "5-star proposals registered this cycle (evaluated included)",
                                              "Propositions 5 étoiles inscrites dans le cycle (évaluées comprises)"),
    "count", "province", "higher_is_better", _proposed_5star, _R,
    definition="Registrations of the cycle with proposed_stars = 5.", compute_grid=_proposed_5star_grid,
))

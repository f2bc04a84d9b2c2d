"""Per-entity frames the reports draw: pure, ``(ds, period)`` in, a tidy frame out; values stay raw.

No personal column (phones, representatives) ever leaves this module.
"""

from __future__ import annotations

import pandas as pd

from nrd import periods
from nrd.indicators import timeline
from nrd.indicators.capital import mobilized_at, plan_year_position
from nrd.indicators.context import PeriodContext, prepare
from nrd.indicators.nra import LEVEL_NAMES
from nrd.indicators.ocop import registrations_of_cycle


def _ctx(ds, period: str) -> PeriodContext:
    return prepare(ds).context(period)


def _names(ctx: PeriodContext) -> pd.Series:
    return ctx.prepared.units.set_index("unit_code")["name"]


def commune_levels(ds, period: str) -> pd.DataFrame:
    """Every commune in scope: unit_code, name, level (0-3), level_name (none/nra/advanced/model)."""
    ctx = _ctx(ds, period)
    levels = ctx.levels
    return pd.DataFrame(
        {"unit_code": levels.index.astype("str"), "name": levels.index.map(_names(ctx)),
         "level": levels.to_numpy(), "level_name": levels.map(LEVEL_NAMES).to_numpy()}
    )


LEVEL_HISTORY_COLUMNS = ["period", "criteria_set", "recognized", "advanced", "model", "recognized_phase", "modern",
                         "communes"]


def level_history(ds, period_list: list[str]) -> pd.DataFrame:
    """Per period: the criteria set in force, communes recognised (≥1), advanced (≥2), model (3), recognised
    under the set in force (``nra.recognized_phase``), modern (``nra.modern``), and in scope."""
    from nrd.indicators.nra import modern_communes, phase_recognized

    prepared = prepare(ds)
    rows = []
    for period in sorted({periods.parse_period(p) for p in period_list}):
        ctx = prepared.context(period)
        levels = ctx.levels
        rows.append({"period": period, "criteria_set": ctx.criteria_set.id, "recognized": int((levels >= 1).sum()),
                     "advanced": int((levels >= 2).sum()), "model": int((levels >= 3).sum()),
                     "recognized_phase": len(phase_recognized(ctx)), "modern": len(modern_communes(ctx)),
                     "communes": len(levels)})
    return pd.DataFrame(rows, columns=LEVEL_HISTORY_COLUMNS)


def criteria_matrix(ds, period: str) -> pd.DataFrame:
    """Communes × criteria of the set in force: status (``missing`` without a submission), period, stale."""
    ctx = _ctx(ds, period)
    grid = pd.MultiIndex.from_product([ctx.communes, ctx.criteria_list], names=["unit_code", "criterion"])
    status = ctx.criteria_status.set_index(["unit_code", "criterion"])
    out = status.reindex(grid).reset_index()
    out = out.assign(
        name=out["unit_code"].map(_names(ctx)),
        status=out["status"].fillna("missing"),
        stale=out["stale"].fillna(False).astype(bool),
        criteria_set=ctx.criteria_set.id,
    ).rename(columns={"period": "submission_period"})
    return out[["unit_code", "name", "criteria_set", "criterion", "status", "value", "submission_period", "stale"]]


def criteria_met_distribution(ds, period: str) -> pd.DataFrame:
    """How many communes meet k criteria, for k = 0 .. number of criteria (communes with a submission);
    ``criteria_set``: the set in force."""
    ctx = _ctx(ds, period)
    counts = ctx.met_counts.astype("int64").value_counts()
    k = range(len(ctx.criteria_list) + 1)
    return pd.DataFrame({"criteria_met": list(k), "communes": [int(counts.get(i, 0)) for i in k],
                         "criteria_set": ctx.criteria_set.id})


def _entities(ds) -> pd.DataFrame:
    if not ds.has("ocop_entities"):
        return pd.DataFrame({"entity_id": pd.Series(dtype="str"), "entity_name": pd.Series(dtype="str"),
                             "entity_type": pd.Series(dtype="str")})
    return ds.table("ocop_entities")[["entity_id", "entity_name", "entity_type"]]


def product_counts(active: pd.DataFrame, by) -> pd.DataFrame:
    """Distinct products of ``active_products`` per ``by`` (a column or columns): ``by`` and ``products``."""
    columns = [by] if isinstance(by, str) else list(by)
    return active.groupby(columns, as_index=False, sort=True)["product_id"].nunique() \
        .rename(columns={"product_id": "products"})


def ocop_by_unit(active: pd.DataFrame) -> pd.DataFrame:
    """Units by active products, most first: ``unit_code``, ``unit_name``, ``products`` and ``high`` (4★ and
    5★ among them)."""
    counts = product_counts(active, ["unit_code", "unit_name"])
    high = product_counts(active[active["stars"] >= 4], ["unit_code"]).rename(columns={"products": "high"})
    counts = counts.merge(high, on="unit_code", how="left").fillna({"high": 0})
    return counts.sort_values(["products", "unit_code"], ascending=[False, True])


def ocop_by_entity_type(active: pd.DataFrame) -> pd.DataFrame:
    """Active products and distinct entities per entity type: ``entity_type``, ``products``, ``entities``."""
    entities = active.groupby("entity_type", as_index=False)["entity_id"].nunique().rename(
        columns={"entity_id": "entities"})
    return product_counts(active, ["entity_type"]).merge(entities, on="entity_type")


PRODUCT_COLUMNS = ["product_id", "product_name", "stars", "score", "group", "unit_code", "unit_name", "entity_id",
                   "entity_name", "entity_type", "recognized_on", "expires", "decision_no"]


def active_products(ds, period: str) -> pd.DataFrame:
    """Active OCOP products at the end of P (current recognition), without personal columns."""
    ctx = _ctx(ds, period)
    active = ctx.ocop_active.merge(_entities(ds), on="entity_id", how="left")
    active = active.assign(unit_name=active["unit_code"].map(_names(ctx)))
    return active[PRODUCT_COLUMNS].sort_values(["unit_code", "product_id"]).reset_index(drop=True)


def ocop_new_recognitions(ds, period: str) -> pd.DataFrame:
    """Recognitions decided within month P (new products and re-recognitions alike)."""
    products = ds.table("ocop_products")
    start, end = periods.period_start(period), periods.period_end(period)
    rows = products[(products["recognized_on"] >= start) & (products["recognized_on"] <= end)]
    rows = rows.assign(expires=timeline.ocop_expiry(rows["recognized_on"], rows["expires_on"]))
    rows = rows.merge(_entities(ds), on="entity_id", how="left")
    names = ds.units.set_index("unit_code")["name"]
    rows = rows.assign(unit_name=rows["unit_code"].map(names))
    return rows[PRODUCT_COLUMNS].sort_values(["recognized_on", "product_id"]).reset_index(drop=True)


def registrations_by_stage(ds, period: str) -> pd.DataFrame:
    """Registrations of the cycle (year of P, registered by the end of P) per stage, in pipeline order."""
    from nrd.contract import STAGE

    regs = registrations_of_cycle(ds.table("ocop_registrations"), period)
    counts = regs["stage"].value_counts()
    return pd.DataFrame({"stage": list(STAGE), "registrations": [int(counts.get(s, 0)) for s in STAGE]})


def capital_position(ds, period: str, first_year: int = 2021) -> pd.DataFrame:
    """Plan vs disbursed by source × plan year, each plan year as of P (so Y-1 includes January of Y).

    Returns year, source, plan_mvnd, disbursed_mvnd, rate (%), as_of.
    """
    plan = ds.table("capital_plan") if ds.has("capital_plan") else None
    disb = ds.table("capital_disbursement") if ds.has("capital_disbursement") else None
    year = timeline.plan_year(period)
    parts = [plan_year_position(plan, disb, y, periods.parse_period(period), ds.province_code)
             for y in range(first_year, year + 1)]
    lines = pd.concat(parts, ignore_index=True)
    out = lines.groupby(["year", "source"], as_index=False)[["plan_mvnd", "disbursed_mvnd"]].sum()
    out = out.assign(rate=out["disbursed_mvnd"] / out["plan_mvnd"].where(out["plan_mvnd"] > 0) * 100,
                     as_of=periods.parse_period(period))
    return out.sort_values(["year", "source"]).reset_index(drop=True)


def disbursement_pace(ds, period: str, target_rate: float = 95.0) -> pd.DataFrame:
    """Month by month of the year of P (to P): cumulative disbursement, plan, rate and the linear target line."""
    plan = ds.table("capital_plan") if ds.has("capital_plan") else None
    disb = ds.table("capital_disbursement") if ds.has("capital_disbursement") else None
    year = timeline.plan_year(period)
    rows = []
    for month in periods.period_range(f"{year}-01", period):
        pos = plan_year_position(plan, disb, year, month, ds.province_code)
        planned, spent = float(pos["plan_mvnd"].sum()), float(pos["disbursed_mvnd"].sum())
        rows.append({"period": month, "plan_mvnd": planned, "disbursed_mvnd": spent,
                     "rate": spent / planned * 100 if planned > 0 else float("nan"),
                     "target_rate": timeline.expected_pace_share(month, target_rate)})
    return pd.DataFrame(rows)


def mobilized_by_source(ds, period: str) -> pd.DataFrame:
    """Cumulative capital mobilised per source at P (each source's latest row), with its as-of period."""
    latest = mobilized_at(ds.table("capital_mobilized"), periods.parse_period(period))
    return latest[["source", "cumulative_mvnd", "period", "stale"]].rename(columns={"period": "as_of"})

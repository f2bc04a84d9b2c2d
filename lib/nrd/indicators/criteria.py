"""Criteria status at the end of a period (latest submission, same criteria set) and the criteria.* indicators."""

from __future__ import annotations

import pandas as pd

import numpy as np

from nrd.indicators import timeline
from nrd.indicators.catalog import Indicator, register, share_rows, value_rows
from nrd.indicators.grid import grid_share_rows, grid_value_rows, per_period, province_value_rows

STATUS_COLUMNS = ["unit_code", "criterion", "status", "value", "period", "stale"]
BELOW_THRESHOLD = 15  # the 2025 national target: no commune below 15 criteria
# criteria.below_15 only means something under a set of at least 15 criteria (qd318_2022 has 19,
# qd51_2025 has 10: every commune would be "below 15").


def criteria_status_at(
    rows: pd.DataFrame | None, communes: pd.Index, period: str, set_id: str, criteria: list[str]
) -> pd.DataFrame:
    """Each commune's status per criterion at ``period``: its latest submission at or before P, same set.

    Args:
        rows: prepared criterion-level rows (``context.prepare``), sorted by period.
        communes: communes in scope (rows of other units are ignored).
        period: P.
        set_id: the criteria set in force at P; submissions under another set do not count.
        criteria: the criteria of that set (rows naming another criterion are ignored).

    Returns:
        unit_code, criterion, status, value, period (of the latest submission), stale (period < P).
    """
    if rows is None or rows.empty:
        return pd.DataFrame({c: pd.Series(dtype="str") for c in STATUS_COLUMNS}).astype({"stale": "bool"})
    pool = rows[(rows["criteria_set"] == set_id) & rows["unit_code"].isin(communes) & rows["criterion"].isin(criteria)]
    latest = timeline.latest_at(pool, period, ["unit_code", "criterion"])
    order = {c: i for i, c in enumerate(criteria)}
    latest = latest.assign(_order=latest["criterion"].map(order)).sort_values(["unit_code", "_order"], kind="stable")
    return latest[STATUS_COLUMNS].reset_index(drop=True)


def submission_periods(status: pd.DataFrame) -> pd.Series:
    """Each commune's latest submission period (under the set in force) at or before P."""
    return status.groupby("unit_code")["period"].max()


def _avg_met(ctx) -> pd.DataFrame:
    counts = ctx.met_counts
    value = float(counts.mean()) if len(counts) else float("nan")
    return pd.DataFrame(
        {"unit_code": [ctx.province_code], "value": [value], "numerator": [float(counts.sum())],
         "denominator": [float(len(counts))]}
    )


def _all_met(ctx) -> pd.DataFrame:
    return value_rows(ctx.province_code, int((ctx.met_counts >= len(ctx.criteria_list)).sum()))


def _below(ctx) -> pd.DataFrame:
    if len(ctx.criteria_list) < BELOW_THRESHOLD:
        return value_rows([], [])
    return value_rows(ctx.province_code, int((ctx.met_counts < BELOW_THRESHOLD).sum()))


def _met_share(ctx) -> pd.DataFrame:
    status = ctx.criteria_status
    reporting = len(ctx.met_counts)
    met = status[status["status"] == "met"].groupby("criterion").size()
    met = met.reindex(ctx.criteria_list, fill_value=0)
    rows = share_rows([ctx.province_code] * len(met), met.to_numpy(), [reporting] * len(met))
    return rows.assign(indicator=[f"criteria.met_share.{c}" for c in met.index])


def _dept_met_share(ctx) -> pd.DataFrame:
    criteria = ctx.criteria_set.criteria.assign(criterion=lambda f: f["criterion"].astype("str").str.strip())
    status = ctx.criteria_status.merge(criteria[["criterion", "department"]], on="criterion", how="left")
    reporting = len(ctx.met_counts)
    per_dept = criteria.groupby("department")["criterion"].count()
    met = status[status["status"] == "met"].groupby("department").size().reindex(per_dept.index, fill_value=0)
    rows = share_rows([ctx.province_code] * len(met), met.to_numpy(), (per_dept * reporting).to_numpy())
    return rows.assign(indicator=[f"criteria.dept_met_share.{d}" for d in met.index])


def _completeness(ctx) -> pd.DataFrame:
    rows = ctx.prepared.get("criteria_status")
    submitted = rows.loc[(rows["period"] == ctx.period) & rows["unit_code"].isin(ctx.communes), "unit_code"].nunique()
    return share_rows(ctx.province_code, submitted, len(ctx.communes))


def _commune_met_count(ctx) -> pd.DataFrame:
    counts = ctx.met_counts
    return value_rows(counts.index, counts.to_numpy())


# -- the same indicators for a grid of periods at once (``grid.GridContext``) -----------------------------

def _grid_counts(grid):
    counts = grid.met_counts
    return counts["_g"].to_numpy(), counts["met"].to_numpy()


def _avg_met_grid(grid) -> pd.DataFrame:
    g, met = _grid_counts(grid)
    total = per_period(grid, g, met)
    reporting = per_period(grid, g, np.ones(len(g)))
    mean = np.divide(total, reporting, out=np.full(grid.n, np.nan), where=reporting > 0)
    return province_value_rows(grid, mean).assign(numerator=total, denominator=reporting)


def _all_met_grid(grid) -> pd.DataFrame:
    g, met = _grid_counts(grid)
    sizes = np.array([len(c) for c in grid.criteria_lists], dtype="float64")
    return province_value_rows(grid, per_period(grid, g, met >= sizes[g]))


def _below_grid(grid) -> pd.DataFrame:
    g, met = _grid_counts(grid)
    rows = province_value_rows(grid, per_period(grid, g, met < BELOW_THRESHOLD))
    sizes = np.array([len(c) for c in grid.criteria_lists])
    return rows[sizes >= BELOW_THRESHOLD].reset_index(drop=True)


def _met_share_grid(grid) -> pd.DataFrame:
    status = grid.criteria_status
    reporting = per_period(grid, grid.met_counts["_g"].to_numpy(), np.ones(len(grid.met_counts)))
    met = status[status["status"] == "met"].groupby(["_g", "criterion"]).size()
    keys = [(g, c) for g in range(grid.n) for c in grid.criteria_lists[g]]
    index = pd.MultiIndex.from_tuples(keys, names=["_g", "criterion"]) if keys else met.index[:0]
    met = met.reindex(index, fill_value=0)
    g = index.get_level_values(0).to_numpy(dtype="int64")
    rows = grid_share_rows(grid.periods[g], grid.province_code, met.to_numpy(), reporting[g])
    return rows.assign(indicator=[f"criteria.met_share.{c}" for c in index.get_level_values(1)])


def _dept_met_share_grid(grid) -> pd.DataFrame:
    status = grid.criteria_status
    reporting = per_period(grid, grid.met_counts["_g"].to_numpy(), np.ones(len(grid.met_counts)))
    parts = []
    for set_id, lo, hi in grid.set_blocks():
        criteria = grid.prepared.criteria_set(set_id).criteria
        criteria = criteria.assign(criterion=criteria["criterion"].astype("str").str.strip())
        per_dept = criteria.groupby("department")["criterion"].count()
        block = status[(status["_g"] >= lo) & (status["_g"] < hi) & (status["status"] == "met")]
        block = block.merge(criteria[["criterion", "department"]], on="criterion", how="left")
        met = block.groupby(["_g", "department"]).size()
        index = pd.MultiIndex.from_product([range(lo, hi), per_dept.index], names=["_g", "department"])
        met = met.reindex(index, fill_value=0)
        g = index.get_level_values(0).to_numpy(dtype="int64")
        dept = index.get_level_values(1)
        den = per_dept.reindex(dept).to_numpy(dtype="float64") * reporting[g]
        rows = grid_share_rows(grid.periods[g], grid.province_code, met.to_numpy(), den)
        parts.append(rows.assign(indicator=[f"criteria.dept_met_share.{d}" for d in dept]))
    return pd.concat(parts, ignore_index=True)


def _completeness_grid(grid) -> pd.DataFrame:
    rows = grid.prepared.get("criteria_status")
    rows = rows[rows["unit_code"].isin(grid.communes)]
    submitted = rows.groupby("period")["unit_code"].nunique().reindex(grid.periods, fill_value=0)
    n = len(grid.communes)
    return grid_share_rows(grid.periods, grid.province_code, submitted.to_numpy(), np.full(grid.n, n))


def _commune_met_count_grid(grid) -> pd.DataFrame:
    counts = grid.met_counts
    return grid_value_rows(grid.periods[counts["_g"].to_numpy()], counts["unit_code"], counts["met"])



def _lbl(vi: str, en: str, fr: str) -> dict[str, str]:
    return {"vi": vi, "en": en, "fr": fr}


_REQ = ("criteria_status",)
register(Indicator(
    "criteria.avg_met", _lbl("Số tiêu chí đạt bình quân/xã", "Average criteria met per commune",
                             "Nombre moyen de critères remplis"),
    "criteria", "province", "higher_is_better", _avg_met, _REQ, numerator="criteria met (sum)",
    denominator="communes with a submission",
    definition="Mean, over communes with a submission at or before P under the set in force, of criteria met.",
    compute_grid=_avg_met_grid,
))
register(Indicator(
    "criteria.all_met", _lbl("Số xã đạt tất cả tiêu chí", "Communes meeting every criterion",
                             "Communes remplissant tous les critères"),
    "count", "province", "higher_is_better", _all_met, _REQ,
    definition="Communes meeting every criterion of the set in force at P.",
    compute_grid=_all_met_grid,
))
register(Indicator(
    "criteria.below_15", _lbl("Số xã đạt dưới 15 tiêu chí", "Communes meeting fewer than 15 criteria",
                              "Communes remplissant moins de 15 critères"),
    "count", "province", "lower_is_better", _below, _REQ,
    definition="Communes with a submission meeting fewer than 15 criteria (2025 target: none); only when the "
               "set in force has at least 15 criteria (no row under a set of fewer criteria).",
    compute_grid=_below_grid,
))
register(Indicator(
    "criteria.met_share.<n>", _lbl("Tỷ lệ xã đạt tiêu chí {n}", "Share of communes meeting criterion {n}",
                                   "Part des communes remplissant le critère {n}"),
    "percent", "province", "higher_is_better", _met_share, _REQ, numerator="communes meeting n",
    denominator="communes with a submission",
    definition="Communes meeting criterion n (met only) / communes with a submission × 100; one per criterion.",
    compute_grid=_met_share_grid,
))
register(Indicator(
    "criteria.dept_met_share.<n>", _lbl("Tỷ lệ đạt các tiêu chí do {n} phụ trách",
                                        "Criteria met, led by department {n}",
                                        "Critères remplis, pilotés par {n}"),
    "percent", "department", "higher_is_better", _dept_met_share, _REQ,
    numerator="(commune, criterion) pairs met", denominator="communes with a submission × criteria led",
    definition="Over communes with a submission, share of (commune, criterion led by the department) pairs met.",
    compute_grid=_dept_met_share_grid,
))
register(Indicator(
    "criteria.reporting_completeness", _lbl("Tỷ lệ xã nộp báo cáo kỳ này", "Reporting completeness",
                                            "Complétude des rapports"),
    "percent", "province", "higher_is_better", _completeness, _REQ, numerator="communes that submitted for P",
    denominator="nra.communes_in_scope",
    definition="Communes in scope with a criterion row for exactly P / communes in scope × 100.",
    compute_grid=_completeness_grid,
))
register(Indicator(
    "criteria.met_count", _lbl("Số tiêu chí đạt", "Criteria met", "Critères remplis"),
    "criteria", "commune", "higher_is_better", _commune_met_count, _REQ,
    definition="Criteria met by the commune (latest submission at or before P, set in force); "
               "communes with a submission only.",
    compute_grid=_commune_met_count_grid,
))


# ---- the set in force as a whole, and by commune group (phase indicators) --------------------------------


def _all_met_share(ctx) -> pd.DataFrame:
    met = int((ctx.met_counts >= len(ctx.criteria_list)).sum())
    return share_rows(ctx.province_code, met, len(ctx.communes))


def _all_met_share_grid(grid) -> pd.DataFrame:
    g, met = _grid_counts(grid)
    sizes = np.array([len(c) for c in grid.criteria_lists], dtype="float64")
    return grid_share_rows(grid.periods, grid.province_code, per_period(grid, g, met >= sizes[g]),
                           np.full(grid.n, len(grid.communes)))


def group_ids(prepared) -> list[int]:
    """The commune groups reported: those the criteria sets declare, once the office classifies communes."""
    groups = prepared.commune_groups
    if groups.isna().all():
        return []
    declared = {g for s in prepared.reference_data.sets for g in s.group_ids}
    return sorted(declared | set(groups.dropna().astype(int)))


def _group_rows(prepared, values_by_group, indicator: str, period=None) -> pd.DataFrame:
    ids = group_ids(prepared)
    rows = value_rows([prepared.province_code] * len(ids), [values_by_group.get(g, 0) for g in ids])
    rows = rows.assign(indicator=[f"{indicator}.{g}" for g in ids])
    return rows if period is None else rows.assign(period=period)


def _communes_group(ctx) -> pd.DataFrame:
    counts = ctx.prepared.commune_groups.dropna().astype(int).value_counts()
    return _group_rows(ctx.prepared, counts, "criteria.communes_group")


def _all_met_group(ctx) -> pd.DataFrame:
    done = ctx.met_counts[ctx.met_counts >= len(ctx.criteria_list)].index
    groups = ctx.prepared.commune_groups.reindex(done).dropna().astype(int).value_counts()
    return _group_rows(ctx.prepared, groups, "criteria.all_met_group")


def _communes_group_grid(grid) -> pd.DataFrame:
    counts = grid.prepared.commune_groups.dropna().astype(int).value_counts()
    parts = [_group_rows(grid.prepared, counts, "criteria.communes_group", p) for p in grid.periods]
    return pd.concat(parts, ignore_index=True) if parts else grid_value_rows([], [], [])


def _all_met_group_grid(grid) -> pd.DataFrame:
    counts = grid.met_counts
    sizes = np.array([len(c) for c in grid.criteria_lists], dtype="float64")
    done = counts[counts["met"].to_numpy() >= sizes[counts["_g"].to_numpy()]]
    groups = grid.prepared.commune_groups
    done = done.assign(group=done["unit_code"].map(groups)).dropna(subset=["group"])
    by_period = done.groupby(["_g", "group"]).size()
    parts = []
    for g, period in enumerate(grid.periods):
        present = g in by_period.index.get_level_values(0)
        values = by_period.xs(g, level="_g") if present else pd.Series(dtype=int)
        parts.append(_group_rows(grid.prepared, {int(k): int(v) for k, v in values.items()},
                                 "criteria.all_met_group", period))
    return pd.concat(parts, ignore_index=True) if parts else grid_value_rows([], [], [])


register(Indicator(
    "criteria.all_met_share", _lbl("Tỷ lệ xã đạt tất cả tiêu chí", "Share of communes meeting every criterion",
                                   "Part des communes remplissant tous les critères"),
    "percent", "province", "higher_is_better", _all_met_share, _REQ, numerator="criteria.all_met",
    denominator="nra.communes_in_scope",
    definition="criteria.all_met / communes in scope × 100 (a commune without a submission under the set in "
               "force does not meet it).",
    compute_grid=_all_met_share_grid,
))
register(Indicator(
    "criteria.all_met_group.<n>", _lbl("Số xã nhóm {n} đạt tất cả tiêu chí",
                                       "Group {n} communes meeting every criterion",
                                       "Communes du groupe {n} remplissant tous les critères"),
    "count", "province", "higher_is_better", _all_met_group, _REQ,
    definition="For commune group n (the office's reference/commune_groups; one row per group the criteria "
               "sets declare, none without that file): communes meeting every criterion of the set in force at P.",
    compute_grid=_all_met_group_grid,
))
register(Indicator(
    "criteria.communes_group.<n>", _lbl("Số xã nhóm {n}", "Group {n} communes", "Communes du groupe {n}"),
    "count", "province", "neutral", _communes_group,
    definition="Communes in scope classified in commune group n by the office's reference/commune_groups.",
    compute_grid=_communes_group_grid,
))

"""Criteria status at the end of a period (latest submission, same criteria set) and the criteria.* indicators."""

from __future__ import annotations

import pandas as pd

from nrd.indicators import timeline
from nrd.indicators.catalog import Indicator, register, share_rows, value_rows

STATUS_COLUMNS = ["unit_code", "criterion", "status", "value", "period", "stale"]
BELOW_THRESHOLD = 15  # the 2025 national target: no commune below 15 criteria


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


def _lbl(vi: str, en: str, fr: str) -> dict[str, str]:
    return {"vi": vi, "en": en, "fr": fr}


_REQ = ("criteria_status",)
register(Indicator(
    "criteria.avg_met", _lbl("Số tiêu chí đạt bình quân/xã", "Average criteria met per commune",
                             "Nombre moyen de critères remplis"),
    "criteria", "province", "higher_is_better", _avg_met, _REQ, numerator="criteria met (sum)",
    denominator="communes with a submission",
    definition="Mean, over communes with a submission at or before P under the set in force, of criteria met.",
))
register(Indicator(
    "criteria.all_met", _lbl("Số xã đạt tất cả tiêu chí", "Communes meeting every criterion",
                             "Communes remplissant tous les critères"),
    "count", "province", "higher_is_better", _all_met, _REQ,
    definition="Communes meeting every criterion of the set in force at P.",
))
register(Indicator(
    "criteria.below_15", _lbl("Số xã đạt dưới 15 tiêu chí", "Communes meeting fewer than 15 criteria",
                              "Communes remplissant moins de 15 critères"),
    "count", "province", "lower_is_better", _below, _REQ,
    definition="Communes with a submission meeting fewer than 15 criteria (2025 target: none).",
))
register(Indicator(
    "criteria.met_share.<n>", _lbl("Tỷ lệ xã đạt tiêu chí {n}", "Share of communes meeting criterion {n}",
                                   "Part des communes remplissant le critère {n}"),
    "percent", "province", "higher_is_better", _met_share, _REQ, numerator="communes meeting n",
    denominator="communes with a submission",
    definition="Communes meeting criterion n (met only) / communes with a submission × 100; one per criterion.",
))
register(Indicator(
    "criteria.dept_met_share.<n>", _lbl("Tỷ lệ đạt các tiêu chí do {n} phụ trách",
                                        "Criteria met, led by department {n}",
                                        "Critères remplis, pilotés par {n}"),
    "percent", "department", "higher_is_better", _dept_met_share, _REQ,
    numerator="(commune, criterion) pairs met", denominator="communes with a submission × criteria led",
    definition="Over communes with a submission, share of (commune, criterion led by the department) pairs met.",
))
register(Indicator(
    "criteria.reporting_completeness", _lbl("Tỷ lệ xã nộp báo cáo kỳ này", "Reporting completeness",
                                            "Complétude des rapports"),
    "percent", "province", "higher_is_better", _completeness, _REQ, numerator="communes that submitted for P",
    denominator="nra.communes_in_scope",
    definition="Communes in scope with a criterion row for exactly P / communes in scope × 100.",
))
register(Indicator(
    "criteria.met_count", _lbl("Số tiêu chí đạt", "Criteria met", "Critères remplis"),
    "criteria", "commune", "higher_is_better", _commune_met_count, _REQ,
    definition="Criteria met by the commune (latest submission at or before P, set in force); "
               "communes with a submission only.",
))

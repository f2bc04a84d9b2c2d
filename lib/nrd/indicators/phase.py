"""Views of the programme phases: a commune's result in each phase, the indicators and thresholds of the set
in force, results by commune group, and the phases a run of periods crosses.

A phase is a criteria set (``qd318_2022`` 2021-2025, the next from its in-force date): read from the
reference data, never from a date in code. Pure: ``(ds, period, ...)`` in, a new frame out.
"""

from __future__ import annotations

import pandas as pd

from nrd import periods
from nrd.contract import LEVEL_RANK
from nrd.indicators.context import PeriodContext, prepare
from nrd.indicators.unit_rows import unit_rows

COMPARISON_COLUMNS = ["phase", "criteria_set", "as_of", "tier", "level", "met", "total", "submission_period"]
THRESHOLD_VIEW_COLUMNS = ["criterion", "indicator", "name_vi", "name_en", "name_fr", "unit", "threshold",
                          "threshold_group1", "threshold_group2", "threshold_group3", "tag", "source",
                          "department", "status", "value", "submission_period"]


def set_changes(period_list) -> list[tuple[str, str, str]]:
    """The changes of criteria set inside a run of periods: ``(first period of the new set, old set id,
    new set id)`` for each, in time order; empty when every period is under one set."""
    from nrd.indicators.timeline import criteria_set_id_for
    from nrd.reference import get_criteria_set

    ordered = sorted({periods.parse_period(p) for p in period_list})
    ids = [criteria_set_id_for(p) for p in ordered]
    return [(get_criteria_set(b).applies_from_period, a, b) for a, b in zip(ids, ids[1:]) if a != b]


def _phase_row(ctx: PeriodContext, unit_code: str, criteria_set, as_of: str, key: str) -> dict:
    from nrd.indicators.criteria import criteria_status_at
    from nrd.indicators.nra import _in_force

    rec = ctx.prepared.get("recognitions")
    tier, level = "", 0
    if rec is not None and not rec.empty:
        held = _in_force(rec[rec["unit_code"] == unit_code], periods.period_end(as_of))
        level = int(held["level"].map(LEVEL_RANK).fillna(0).max()) if len(held) else 0
        mine = held[held["phase"] == criteria_set.id]
        ranked = [t for t in criteria_set.tiers if t in set(mine["level"])]
        tier = ranked[-1] if ranked else ""
    criteria = criteria_set.criterion_ids
    rows = ctx.prepared.get("criteria_status")
    if rows is not None:  # the unit's own rows (same rows, same order): not a scan of every unit's
        from nrd.indicators.unit_rows import unit_rows

        rows = unit_rows(rows, unit_code)
    status = criteria_status_at(rows, pd.Index([unit_code]), as_of, criteria_set.id, criteria)
    submitted = status["period"].max() if len(status) else None
    return {"phase": key, "criteria_set": criteria_set.id, "as_of": as_of, "tier": tier, "level": level,
            "met": int((status["status"] == "met").sum()) if len(status) else None, "total": len(criteria),
            "submission_period": submitted}


def phase_comparison(ds, period: str, unit_code: str) -> pd.DataFrame:
    """A commune's result in the phase of P (at P) and in the phase before it (at that phase's last month).

    Returns one row per phase, previous first (none in the first phase): ``phase`` (``previous`` /
    ``current``), ``criteria_set``, ``as_of``, ``tier`` (the highest recognition of that phase: ``nra``,
    ``advanced``, ``model``, ``modern``; "" none), ``level`` (``nra.level`` at ``as_of``), ``met``,
    ``total`` (criteria met of the set; ``met`` NA without a submission), ``submission_period``.
    """
    ctx = prepare(ds).context(period)
    current = ctx.criteria_set
    previous = ctx.prepared.reference_data.previous_set(current.id)
    rows = []
    if previous is not None:
        rows.append(_phase_row(ctx, unit_code, previous, previous.applies_to_period, "previous"))
    rows.append(_phase_row(ctx, unit_code, current, ctx.period, "current"))
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


def indicator_thresholds(ds, period: str, *, unit_code: str | None = None,
                         department: str | None = None) -> pd.DataFrame:
    """The indicators of the set in force at P with their thresholds (office rows included).

    Args:
        unit_code: a commune: adds its latest indicator-level ``status``/``value``/``submission_period``
            under the set, and ``threshold`` becomes the threshold of its commune group (when the set has
            groups and the office classifies it).
        department: only the indicators of criteria it leads, and those assigned to it by the office.

    Returns:
        ``THRESHOLD_VIEW_COLUMNS``, in the set's order.
    """
    ctx = prepare(ds).context(period)
    indicators = ctx.criteria_set.indicators
    if department is not None:
        criteria = ctx.criteria_set.criteria
        led = set(criteria.loc[criteria["department"] == department, "criterion"])
        indicators = indicators[indicators["criterion"].isin(led) | (indicators["department"] == department)]
    out = indicators.assign(status=pd.NA, value=float("nan"), submission_period=pd.NA)
    if unit_code is not None:
        group = ctx.prepared.commune_groups.get(unit_code, pd.NA)
        if ctx.criteria_set.group_ids and not pd.isna(group):
            out = out.assign(threshold=out[f"threshold_group{int(group)}"])
        rows = ds.table("criteria_status") if ds.has("criteria_status") else None
        if rows is not None:
            own = unit_rows(rows, unit_code)
            mine = own[own["indicator"].notna() & (own["period"] <= ctx.period)]
            mine = mine[mine["criteria_set"] == ctx.criteria_set.id].sort_values("period", kind="stable")
            latest = mine.drop_duplicates("indicator", keep="last").set_index("indicator")
            out = out.assign(status=out["indicator"].map(latest["status"]),
                             value=out["indicator"].map(latest["value"]),
                             submission_period=out["indicator"].map(latest["period"]))
    return out[THRESHOLD_VIEW_COLUMNS].reset_index(drop=True)


def group_results(table: pd.DataFrame, period: str, province_code: str) -> pd.DataFrame:
    """Per commune group: communes in it and those meeting every criterion of the set in force, from the
    indicator table (``criteria.communes_group.<g>``, ``criteria.all_met_group.<g>``).

    Returns ``group`` (int), ``communes``, ``all_met``; empty without the office's classification.
    """
    rows = table[(table["period"] == periods.parse_period(period)) & (table["unit_code"] == str(province_code))]
    values = rows.set_index("indicator")["value"]
    groups = sorted(int(i.rsplit(".", 1)[1]) for i in values.index if i.startswith("criteria.communes_group."))
    return pd.DataFrame({
        "group": groups,
        "communes": [values.get(f"criteria.communes_group.{g}") for g in groups],
        "all_met": [values.get(f"criteria.all_met_group.{g}") for g in groups],
    }, columns=["group", "communes", "all_met"])

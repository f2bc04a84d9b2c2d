"""Indicators of the office's working pipelines: works and projects, appraisal dossiers, inspections, the
OCOP council cycle (data contract, "Pipelines"). Every rule is computed for a whole grid of periods at once
(``GridContext``); the per-period function is the same computation on a one-period grid.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nrd.contract import DOSSIER_CLOSED, PROJECT_DONE
from nrd.indicators.catalog import Indicator, register
from nrd.indicators.grid import (
    GridContext,
    cover,
    grid_share_rows,
    grid_value_rows,
    per_period,
    province_value_rows,
)


def thresholds() -> dict:
    """``stalled_months`` and ``dossier_open_days`` from ``reference/data/pipelines.yaml``."""
    from nrd.reference._files import read_yaml

    content = read_yaml("pipelines.yaml")
    return {"stalled_months": int(content["stalled_months"]), "dossier_open_days": int(content["dossier_open_days"])}


def _years_stop(grid: GridContext, years) -> np.ndarray:
    """First grid index whose year is after each given year."""
    return np.searchsorted(grid.years, np.asarray(years, dtype="int64"), side="right").astype("int64")


def _years_start(grid: GridContext, years) -> np.ndarray:
    return np.searchsorted(grid.years, np.asarray(years, dtype="int64"), side="left").astype("int64")


def project_states(grid: GridContext) -> pd.DataFrame:
    """Each project's latest progress row ≤ P, for every grid period (``_g``), with its project columns."""
    def compute():
        progress, projects = grid.prepared.get("project_progress"), grid.prepared.get("projects")
        states = grid.latest_cover(progress, ["project_id"])
        cols = ["project_id", "project_name", "unit_code", "criterion", "category", "total_investment_mvnd",
                "start_date", "planned_end"]
        states = states.merge(projects[cols].drop_duplicates("project_id"), on="project_id", how="left")
        done = states["status"].isin(PROJECT_DONE).to_numpy()
        ends = grid.ends.to_numpy()[states["_g"].to_numpy()]
        late = states["planned_end"].dt.as_unit("ns").to_numpy() < ends
        return states.assign(done=done, overdue=~done & late)
    return grid.memo("project_states", compute)


def dossier_states(grid: GridContext) -> pd.DataFrame:
    """Each dossier's latest stage row with stage_date ≤ end of P, for every grid period."""
    def compute():
        rows = grid.prepared.get("appraisals")
        rows = rows[rows["stage_date"].notna()].sort_values(["dossier_id", "stage_date"], kind="stable")
        rows = rows.assign(month=rows["stage_date"].dt.strftime("%Y-%m"))
        states = grid.latest_cover(rows, ["dossier_id"], period_column="month")
        g = states["_g"].to_numpy()
        closed = states["stage"].isin(DOSSIER_CLOSED).to_numpy()
        limit = grid.ends.to_numpy()[g] - np.timedelta64(thresholds()["dossier_open_days"], "D")
        return states.assign(open=~closed, open_long=~closed & (states["submitted_on"].to_numpy() < limit))
    return grid.memo("dossier_states", compute)


def _unit_sums(grid, g, unit_codes, values, communes_only: bool = False) -> tuple[pd.MultiIndex, np.ndarray]:
    """``values`` summed per (grid period, unit) over every unit of the province, or (``communes_only``) over
    its communes (0 where none); rows without a unit (a project of several communes or of the province)
    count for the province only."""
    codes = pd.Series(unit_codes, dtype="string").reset_index(drop=True)
    keep = codes.notna().to_numpy()
    series = pd.Series(np.asarray(values, dtype="float64")[keep],
                       index=pd.MultiIndex.from_arrays([np.asarray(g, dtype="int64")[keep],
                                                        codes[keep].astype(str).to_numpy()]))
    units = grid.communes if communes_only else grid.prepared.units["unit_code"]
    index = pd.MultiIndex.from_product([range(grid.n), pd.Index(units).astype(str)], names=["_g", "unit_code"])
    return index, series.groupby(level=[0, 1]).sum().reindex(index, fill_value=0.0).to_numpy()


def _unit_count_rows(grid, frame, mask, communes_only: bool = False) -> pd.DataFrame:
    index, counts = _unit_sums(grid, frame["_g"].to_numpy(), frame["unit_code"], np.asarray(mask, dtype="float64"),
                               communes_only)
    return grid_value_rows(grid.periods[index.get_level_values(0).to_numpy()], index.get_level_values(1), counts)


def _count(grid, frame, mask) -> np.ndarray:
    return per_period(grid, frame["_g"].to_numpy(), np.asarray(mask, dtype="float64"))


def _counted(states_of, flag: str | None = None, *, per_unit: bool = False, communes_only: bool = False):
    """The grid function counting the rows of ``states_of(grid)`` (those whose ``flag`` is true): one
    province row per period, or (``per_unit``) one row per unit (``communes_only``: per commune) and period."""
    def compute(grid):
        states = states_of(grid)
        mask = np.ones(len(states)) if flag is None else states[flag].to_numpy()
        if per_unit:
            return _unit_count_rows(grid, states, mask, communes_only)
        return province_value_rows(grid, _count(grid, states, mask))
    return compute


def _projects_disbursed_share(grid):
    states = project_states(grid)
    g = states["_g"].to_numpy()
    paid = per_period(grid, g, states["disbursed_mvnd"].fillna(0).to_numpy())
    total = per_period(grid, g, states["total_investment_mvnd"].fillna(0).to_numpy())
    return grid_share_rows(grid.periods, grid.province_code, paid, total)


def _projects_disbursed_share_units(grid):
    states = project_states(grid)
    g = states["_g"].to_numpy()
    index, paid = _unit_sums(grid, g, states["unit_code"], states["disbursed_mvnd"].fillna(0).to_numpy())
    _, total = _unit_sums(grid, g, states["unit_code"], states["total_investment_mvnd"].fillna(0).to_numpy())
    return grid_share_rows(grid.periods[index.get_level_values(0).to_numpy()], index.get_level_values(1), paid, total)


def _appraisal_approved_year(grid):
    states = dossier_states(grid)
    this_year = states["stage_date"].dt.year.to_numpy() == grid.years[states["_g"].to_numpy()]
    return province_value_rows(grid, _count(grid, states, (states["stage"] == "approved").to_numpy() & this_year))


def _visits_in_year(grid) -> pd.DataFrame:
    """Inspection rows repeated over the grid periods of their year from their visit on (``_g``)."""
    def compute():
        rows = grid.prepared.get("inspections")
        rows = rows[rows["visit_date"].notna()].reset_index(drop=True)
        start = grid.date_index(rows["visit_date"])
        start = np.maximum(start, _years_start(grid, rows["visit_date"].dt.year))
        idx, g = cover(start, _years_stop(grid, rows["visit_date"].dt.year))
        return rows.iloc[idx].assign(_g=g).reset_index(drop=True)
    return grid.memo("inspection_visits", compute)


def _distinct(column):
    def compute(g):
        rows = _visits_in_year(g)
        return province_value_rows(g, per_period(g, rows["_g"].to_numpy(), rows[column].to_numpy(), how="nunique"))
    return compute


def _open_actions(grid, overdue: bool) -> np.ndarray:
    _, g = _open_action_cover(grid, overdue)
    return per_period(grid, g, np.ones(len(g)))


def _open_actions_units(overdue: bool):
    def compute(grid):
        rows, g = _open_action_cover(grid, overdue)
        index, counts = _unit_sums(grid, g, rows["unit_code"].to_numpy(), np.ones(len(g)))
        return grid_value_rows(grid.periods[index.get_level_values(0).to_numpy()], index.get_level_values(1),
                               counts)
    return compute


def _open_action_cover(grid, overdue: bool) -> tuple[pd.DataFrame, np.ndarray]:
    """The inspection rows open at each grid period (repeated per period) and their grid indexes."""
    rows = grid.prepared.get("inspections")
    rows = rows[rows["action_due"].notna() & rows["visit_date"].notna()]
    start = grid.date_index(rows["visit_date"])
    if overdue:  # action_due < end of P: from the first period whose end is after the due date
        due = rows["action_due"].dt.as_unit("ns").to_numpy()
        start = np.maximum(start, np.searchsorted(grid.ends.to_numpy(), due, side="right"))
    stop = grid.date_index(rows["resolved_on"])  # resolved on or before the end of P: closed from there
    idx, g = cover(start, stop)
    return rows.iloc[idx].reset_index(drop=True), g


def _five_star_candidates(grid):
    regs = grid.prepared.get("ocop_registrations")
    regs = regs[(regs["proposed_stars"] == 5).fillna(False) & (regs["stage"] != "evaluated")
                & regs["registered_on"].notna() & regs["cycle"].notna()]
    cycle = regs["cycle"].astype("int64").to_numpy()
    start = np.maximum(grid.date_index(regs["registered_on"]), _years_start(grid, cycle))
    _, g = cover(start, _years_stop(grid, cycle))
    return province_value_rows(grid, per_period(grid, g, np.ones(len(g))))


def _per_period(grid_function):
    """The per-period compute: the grid function on a one-period grid."""
    def compute(ctx):
        rows = grid_function(GridContext(ctx.prepared, [ctx.period]))
        return rows.drop(columns=["period"]).reset_index(drop=True)
    return compute


def _lbl(vi: str, en: str, fr: str) -> dict[str, str]:
    return {"vi": vi, "en": en, "fr": fr}


def _declare(id_, label, unit, direction, grid_function, requires, definition, units=None, **shares):
    """A province indicator; ``units``: the grid function of its commune rows (same id), when it has some."""
    commune = {} if units is None else {"compute_commune": _per_period(units), "compute_commune_grid": units}
    register(Indicator(id_, label, unit, "province", direction, _per_period(grid_function), requires,
                       definition=definition, compute_grid=grid_function, **commune, **shares))


_PJ = ("projects", "project_progress")
_AP = ("appraisals",)
_IN = ("inspections",)
_declare("projects.total", _lbl("Số công trình, dự án", "Works and projects", "Ouvrages et projets"),
         "count", "neutral", _counted(project_states), _PJ,
         "Projects with a progress row at or before P; per unit by the "
         "project's unit_code (projects of several communes or of the province count for the province only).",
         units=_counted(project_states, per_unit=True))
_declare("projects.completed", _lbl("Công trình đã hoàn thành", "Projects completed", "Projets achevés"),
         "count", "higher_is_better", _counted(project_states, "done"), _PJ,
         "Of projects.total, latest status completed or handed_over.",
         units=_counted(project_states, "done", per_unit=True))
_declare("projects.overdue", _lbl("Công trình chậm tiến độ", "Projects overdue", "Projets en retard"),
         "count", "lower_is_better", _counted(project_states, "overdue"), _PJ,
         "Of projects.total, not completed/handed_over and planned_end before the end of P.",
         units=_counted(project_states, "overdue", per_unit=True))
_declare("projects.disbursed_share", _lbl("Tỷ lệ giải ngân công trình", "Project disbursement rate",
                                          "Taux de décaissement des projets"),
         "percent", "higher_is_better", _projects_disbursed_share, _PJ,
         "Σ latest disbursed_mvnd / Σ total_investment_mvnd × 100 over projects.total.",
         numerator="disbursed_mvnd", denominator="total_investment_mvnd", units=_projects_disbursed_share_units)
_declare("appraisal.open", _lbl("Hồ sơ đang xét", "Dossiers open", "Dossiers en cours"),
         "count", "neutral", _counted(dossier_states, "open"), _AP,
         "Dossiers with a row at or before the end of P whose stage at P is not approved or rejected; per "
         "commune (dossiers concern communes, wards have none).",
         units=_counted(dossier_states, "open", per_unit=True, communes_only=True))
_declare("appraisal.approved_year", _lbl("Hồ sơ được công nhận trong năm", "Dossiers approved this year",
                                         "Dossiers approuvés dans l'année"),
         "count", "higher_is_better", _appraisal_approved_year, _AP,
         "Dossiers whose stage at P is approved with stage_date in the year of P.")
_declare("appraisal.open_over_60d", _lbl("Hồ sơ quá 60 ngày chưa xong", "Dossiers open over 60 days",
                                         "Dossiers ouverts depuis plus de 60 jours"),
         "count", "lower_is_better", _counted(dossier_states, "open_long"), _AP,
         "Open dossiers submitted more than 60 days before the end of P (threshold in pipelines.yaml); per "
         "commune.",
         units=_counted(dossier_states, "open_long", per_unit=True, communes_only=True))
_declare("inspections.visits_year", _lbl("Đợt kiểm tra trong năm", "Inspection rounds this year",
                                         "Missions d'inspection de l'année"),
         "count", "neutral", _distinct("inspection_id"), _IN,
         "Distinct inspection_id with visit_date in the year of P and at or before the end of P.")
_declare("inspections.units_visited_year", _lbl("Đơn vị được kiểm tra trong năm", "Units visited this year",
                                                "Unités visitées dans l'année"),
         "count", "neutral", _distinct("unit_code"), _IN, "Distinct unit_code of those visits.")
_declare("inspections.actions_open", _lbl("Tồn tại chưa khắc phục", "Inspection actions open",
                                          "Actions correctives en cours"),
         "count", "lower_is_better", lambda g: province_value_rows(g, _open_actions(g, False)), _IN,
         "Rows with action_due set, visit_date ≤ end of P and resolved_on blank or after the end of P.",
         units=_open_actions_units(False))
_declare("inspections.actions_overdue", _lbl("Tồn tại quá hạn khắc phục", "Inspection actions overdue",
                                             "Actions correctives en retard"),
         "count", "lower_is_better", lambda g: province_value_rows(g, _open_actions(g, True)), _IN,
         "Of the open actions, action_due before the end of P.", units=_open_actions_units(True))
_declare("ocop.five_star_candidates", _lbl("Ứng viên 5 sao chờ đánh giá", "5-star candidates awaiting evaluation",
                                           "Candidats 5 étoiles en attente d'évaluation"),
         "count", "higher_is_better", _five_star_candidates, ("ocop_registrations",),
         "Registrations of the cycle of P with proposed_stars = 5, registered_on ≤ end of P, stage not evaluated.")

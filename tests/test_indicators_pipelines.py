"""Pipeline indicators and watch lists on small fixtures: every count checked by hand, the vectorised grid
equal to the per-period computation, thresholds from pipelines.yaml."""

from __future__ import annotations

import pandas as pd
from test_indicators_fixtures import C1, C2, C3, dataset, value

from nrd.indicators import build_indicator_table, compute_indicators
from nrd.indicators.pipeline_watch import (
    dossiers_open_long, five_star_candidates, open_actions, overdue_projects, pipeline_watch_lists, stalled_projects,
)
from nrd.indicators.pipelines import thresholds
from nrd.indicators.table import reference_indicator_table


def project(pid, unit, total, planned_end, category="transport"):
    return dict(project_id=pid, project_name=f"Công trình {pid}", unit_code=unit, category=category,
                investor="UBND xã", source="central_investment", total_investment_mvnd=total,
                start_date="2024-01-10", planned_end=planned_end)


PROJECTS = [project("A", C1, 1000, "2025-12-31"), project("B", C2, 2000, "2025-06-30"),
            project("C", C3, 500, "2025-03-31"), project("D", None, 800, "2026-12-31")]
PROGRESS = [
    dict(period="2025-05", project_id="A", physical_pct=30, disbursed_mvnd=200, status="in_progress"),
    dict(period="2025-09", project_id="A", physical_pct=60, disbursed_mvnd=500, status="in_progress"),
    dict(period="2025-04", project_id="B", physical_pct=40, disbursed_mvnd=700, status="in_progress"),
    dict(period="2025-05", project_id="B", physical_pct=50, disbursed_mvnd=900, status="in_progress"),
    dict(period="2025-09", project_id="B", physical_pct=50, disbursed_mvnd=900, status="suspended",
         obstacle="Vướng giải phóng mặt bằng"),  # overdue since 2025-06-30, no progress since 2025-05
    dict(period="2025-03", project_id="C", physical_pct=100, disbursed_mvnd=500, status="completed"),
    dict(period="2025-10", project_id="D", physical_pct=5, disbursed_mvnd=50, status="in_progress"),  # after P
]
APPRAISALS = [
    dict(dossier_id="H1", unit_code=C1, level="advanced", submitted_on="2025-05-01", stage="submitted",
         stage_date="2025-05-01"),
    dict(dossier_id="H1", unit_code=C1, level="advanced", submitted_on="2025-05-01", stage="council",
         stage_date="2025-09-10", council_date="2025-10-20"),  # open, 152 days at end of 2025-09
    dict(dossier_id="H2", unit_code=C2, level="nra", submitted_on="2025-01-05", stage="submitted",
         stage_date="2025-01-05"),
    dict(dossier_id="H2", unit_code=C2, level="nra", submitted_on="2025-01-05", stage="approved",
         stage_date="2025-03-01", decision_no="1/QĐ"),
    dict(dossier_id="H3", unit_code=C3, level="nra", submitted_on="2025-09-01", stage="reviewing",
         stage_date="2025-09-15"),  # open, 29 days
    dict(dossier_id="H4", unit_code=C3, level="model", submitted_on="2024-02-01", stage="rejected",
         stage_date="2024-06-01"),
]
INSPECTIONS = [
    dict(inspection_id="K1", unit_code=C1, visit_date="2025-03-10", kind="inspection", lead="vpdp",
         finding="Rác thải", action_due="2025-06-30", resolved_on="2025-06-20"),
    dict(inspection_id="K1", unit_code=C2, visit_date="2025-03-11", kind="inspection", lead="vpdp",
         finding="Hồ sơ", action_due="2025-08-31"),  # overdue at 2025-09
    dict(inspection_id="K2", unit_code=C2, visit_date="2025-09-05", kind="field_survey", lead="so_xd",
         finding="Đường xuống cấp", action_due="2025-12-31"),  # open, not overdue
    dict(inspection_id="K3", unit_code=C3, visit_date="2024-11-05", kind="inspection", lead="vpdp",
         finding="Nước sạch", action_due="2025-01-31", resolved_on="2025-10-15"),  # overdue at 2025-09
    dict(inspection_id="K4", unit_code=C1, visit_date="2025-10-02", kind="inspection", lead="vpdp"),  # after P
]
REGISTRATIONS = [
    dict(registration_id="R1", product_name="A", entity_id="E1", unit_code=C1, cycle=2025,
         registered_on="2025-07-05", stage="submitted", proposed_stars=5, council_date="2025-12-05"),
    dict(registration_id="R2", product_name="B", entity_id="E1", unit_code=C1, cycle=2025,
         registered_on="2025-07-06", stage="evaluated", proposed_stars=5, result_stars=4),
    dict(registration_id="R3", product_name="C", entity_id="E1", unit_code=C1, cycle=2025,
         registered_on="2025-10-06", stage="registered", proposed_stars=5),  # after P
    dict(registration_id="R4", product_name="D", entity_id="E1", unit_code=C1, cycle=2024,
         registered_on="2024-07-06", stage="submitted", proposed_stars=5),  # another cycle
]


def _ds():
    return dataset(projects=PROJECTS, project_progress=PROGRESS, appraisals=APPRAISALS, inspections=INSPECTIONS,
                   ocop_registrations=REGISTRATIONS)


def test_pipeline_indicators_at_2025_09():
    table = compute_indicators(_ds(), "2025-09")
    assert value(table, "projects.total") == 3  # D has no progress row by 2025-09
    assert value(table, "projects.completed") == 1
    assert value(table, "projects.overdue") == 1  # B; A's planned end is later, C is completed
    rows = table[table["indicator"] == "projects.disbursed_share"]
    assert (rows["numerator"].iloc[0], rows["denominator"].iloc[0]) == (1900, 3500)
    assert value(table, "appraisal.open") == 2
    assert value(table, "appraisal.approved_year") == 1
    assert value(table, "appraisal.open_over_60d") == 1
    assert value(table, "inspections.visits_year") == 2  # K1 and K2 (K3 was in 2024, K4 after P)
    assert value(table, "inspections.units_visited_year") == 2  # C1, C2
    assert value(table, "inspections.actions_open") == 3  # K1/C2, K2, K3 (resolved after P)
    assert value(table, "inspections.actions_overdue") == 2
    assert value(table, "ocop.five_star_candidates") == 1


def test_counts_move_with_the_period():
    table = build_indicator_table(_ds(), ["2025-04", "2025-10", "2026-01"])
    province = table[table["unit_code"] == _ds().province_code]
    by = province.set_index(["indicator", "period"])["value"]
    assert by[("projects.total", "2025-04")] == 2 and by[("projects.total", "2025-10")] == 4
    assert by[("appraisal.open", "2025-04")] == 0 and by[("appraisal.approved_year", "2026-01")] == 0
    assert by[("inspections.actions_open", "2025-10")] == 2  # K3 resolved on 2025-10-15
    assert by[("inspections.visits_year", "2026-01")] == 0
    assert by[("ocop.five_star_candidates", "2025-10")] == 2


def test_grid_equals_the_per_period_reference():
    wanted = ["2024-12", "2025-03", "2025-06", "2025-09", "2025-12"]
    fast = build_indicator_table(_ds(), wanted)
    pd.testing.assert_frame_equal(fast, reference_indicator_table(_ds(), wanted), check_exact=True)


def test_watch_lists():
    ds = _ds()
    assert overdue_projects(ds, "2025-09")["project_id"].tolist() == ["B"]
    assert overdue_projects(ds, "2025-09")["days_late"].tolist() == [92]
    stalled = stalled_projects(ds, "2025-09")
    assert stalled["project_id"].tolist() == ["B"] and stalled["obstacle"].tolist() == ["Vướng giải phóng mặt bằng"]
    assert stalled_projects(ds, "2025-07")["project_id"].tolist() == []  # 2 months without progress only
    assert dossiers_open_long(ds, "2025-09")[["dossier_id", "days_open"]].values.tolist() == [["H1", 152]]
    assert open_actions(ds, "2025-09", overdue_only=True)["unit_code"].tolist() == [C3, C2]
    assert five_star_candidates(ds, "2025-09")["registration_id"].tolist() == ["R1"]
    assert set(pipeline_watch_lists(ds, "2025-09")) == {
        "overdue_projects", "stalled_projects", "dossiers_open_long", "overdue_actions", "five_star_candidates"}
    assert thresholds() == {"stalled_months": 3, "dossier_open_days": 60}


def test_absent_tables_leave_the_indicators_out():
    table = compute_indicators(dataset(ocop_registrations=REGISTRATIONS), "2025-09")
    assert not table["indicator"].str.startswith(("projects.", "appraisal.", "inspections.")).any()
    assert overdue_projects(dataset(ocop_registrations=REGISTRATIONS), "2025-09").empty


def test_commune_rows_share_out_the_province_counts():
    ds = _ds()
    table = build_indicator_table(ds, ["2025-09", "2025-10"])
    communes_only = {"appraisal.open", "appraisal.open_over_60d"}  # dossiers concern communes: no ward rows
    n_communes = int((ds.units["unit_type"] == "commune").sum())
    for indicator in ("projects.overdue", "appraisal.open", "appraisal.open_over_60d", "inspections.actions_open",
                      "inspections.actions_overdue"):
        rows = table[(table["indicator"] == indicator) & (table["period"] == "2025-10")]
        communes = rows[rows["unit_code"] != ds.province_code]
        # every unit (every commune for dossiers), 0 where it has none
        assert len(communes) == (n_communes if indicator in communes_only else len(ds.units)), indicator
        assert communes["value"].sum() == rows.loc[rows["unit_code"] == ds.province_code, "value"].item(), indicator
    dossiers = table[table["indicator"].isin(communes_only)]
    assert not dossiers["unit_code"].isin(ds.units.loc[ds.units["unit_type"] == "ward", "unit_code"]).any()
    actions = table[(table["indicator"] == "inspections.actions_open") & (table["period"] == "2025-10")]
    expected = open_actions(ds, "2025-10")["unit_code"].value_counts()
    got = actions.set_index("unit_code")["value"]
    assert all(got[unit] == n for unit, n in expected.items()) and expected.sum() > 0
    share = table[(table["indicator"] == "projects.disbursed_share") & (table["unit_code"] != ds.province_code)]
    assert ((share["value"] - share["numerator"] / share["denominator"] * 100).abs().fillna(0) < 1e-9).all()
    assert share["denominator"].gt(0).sum() >= 2  # the communes with a project carry a share

"""The pipeline tables (projects, project_progress, appraisals, inspections, the OCOP council columns):
read from real CSV/XLSX files with Vietnamese headers, and each bad input gives a finding naming file, row
and column."""

from __future__ import annotations

import pandas as pd
import pytest

from _io_helpers import COMMUNE, COMMUNE_2, TODAY, WARD, write_csv, write_valid_dataset, write_xlsx
from nrd.contract import TABLES
from nrd.io import read_dataset
from nrd.io.defaults import apply_defaults
from nrd.io.pipelines import check_appraisals, check_pipeline_criteria
from nrd.reference import load_units

PROJECTS = ["project_id", "project_name", "unit_code", "criterion", "category", "investor", "source",
            "total_investment_mvnd", "start_date", "planned_end"]
PROGRESS = ["period", "project_id", "physical_pct", "disbursed_mvnd", "status", "obstacle"]
APPRAISALS = ["dossier_id", "unit_code", "level", "submitted_on", "stage", "stage_date", "council_date",
              "decision_no"]
INSPECTIONS = ["inspection_id", "unit_code", "visit_date", "kind", "lead", "criterion", "finding",
               "action_due", "resolved_on"]


def pipeline_tables(**overrides):
    tables = {
        "projects": (PROJECTS, [
            ["DA1", "Đường trục xã", COMMUNE, "2", "transport", "UBND xã", "central_investment", "5000",
             "2024-03-01", "2026-06-30"],  # planned end after today: a plan, not an error
            ["DA2", "Trường mầm non", COMMUNE_2, "5", "school", "UBND xã", "local_budget", "3000", "", "2025-06-30"],
        ]),
        "project_progress": (PROGRESS, [
            ["2025-08", "DA1", "40", "1500", "in_progress", ""],
            ["2025-09", "DA1", "55", "2200", "in_progress", "Giải phóng mặt bằng"],
            ["2025-09", "DA2", "80", "2500", "in_progress", ""],
        ]),
        "appraisals": (APPRAISALS, [
            ["HS1", COMMUNE, "advanced", "2024-04-01", "submitted", "2024-04-01", "", ""],
            ["HS1", COMMUNE, "advanced", "2024-04-01", "approved", "2024-06-01", "2024-05-20", "11/QĐ"],
            ["HS2", COMMUNE_2, "nra", "2025-08-01", "reviewing", "2025-08-20", "2025-12-05", ""],
        ]),
        "inspections": (INSPECTIONS, [
            ["KT1", COMMUNE, "2025-07-10", "inspection", "vpdp", "17", "Rác thải chưa thu gom", "2025-11-30", ""],
            ["KT2", COMMUNE_2, "2025-08-12", "field_survey", "vpdp", "", "", "", ""],
        ]),
    }
    tables.update(overrides)
    return tables


def _read(folder):
    return read_dataset(folder, today=TODAY, use_cache=False)


def _only(ds, rule):
    found = [f for f in ds.findings if f.rule == rule]
    assert len(found) == 1, ds.findings
    return found[0]


def test_valid_pipelines_have_no_findings_and_planned_dates_may_be_future(tmp_path):
    ds = _read(write_valid_dataset(tmp_path, **pipeline_tables()))
    assert ds.findings == []
    assert ds.table("projects")["planned_end"].max().year == 2026
    assert ds.table("appraisals")["stage"].tolist() == ["submitted", "approved", "reviewing"]
    future_ok = {(t.name, c.name) for t in TABLES.values() for c in t.columns if c.future_ok}
    assert future_ok >= {("projects", "planned_end"), ("appraisals", "council_date"),
                         ("inspections", "action_due"), ("ocop_registrations", "council_date")}
    assert ("inspections", "visit_date") not in future_ok


def test_vietnamese_headers_and_words_in_xlsx(tmp_path):
    write_valid_dataset(tmp_path, **{**pipeline_tables(), "projects": None})
    header = [TABLES["projects"].column(c).label_vi for c in PROJECTS]
    write_xlsx(tmp_path / "projects.xlsx", {"projects": (header, [
        ["DA1", "Đường trục xã", "Xã Bình Lục", "2", "giao thông", "UBND xã", "NSTW đầu tư phát triển",
         "5.000,5", "01/03/2024", "30/06/2026"],
        ["DA2", "Trường", COMMUNE_2, "", "trường học", "UBND xã", "ngân sách địa phương", "3000", "", "30/06/2025"],
    ])})
    ds = _read(tmp_path)
    assert ds.findings == []
    projects = ds.table("projects")
    assert projects["unit_code"].tolist() == [COMMUNE, COMMUNE_2]
    assert projects["category"].tolist() == ["transport", "school"]
    assert projects["total_investment_mvnd"].tolist() == [5000.5, 3000.0]


def test_progress_of_unknown_project(tmp_path):
    rows = pipeline_tables()["project_progress"][1] + [["2025-09", "DA9", "10", "0", "in_progress", ""]]
    f = _only(_read(write_valid_dataset(tmp_path, **pipeline_tables(project_progress=(PROGRESS, rows)))),
              "unknown_project")
    assert (f.severity, f.file, f.row, f.column, f.value) == ("error", "project_progress.csv", 5, "project_id", "DA9")


def test_physical_percent_outside_0_100(tmp_path):
    rows = pipeline_tables()["project_progress"][1] + [["2025-10", "DA2", "120", "2600", "in_progress", ""]]
    ds = _read(write_valid_dataset(tmp_path, **pipeline_tables(project_progress=(PROGRESS, rows))))
    bad = [f for f in ds.findings if f.column == "physical_pct"]
    assert [(f.severity, f.file, f.row) for f in bad] == [("error", "project_progress.csv", 5)]


def test_physical_percent_decreasing(tmp_path):
    rows = pipeline_tables()["project_progress"][1] + [["2025-10", "DA1", "50", "2300", "in_progress", ""]]
    f = _only(_read(write_valid_dataset(tmp_path, **pipeline_tables(project_progress=(PROGRESS, rows)))),
              "progress_decreasing")
    assert (f.severity, f.row, f.column, f.value) == ("warning", 5, "physical_pct", "50")


def test_disbursed_above_total_investment(tmp_path):
    rows = pipeline_tables()["project_progress"][1] + [["2025-10", "DA2", "90", "3500", "in_progress", ""]]
    f = _only(_read(write_valid_dataset(tmp_path, **pipeline_tables(project_progress=(PROGRESS, rows)))),
              "disbursed_above_investment")
    assert (f.severity, f.row, f.column, f.value) == ("error", 5, "disbursed_mvnd", "3500")


@pytest.mark.parametrize("investment,rule", [("0", "investment_not_positive"), ("-5", "bad_value")])
def test_investment_must_be_positive(tmp_path, investment, rule):
    rows = [list(r) for r in pipeline_tables()["projects"][1]]
    rows[1][7] = investment
    ds = _read(write_valid_dataset(tmp_path, **pipeline_tables(projects=(PROJECTS, rows))))
    bad = [f for f in ds.findings if f.column == "total_investment_mvnd"]
    assert [(f.severity, f.file, f.row) for f in bad] == [("error", "projects.csv", 3)], ds.findings


def test_planned_end_before_start(tmp_path):
    rows = [list(r) for r in pipeline_tables()["projects"][1]]
    rows[0][9] = "2023-01-01"
    f = _only(_read(write_valid_dataset(tmp_path, **pipeline_tables(projects=(PROJECTS, rows)))), "end_before_start")
    assert (f.file, f.row, f.column) == ("projects.csv", 2, "planned_end")


def test_stage_date_before_submission(tmp_path):
    rows = pipeline_tables()["appraisals"][1] + [
        ["HS3", COMMUNE_2, "nra", "2025-08-01", "reviewing", "2025-07-01", "", ""]]
    f = _only(_read(write_valid_dataset(tmp_path, **pipeline_tables(appraisals=(APPRAISALS, rows)))),
              "stage_before_submission")
    assert (f.severity, f.file, f.row, f.column) == ("error", "appraisals.csv", 5, "stage_date")


def test_approved_dossier_without_its_recognition(tmp_path):
    rows = pipeline_tables()["appraisals"][1] + [
        ["HS4", COMMUNE_2, "nra", "2025-01-10", "approved", "2025-03-01", "", "99/QĐ"]]
    f = _only(_read(write_valid_dataset(tmp_path, **pipeline_tables(appraisals=(APPRAISALS, rows)))),
              "approval_without_recognition")
    assert (f.severity, f.row, f.column, f.value) == ("warning", 5, "decision_no", "99/QĐ")


def test_dossier_of_a_ward_and_inconsistent_dossier(tmp_path):
    rows = pipeline_tables()["appraisals"][1] + [
        ["HS5", WARD, "nra", "2025-01-10", "submitted", "2025-01-10", "", ""],
        ["HS2", COMMUNE_2, "model", "2025-08-01", "field_check", "2025-09-01", "", ""]]
    ds = _read(write_valid_dataset(tmp_path, **pipeline_tables(appraisals=(APPRAISALS, rows))))
    assert (_only(ds, "commune_only").row, _only(ds, "commune_only").column) == (5, "unit_code")
    assert _only(ds, "dossier_inconsistent").row == 6


def test_action_due_before_the_visit(tmp_path):
    rows = pipeline_tables()["inspections"][1] + [
        ["KT3", COMMUNE, "2025-09-10", "inspection", "vpdp", "", "Hồ sơ thiếu", "2025-09-01", ""]]
    f = _only(_read(write_valid_dataset(tmp_path, **pipeline_tables(inspections=(INSPECTIONS, rows)))),
              "due_before_visit")
    assert (f.severity, f.file, f.row, f.column) == ("error", "inspections.csv", 4, "action_due")


def test_inspection_led_by_an_unknown_department(tmp_path):
    rows = pipeline_tables()["inspections"][1] + [
        ["KT3", COMMUNE, "2025-09-10", "inspection", "Sở Xây dựng", "", "", "", ""],
        ["KT4", COMMUNE, "2025-09-11", "inspection", "Sở Không Có", "", "", "", ""]]
    f = _only(_read(write_valid_dataset(tmp_path, **pipeline_tables(inspections=(INSPECTIONS, rows)))),
              "unknown_lead")
    assert (f.severity, f.row, f.column, f.value) == ("error", 5, "lead", "Sở Không Có")


def test_future_visit_is_not_a_planned_date(tmp_path):
    # visit_date is a fact, not a plan: no future_ok flag (issue 12's "date in the future" rule applies)
    assert not TABLES["inspections"].column("visit_date").future_ok
    assert TABLES["inspections"].column("action_due").future_ok


def test_ocop_result_stars_range_and_stage(tmp_path):
    header = ["registration_id", "product_name", "entity_id", "unit_code", "cycle", "registered_on", "stage",
              "proposed_stars", "council_date", "result_stars"]
    write_valid_dataset(tmp_path, **pipeline_tables())
    write_csv(tmp_path, "ocop_registrations", header, [
        ["R1", "Mật ong", "E1", COMMUNE, 2025, "2025-07-10", "evaluated", 4, "2025-12-05", 4],
        ["R2", "Gạo", "E1", COMMUNE, 2025, "2025-07-12", "dossier_complete", 5, "2025-12-05", 4],
        ["R3", "Chè", "E1", COMMUNE, 2025, "2025-07-12", "evaluated", 5, "2025-12-05", 7],
    ])
    ds = _read(tmp_path)
    assert (_only(ds, "result_before_evaluation").row, _only(ds, "result_before_evaluation").column) == (
        3, "result_stars")
    bad = [f for f in ds.findings if f.severity == "error"]
    assert [(f.file, f.row, f.column) for f in bad] == [("ocop_registrations.csv", 4, "result_stars")]
    assert ds.table("ocop_registrations")["council_date"].notna().all()


def test_criteria_of_projects_and_findings_are_checked_against_the_criteria_sets(tmp_path):
    projects = pipeline_tables()["projects"][1] + [
        ["DA3", "Nhà văn hóa", COMMUNE, "42", "culture", "UBND xã", "local_budget", "900", "", "2025-12-31"]]
    visits = pipeline_tables()["inspections"][1] + [
        ["KT3", COMMUNE, "2025-09-10", "inspection", "vpdp", "25", "Thiếu hồ sơ", "2025-12-01", ""]]
    ds = _read(write_valid_dataset(tmp_path, **pipeline_tables(projects=(PROJECTS, projects),
                                                              inspections=(INSPECTIONS, visits))))
    project = _only(ds, "unknown_criterion")
    assert (project.severity, project.file, project.row, project.column, project.value) == \
        ("warning", "projects.csv", 4, "criterion", "42")
    visit = _only(ds, "criterion_not_in_set")
    assert (visit.severity, visit.file, visit.row, visit.column, visit.value) == \
        ("warning", "inspections.csv", 4, "criterion", "25")
    assert "qd318" in visit.expected.lower() and "2025-09" in visit.expected


# --- the audit's cross-table and row rules -----------------------------------------------------------------


def test_cumulative_disbursement_falling(tmp_path):
    rows = pipeline_tables()["project_progress"][1] + [["2025-10", "DA1", "60", "2100", "in_progress", ""]]
    f = _only(_read(write_valid_dataset(tmp_path, **pipeline_tables(project_progress=(PROGRESS, rows)))),
              "disbursed_decreasing")
    assert (f.severity, f.file, f.row, f.column, f.value) == (
        "warning", "project_progress.csv", 5, "disbursed_mvnd", "2100")
    assert "2200" in f.expected


def test_completed_with_physical_progress_below_100(tmp_path):
    rows = pipeline_tables()["project_progress"][1] + [["2025-10", "DA2", "95", "2600", "hoàn thành", ""]]
    f = _only(_read(write_valid_dataset(tmp_path, **pipeline_tables(project_progress=(PROGRESS, rows)))),
              "completed_below_100")
    assert (f.severity, f.row, f.column, f.value) == ("warning", 5, "physical_pct", "95")


def test_project_criterion_is_read_in_the_set_in_force_at_its_start(tmp_path):
    projects = pipeline_tables()["projects"][1] + [
        # criterion 15 (health) exists only in the 2021-2025 set: not for a project started in June 2026
        ["DA3", "Trạm y tế", COMMUNE, "15", "health", "UBND xã", "local_budget", "900", "2026-06-01", "2027-03-28"],
        ["DA4", "Trạm y tế", COMMUNE, "15", "health", "UBND xã", "local_budget", "900", "2025-06-01", "2026-03-28"]]
    f = _only(_read(write_valid_dataset(tmp_path, **pipeline_tables(projects=(PROJECTS, projects)))),
              "criterion_not_in_set")
    assert (f.severity, f.file, f.row, f.column, f.value) == ("warning", "projects.csv", 4, "criterion", "15")
    assert "qd51_2025" in f.expected and "2026-06-01" in f.expected


def test_finding_criterion_read_on_the_day_of_the_visit(tmp_path):
    visits = pipeline_tables()["inspections"][1] + [
        ["KT3", COMMUNE, "2025-02-10", "inspection", "vpdp", "17", "Rác thải", "", ""]]
    ds = _read(write_valid_dataset(tmp_path, **pipeline_tables(inspections=(INSPECTIONS, visits))))
    assert not [f for f in ds.findings if f.rule == "criterion_not_in_set"]
    # 10/02/2026 is before QĐ 51 took effect (15/02/2026), in the same month as 20/02/2026: the day decides
    frame = pd.DataFrame({"criterion": ["17", "17"], "finding": ["x", "x"], "_row": [2, 3],
                          "_source": ["inspections.csv:inspections"] * 2,
                          "visit_date": pd.to_datetime(["2026-02-10", "2026-02-20"])})
    found = check_pipeline_criteria({"inspections": frame})
    assert [(f.rule, f.row) for f in found] == [("criterion_not_in_set", 3)]


def test_appraisal_council_before_submission(tmp_path):
    rows = pipeline_tables()["appraisals"][1] + [
        ["HS3", COMMUNE_2, "nra", "2025-08-01", "council", "2025-09-01", "2025-07-20", ""]]
    f = _only(_read(write_valid_dataset(tmp_path, **pipeline_tables(appraisals=(APPRAISALS, rows)))),
              "council_before_submission")
    assert (f.severity, f.file, f.row, f.column, f.value) == (
        "warning", "appraisals.csv", 5, "council_date", "2025-07-20")


def test_dossier_level_not_in_its_criteria_set(tmp_path):
    frame = pd.DataFrame({
        "dossier_id": ["A", "B", "C", "D"], "unit_code": [COMMUNE] * 4,
        "level": ["advanced", "modern", "modern", "advanced"],
        "criteria_set": [None, None, "qd318_2022", "qd318_2022"],
        "submitted_on": pd.to_datetime(["2026-05-01", "2026-05-01", "2026-05-01", "2026-05-01"]),
        "stage": ["submitted"] * 4, "stage_date": pd.to_datetime(["2026-05-01"] * 4),
        "council_date": pd.NaT, "decision_no": None, "_row": [2, 3, 4, 5],
        "_source": ["appraisals.csv:appraisals"] * 4})
    found = [f for f in check_appraisals({"appraisals": frame}, load_units("37")) if f.rule == "level_not_in_set"]
    assert [(f.row, f.value) for f in found] == [(2, "advanced"), (4, "modern")]
    assert "qd51_2025" in found[0].expected and "modern" in found[0].expected


def test_appraisals_criteria_set_defaults_to_the_set_in_force_on_submission(tmp_path):
    rows = pipeline_tables()["appraisals"][1] + [
        ["HS3", COMMUNE_2, "nra", "2022-02-01", "submitted", "2022-02-01", "", ""]]
    ds = _read(write_valid_dataset(tmp_path, **pipeline_tables(appraisals=(APPRAISALS, rows))))
    assert ds.table("appraisals")["criteria_set"].tolist() == ["qd318_2022"] * 4
    # a filled column keeps the text dtype of every other enum column (the cache's frames have it too)
    assert ds.table("appraisals")["criteria_set"].dtype == ds.table("appraisals")["level"].dtype == "str"
    frame = pd.DataFrame({"submitted_on": pd.to_datetime(["2026-02-14", "2026-02-15", "2026-03-01"]),
                          "criteria_set": [None, None, "qd318_2022"]})
    filled = apply_defaults({"appraisals": frame})["appraisals"]
    assert filled["criteria_set"].tolist() == ["qd318_2022", "qd51_2025", "qd318_2022"]
    assert filled["criteria_set"].dtype == "str"


def test_appraisal_check_on_a_ward(tmp_path):
    rows = pipeline_tables()["inspections"][1] + [
        ["KT3", WARD, "2025-09-10", "thẩm tra", "vpdp", "", "", "", ""],
        ["KT4", WARD, "2025-09-10", "inspection", "vpdp", "", "", "", ""]]
    f = _only(_read(write_valid_dataset(tmp_path, **pipeline_tables(inspections=(INSPECTIONS, rows)))),
              "appraisal_check_on_ward")
    assert (f.severity, f.file, f.row, f.column, f.value) == ("warning", "inspections.csv", 4, "unit_code", WARD)


def _registrations(tmp_path, rows):
    header = ["registration_id", "product_name", "entity_id", "unit_code", "cycle", "registered_on", "stage",
              "proposed_stars", "council_date", "result_stars"]
    write_valid_dataset(tmp_path, **pipeline_tables())
    write_csv(tmp_path, "ocop_registrations", header, rows)
    return _read(tmp_path)


def test_ocop_council_before_registration_and_cycle_of_another_year(tmp_path):
    ds = _registrations(tmp_path, [
        ["R1", "Mật ong", "E1", COMMUNE, 2025, "2025-07-10", "submitted", 4, "2025-06-20", ""],
        ["R2", "Gạo", "E1", COMMUNE, 2019, "2025-07-12", "registered", 3, "", ""],
        ["R3", "Chè", "E1", COMMUNE, 2026, "2025-11-12", "registered", 3, "", ""],  # next year's cycle: fine
    ])
    early = _only(ds, "council_before_registration")
    assert (early.severity, early.row, early.column, early.value) == ("warning", 2, "council_date", "2025-06-20")
    cycle = _only(ds, "cycle_mismatch")
    assert (cycle.severity, cycle.row, cycle.column, cycle.value) == ("warning", 3, "cycle", "2019")


def test_evaluated_by_a_council_after_the_data_end(tmp_path):
    # the io fixture's latest period is 2025-09 (criteria_status)
    ds = _registrations(tmp_path, [
        ["R1", "Mật ong", "E1", COMMUNE, 2025, "2025-03-10", "evaluated", 4, "2025-06-20", 4],
        ["R2", "Gạo", "E1", COMMUNE, 2025, "2025-07-12", "evaluated", 4, "2025-12-05", 4],
    ])
    f = _only(ds, "evaluated_before_council")
    assert (f.severity, f.row, f.column, f.value) == ("warning", 3, "stage", "evaluated")

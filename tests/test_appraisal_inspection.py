"""The appraisal and inspection report (issue 11): its views against the ``appraisal.*`` and ``inspections.*``
indicators, its workbook, and the page in Chromium in vi/en/fr for the demo's latest month, its figures read
back from the page.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from nrd import indicators as ind
from nrd.contract import DOSSIER_CLOSED, LEVEL
from nrd.io import read_dataset
from nrd.present.formats import fmt_number

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data" / "demo"
LATEST = "2026-10"
PERIODS = ["2025-09", "2025-12", LATEST]


@pytest.fixture(scope="module")
def ds():
    return read_dataset(DEMO)


@pytest.fixture(scope="module")
def table(ds):
    return ind.build_indicator_table(ds, PERIODS)


def _value(table, indicator, period=LATEST) -> int:
    rows = table[(table["indicator"] == indicator) & (table["period"] == period) & (table["unit_code"] == "37")]
    assert len(rows) == 1, indicator
    return int(rows["value"].iloc[0])


@pytest.mark.parametrize("period", PERIODS)
def test_dossier_views_add_up_to_the_appraisal_indicators(ds, table, period):
    pipeline = ind.dossier_pipeline(ds, period).set_index("stage")
    open_stages = [s for s in pipeline.index if s not in DOSSIER_CLOSED]
    assert pipeline.loc[open_stages, "dossiers"].sum() == _value(table, "appraisal.open", period)
    approved = pipeline["dossiers"].get("approved", 0)
    assert approved == _value(table, "appraisal.approved_year", period)
    assert (pipeline[list(LEVEL)].sum(axis=1) == pipeline["dossiers"]).all()
    dossiers = ind.open_dossiers(ds, period)
    assert len(dossiers) == _value(table, "appraisal.open", period)
    assert dossiers["open_long"].sum() == _value(table, "appraisal.open_over_60d", period)
    assert (dossiers["days_open"] >= dossiers["days_in_stage"]).all() and (dossiers["days_in_stage"] >= 0).all()


def test_time_in_stage_counts_the_stages_left_and_the_dossiers_in_them(ds):
    stages = ind.time_in_stage(ds, LATEST).set_index("stage")
    dossiers = ind.open_dossiers(ds, LATEST)
    assert stages["current"].sum() == len(dossiers)
    assert (stages["median_days"] <= stages["max_days"]).all()
    rows = ds.table("appraisals")
    # every dossier leaves "submitted" unless it is still there
    submitted = rows[rows["stage"] == "submitted"]["dossier_id"].nunique()
    assert stages.loc["submitted", "passed"] + stages.loc["submitted", "current"] == submitted
    assert "approved" not in stages.index  # a final stage is never left


def test_council_schedule_holds_the_open_dossiers_council_dates(ds):
    councils = ind.council_schedule(ds, LATEST)
    assert councils["council_date"].is_monotonic_increasing and councils["council_date"].dt.year.min() == 2026
    assert list(councils["held"]) == list(councils["council_date"] <= "2026-10-31")
    planned = councils[~councils["held"]]
    dossiers = ind.open_dossiers(ds, LATEST)
    assert planned["dossiers"].sum() == dossiers["council_date"].gt("2026-10-31").sum() > 0
    assert (councils["approved"] <= councils["dossiers"]).all()


@pytest.mark.parametrize("period", PERIODS)
def test_inspection_views_add_up_to_the_inspection_indicators(ds, table, period):
    calendar = ind.inspection_calendar(ds, period)
    assert len(calendar) == _value(table, "inspections.visits_year", period) > 0
    assert calendar["first_visit"].dt.year.eq(int(period[:4])).all()
    by_department = ind.actions_by_department(ds, period)
    assert by_department["actions_open"].sum() == _value(table, "inspections.actions_open", period)
    assert by_department["actions_overdue"].sum() == _value(table, "inspections.actions_overdue", period)
    assert len(ind.overdue_action_list(ds, period)) == _value(table, "inspections.actions_overdue", period)
    monthly = ind.visits_by_month(ds, period)
    assert monthly["month"].nunique() == int(period[5:]) and monthly["visits"].sum() >= len(calendar)
    findings = ind.findings_by_criterion(ds, period)
    assert findings["findings"].sum() == calendar["findings"].sum()
    assert (findings["resolved"] + findings["open"] <= findings["findings"]).all()


def test_each_action_falls_to_the_department_leading_its_criterion(ds):
    from nrd.reference import criteria_set_on

    actions = ind.open_action_list(ds, LATEST)
    assert (actions["visit_date"] < pd.Timestamp("2026-02-15")).any()  # some visits under the old set
    for action in actions.itertuples():
        # read in the set in force on the day of the visit, not the set of the report period
        criteria = ds.reference.criteria_set(criteria_set_on(action.visit_date).id).criteria
        led = dict(zip(criteria["criterion"].astype(str), criteria["department"].astype(str)))
        assert action.criteria_set == criteria_set_on(action.visit_date).id
        assert action.department == led.get(str(action.criterion), action.lead)
        # the department brief lists the same action under that department
        brief = ind.department_pipelines(ds, LATEST, action.department).actions
        assert ((brief["inspection_id"] == action.inspection_id) & (brief["unit_code"] == action.unit_code)).any()


def test_workbook_holds_the_indicators_and_the_views(ds, table):
    from nrd.run.export import report_tables
    from nrd.run.model import Job

    job = Job(report="appraisal_inspection", notebook=Path("appraisal_inspection.ipynb"), parameters={},
              lang="vi", group="pipelines", key=None, stem="appraisal_inspection")
    tables = report_tables(job, table, ds, LATEST)
    ids = set(tables["Chỉ tiêu"]["Mã chỉ tiêu"])
    assert ids and all(i.startswith(("appraisal.", "inspections.")) for i in ids) and len(ids) == 7
    assert len(tables["Hồ sơ đang xét"]) == _value(table, "appraisal.open")
    assert len(tables["Tồn tại quá hạn"]) == _value(table, "inspections.actions_overdue")
    assert tables["Tồn tại theo sở, ngành"]["Chưa khắc phục"].sum() == _value(table, "inspections.actions_open")
    assert len(tables["Lịch kiểm tra"]) == _value(table, "inspections.visits_year")
    assert {"Hồ sơ theo giai đoạn", "Thời gian từng giai đoạn", "Lịch họp Hội đồng", "Tồn tại theo tiêu chí"} \
        <= set(tables)


EXPECTED = {
    "vi": ["Hồ sơ đề nghị xét, công nhận theo giai đoạn và mức", "Thời gian ở từng giai đoạn", "Hồ sơ đang xét",
           "Lịch họp Hội đồng thẩm định", "Lịch kiểm tra, khảo sát thực địa trong năm", "Tồn tại, hạn chế theo tiêu chí",
           "Tồn tại chưa khắc phục theo sở, ngành phụ trách", "Tồn tại quá hạn khắc phục"],
    "en": ["Dossiers by stage and level", "Time in stage", "Dossiers open", "Appraisal council dates",
           "Inspection calendar of the year", "Findings by criterion", "Open and overdue actions by lead department",
           "Overdue inspection actions"],
    "fr": ["Dossiers par étape et niveau", "Durée par étape", "Dossiers en cours", "Dates du conseil d'évaluation",
           "Calendrier des inspections de l'année", "Constats par critère",
           "Actions en cours et en retard par service pilote", "Actions correctives en retard"],
}


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("lang", ["vi", "en", "fr"])
def test_page_in_chromium_shows_the_indicator_figures(ds, table, lang, tmp_path):
    from _browser import rendered_report_page
    from nrd.present.appraisal_sections import lead_name

    # two images: the dossier pipeline and the visits by month
    text = rendered_report_page(ROOT / "notebooks" / "appraisal_inspection.ipynb", tmp_path, period=LATEST,
                                data_dir=DEMO, lang=lang, images=2, headings=EXPECTED[lang])
    sections = {}
    for this, after in zip(EXPECTED[lang], [*EXPECTED[lang][1:], None]):
        part = text.rsplit(this, 1)[1]  # after the contents list
        sections[this] = part.rsplit(after, 1)[0] if after else part
    heads = EXPECTED[lang]
    # the open dossiers: every one listed, with the count open too long stated
    dossiers = ind.open_dossiers(ds, LATEST)
    for dossier_id in dossiers["dossier_id"]:
        assert dossier_id in sections[heads[2]]
    assert re.search(rf"\b{_value(table, 'appraisal.open_over_60d')}\b.*\b{_value(table, 'appraisal.open')}\b",
                     sections[heads[2]])
    # the calendar: every round of the year
    for round_id in ind.inspection_calendar(ds, LATEST)["inspection_id"]:
        assert round_id in sections[heads[4]]
    assert f"{fmt_number(_value(table, 'inspections.visits_year'), lang)} " in sections[heads[4]]
    # by department: each department's name with its open and overdue counts, in the row order
    rows = [line for line in sections[heads[6]].splitlines() if "\t" in line]
    by_department = ind.actions_by_department(ds, LATEST)
    assert len(rows) == len(by_department) + 1 > 1  # the header, then a row per department
    for department, row in zip(by_department.itertuples(), rows[1:]):
        cells = row.split("\t")
        assert cells[:3] == [lead_name(department.department, lang), str(department.actions_open),
                             str(department.actions_overdue)]
    overdue = ind.overdue_action_list(ds, LATEST)
    assert len(overdue) == _value(table, "inspections.actions_overdue") > 0
    assert f"{len(overdue)} " in sections[heads[7]]

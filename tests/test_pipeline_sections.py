"""The office's pipelines inside the existing reports (issue 11): the OCOP evaluation cycle, a commune's
projects / dossiers / actions, a department's projects and actions, the workbook sheets, the index page's
front figures — the views against the indicator table, the pages in Chromium.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest

from nrd import indicators as ind
from nrd.indicators.pipeline_watch import open_actions, overdue_projects
from nrd.io import read_dataset

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data" / "demo"
LATEST = "2026-10"
#: A demo commune with projects not completed and an open inspection action at the latest month.
BUSY_COMMUNE = "14212"


@pytest.fixture(scope="module")
def ds():
    return read_dataset(DEMO)


@pytest.fixture(scope="module")
def table(ds):
    return ind.build_indicator_table(ds, ["2026-09", LATEST])


def _value(table, indicator, period=LATEST):
    rows = table[(table["indicator"] == indicator) & (table["period"] == period) & (table["unit_code"] == "37")]
    assert len(rows) == 1, indicator
    return float(rows["value"].iloc[0])


@pytest.mark.parametrize("period", ["2025-09", "2025-12", LATEST])
def test_evaluation_cycle_agrees_with_the_ocop_indicators(ds, period):
    table = ind.build_indicator_table(ds, [period])
    cycle = ind.evaluation_cycle(ds, period).set_index("step")["registrations"]
    assert cycle["registered"] == _value(table, "ocop.registrations_cycle", period)
    assert cycle["registered"] - cycle["evaluated"] == _value(table, "ocop.registrations_pending", period)
    # each step holds the registrations of the next: the cycle is a funnel
    steps = list(cycle[["registered", "dossier_complete", "submitted", "evaluated"]])
    assert steps == sorted(steps, reverse=True) and steps[0] > steps[-1]
    assert cycle[["stars_3", "stars_4", "stars_5"]].sum() <= cycle["evaluated"]


def test_council_sessions_and_named_five_star_candidates(ds, table):
    council = ind.council_sessions(ds, LATEST)
    assert list(council["council_date"].dt.strftime("%Y-%m-%d")) == ["2026-06-20", "2026-12-05"]
    assert list(council["held"]) == [True, False]  # December's council is still to come at October
    assert (council["evaluated"] <= council["registrations"]).all()
    candidates = ind.named_five_star_candidates(ds, LATEST)
    assert len(candidates) == _value(table, "ocop.five_star_candidates")
    assert candidates["unit_name"].notna().all() and candidates["product_name"].str.len().gt(0).all()
    assert not {"phone", "representative", "entity_name"} & set(candidates.columns)


def test_unit_pipelines_are_the_communes_share_of_the_watch_lists(ds):
    views = ind.unit_pipelines(ds, LATEST, BUSY_COMMUNE)
    assert len(views.projects) >= 1 and len(views.actions) >= 1
    assert set(views.projects["unit_code"]) == {BUSY_COMMUNE}
    assert not views.projects["status"].isin(["completed", "handed_over"]).any()
    late = overdue_projects(ds, LATEST)
    assert set(views.projects.loc[views.projects["overdue"], "project_id"]) == \
        set(late.loc[late["unit_code"] == BUSY_COMMUNE, "project_id"])
    actions = open_actions(ds, LATEST)
    assert sorted(views.actions["inspection_id"]) == sorted(actions.loc[actions["unit_code"] == BUSY_COMMUNE,
                                                                        "inspection_id"])
    # every commune's open actions add up to the province's
    total = sum(len(ind.unit_pipelines(ds, LATEST, u).actions) for u in sorted(set(actions["unit_code"])))
    assert total == len(actions)


def test_department_pipelines_keep_the_criteria_it_leads(ds):
    from nrd.reference import criteria_set_on

    views = ind.department_pipelines(ds, LATEST, "so_xd")
    criteria = ds.criteria_set_for(LATEST).criteria
    led = set(criteria.loc[criteria["department"] == "so_xd", "criterion"].astype(str))
    assert set(views.criteria) == led and led
    assert len(views.projects) > 0

    def lead(day, criterion):  # the department leading the criterion in the set in force on that day
        return ds.reference.criteria_set(criteria_set_on(day).id).department_of(criterion)

    projects = ds.table("projects").set_index("project_id")
    assert all(lead(projects.loc[p, "start_date"], c) == "so_xd"
               for p, c in zip(views.projects["project_id"], views.projects["criterion"]))
    assert all(lead_ == "so_xd" or lead(day, c) == "so_xd" for lead_, day, c in
               zip(views.actions["lead"], views.actions["visit_date"], views.actions["criterion"]))
    other = ind.department_pipelines(ds, LATEST, "so_yte")
    assert set(other.projects["project_id"]).isdisjoint(views.projects["project_id"])


def test_workbook_sheets_of_the_extended_reports(ds, table):
    from nrd.run.export import report_tables
    from nrd.run.model import Job

    def job(notebook, key=None):
        return Job(report=notebook, notebook=Path(f"{notebook}.ipynb"), parameters={}, lang="vi", group="other",
                   key=key, stem=notebook)

    scorecard = report_tables(job("commune_scorecard", BUSY_COMMUNE), table, ds, LATEST)
    assert {"Công trình chưa xong", "Hồ sơ công nhận", "Tồn tại chưa khắc phục"} <= set(scorecard)
    projects = scorecard["Công trình chưa xong"]
    assert "Tên công trình, dự án" in projects.columns and len(projects) == len(
        ind.unit_pipelines(ds, LATEST, BUSY_COMMUNE).projects)
    ocop = report_tables(job("ocop_portfolio"), table, ds, LATEST)
    assert len(ocop["Ứng viên 5 sao chờ đánh giá"]) == _value(table, "ocop.five_star_candidates")
    brief = report_tables(job("department_brief", "so_xd"), table, ds, LATEST)
    assert len(brief["Công trình chưa xong"]) == len(ind.department_pipelines(ds, LATEST, "so_xd").projects)


def test_an_unknown_sheet_view_is_named():
    from nrd.errors import UnknownNameError
    from nrd.reports import REPORTS
    from nrd.run.workbook_views import SHEET_VIEWS, view_sheets

    assert all(name in SHEET_VIEWS for kind in REPORTS for name in kind.sheets)
    with pytest.raises(UnknownNameError, match="no_such_view"):
        view_sheets(("no_such_view",), None, LATEST, None)


def test_front_figures_are_the_front_headline_set_with_the_change_on_the_month(ds, table):
    from nrd.indicators.headlines import headline_ids
    from nrd.run.index import front_figures, render_index

    figures = front_figures(table, LATEST, ds.province_code)
    ids = [i for i in headline_ids("front", LATEST) if i in set(table["indicator"])]
    assert len(figures) == len(ids) >= 8
    overdue = next(f for f in figures if f["label"] == "Công trình chậm tiến độ")
    assert overdue["value"] == str(int(_value(table, "projects.overdue")))
    change = _value(table, "projects.overdue") - _value(table, "projects.overdue", "2026-09")
    assert overdue["delta"] == f"{change:+.0f}"
    page = render_index(period=LATEST, results=[], generated_at=pd.Timestamp("2026-11-03 08:00").to_pydatetime(),
                        figures=figures)
    assert page.index("Số liệu chính") < page.index('id="reports"')
    assert html.escape(overdue["label"]) in page
    assert "Số liệu chính" not in render_index(period=LATEST, results=[],
                                               generated_at=pd.Timestamp("2026-11-03").to_pydatetime())


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize(("kind", "parameters", "lang", "expected"), [
    ("ocop_portfolio", {}, "vi", ["Chu trình đánh giá, phân hạng sản phẩm OCOP năm 2026",
                                  "Hội đồng đánh giá, phân hạng cấp tỉnh", "Ứng viên 5 sao chờ đánh giá"]),
    ("commune_scorecard", {"unit_code": BUSY_COMMUNE}, "en", ["Projects, dossiers and inspections",
                                                              "Projects not completed", "Open inspection actions"]),
    ("department_brief", {"department": "so_xd"}, "fr", ["Projets et actions des critères pilotés",
                                                          "Projets non achevés", "Actions correctives en cours"]),
])
def test_extended_reports_in_chromium(ds, kind, parameters, lang, expected, tmp_path):
    from _browser import open_page, require_chromium
    from nrd.run.render import render_report

    require_chromium()
    result = render_report(ROOT / "notebooks" / f"{kind}.ipynb", period=LATEST, parameters=parameters,
                           out_dir=tmp_path, data_dir=DEMO, lang=lang, generated_on="2026-11-03")
    assert result.ok, result.error
    page = open_page(result.html_path)
    assert page.console_errors == [] and page.page_errors == [] and page.remote_requests == []
    for heading in expected:
        assert heading in page.visible_text, heading
    text = page.visible_text
    if kind == "ocop_portfolio":
        for name in ind.named_five_star_candidates(ds, LATEST)["product_name"]:
            assert name in text
        assert len(page.images) == 3  # stars, groups, and the cycle chart
    elif kind == "commune_scorecard":
        for name in ind.unit_pipelines(ds, LATEST, BUSY_COMMUNE).projects["project_name"]:
            assert name in text
    else:
        toc = re.findall(r"<h2[^>]*>(.*?)</h2>", result.html_path.read_text(encoding="utf-8"))
        assert any("Projets et actions" in html.unescape(h) for h in toc)
        first = ind.department_pipelines(ds, LATEST, "so_xd").projects["project_name"].iloc[0]
        assert first in text


def test_the_index_speaks_the_runs_language(ds, table):
    from nrd.run.index import front_figures, index_language, render_index
    from nrd.run.model import Job

    def job(lang):
        return Job(report="ocop_portfolio", notebook=Path("ocop_portfolio.ipynb"), parameters={}, lang=lang,
                   group="ocop", key=None, stem=f"ocop_portfolio-{lang}")

    assert index_language([job("en"), job("en")]) == "en"
    assert index_language([job("en"), job("fr")]) == "vi"
    figures = front_figures(table, LATEST, ds.province_code, "fr")
    assert any(f["label"] == "Projets en retard" for f in figures)
    page = render_index(period=LATEST, results=[], generated_at=pd.Timestamp("2026-11-03").to_pydatetime(),
                        figures=figures, lang="fr")
    assert '<html lang="fr">' in page and "Chiffres clés" in page and "Số liệu chính" not in page

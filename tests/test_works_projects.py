"""The works and projects report (issue 11): its views against the ``projects.*`` indicators, its workbook,
and the page in Chromium in vi/en/fr for the demo's latest month, its figures read back from the page.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from nrd import indicators as ind
from nrd.io import read_dataset
from nrd.present.formats import fmt_money, fmt_money_share, fmt_number

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data" / "demo"
LATEST = "2026-10"
PERIODS = ["2025-09", "2026-02", LATEST]


@pytest.fixture(scope="module")
def ds():
    return read_dataset(DEMO)


@pytest.fixture(scope="module")
def table(ds):
    return ind.build_indicator_table(ds, PERIODS)


def _row(table, indicator, period):
    rows = table[(table["indicator"] == indicator) & (table["period"] == period) & (table["unit_code"] == "37")]
    assert len(rows) == 1, indicator
    return rows.iloc[0]


def test_the_demo_latest_month_is_the_one_tested(ds):
    assert ds.latest_period == LATEST


@pytest.mark.parametrize("period", PERIODS)
def test_portfolio_by_category_and_by_commune_add_up_to_the_indicators(ds, table, period):
    portfolio = ind.project_portfolio(ds, period)
    by_unit = ind.projects_by_unit(ds, period)
    total = _row(table, "projects.total", period)["value"]
    assert total > 0
    for view in (portfolio, by_unit):
        assert view["projects"].sum() == total
        assert view["completed"].sum() == _row(table, "projects.completed", period)["value"]
        assert view["overdue"].sum() == _row(table, "projects.overdue", period)["value"]
        assert (view["completed"] + view["open"] == view["projects"]).all()
        share = _row(table, "projects.disbursed_share", period)
        assert view["disbursed_mvnd"].sum() == pytest.approx(share["numerator"])
        assert view["total_investment_mvnd"].sum() == pytest.approx(share["denominator"])
    assert portfolio["category"].is_unique and by_unit["unit_code"].is_unique
    assert by_unit["unit_code"].isna().sum() == 1  # the inter-commune / provincial projects, one row
    assert list(portfolio["total_investment_mvnd"]) == sorted(portfolio["total_investment_mvnd"], reverse=True)


@pytest.mark.parametrize("period", PERIODS)
def test_overdue_and_stalled_lists_are_the_watch_lists(ds, table, period):
    overdue = ind.overdue_project_list(ds, period)
    assert len(overdue) == _row(table, "projects.overdue", period)["value"]
    assert (overdue["days_late"] > 0).all() and overdue["unit_name"].notna().sum() >= len(overdue) - 1
    stalled = ind.stalled_project_list(ds, period)
    states = ind.project_status_at(ds, period).set_index("project_id")
    assert not states.loc[stalled["project_id"], "done"].any()
    assert (stalled["months_still"] >= 3).all()
    progress = ds.table("project_progress")
    for row in stalled.itertuples():  # the % really has not moved since `since`
        moved = progress[(progress["project_id"] == row.project_id) & (progress["period"] >= row.since)
                         & (progress["period"] <= period)]["physical_pct"]
        assert moved.nunique() == 1 and moved.iloc[0] == row.physical_pct


def test_schedule_compares_progress_with_the_time_elapsed(ds):
    schedule = ind.project_schedule(ds, LATEST)
    assert len(schedule) > 10
    assert schedule["elapsed_pct"].between(0, 100).all() and schedule["physical_pct"].between(0, 100).all()
    assert not schedule["status"].isin(["completed", "handed_over"]).any()
    # each rounded to 0.1 on its own: the gap is physical − elapsed within the two roundings
    assert (schedule["gap_pct"] - (schedule["physical_pct"] - schedule["elapsed_pct"])).abs().max() <= 0.1
    assert list(schedule["gap_pct"]) == sorted(schedule["gap_pct"])
    # an overdue project has used all its planned time
    assert (schedule.loc[schedule["overdue"], "elapsed_pct"] == 100).all()
    one = schedule.iloc[0]
    end = pd.Timestamp("2026-10-31")
    expected = (end - one["start_date"]).days / (one["planned_end"] - one["start_date"]).days * 100
    assert one["elapsed_pct"] == pytest.approx(min(expected, 100), abs=0.05)


def test_a_dataset_without_projects_gives_empty_views(ds):
    from dataclasses import replace

    bare = replace(ds, tables={k: v for k, v in ds.tables.items() if k not in ("projects", "project_progress")})
    for view in (ind.project_portfolio, ind.projects_by_unit, ind.project_schedule, ind.overdue_project_list,
                 ind.stalled_project_list):
        assert view(bare, LATEST).empty


def test_workbook_holds_the_projects_indicators_and_the_views(ds, table):
    from nrd.run.export import report_tables
    from nrd.run.model import Job

    job = Job(report="works_projects", notebook=Path("works_projects.ipynb"), parameters={}, lang="vi",
              group="pipelines", key=None, stem="works_projects")
    tables = report_tables(job, table, ds, LATEST)
    rows = tables["Chỉ tiêu"]
    assert set(rows["Mã chỉ tiêu"]) == {"projects.total", "projects.completed", "projects.overdue",
                                         "projects.disbursed_share"}
    assert len(tables["Công trình chậm tiến độ"]) == _row(table, "projects.overdue", LATEST)["value"]
    assert tables["Theo loại công trình"]["Số công trình"].sum() == _row(table, "projects.total", LATEST)["value"]
    assert "Vướng mắc" in tables["Công trình không tiến triển"].columns
    assert len(tables["Tiến độ so với thời gian"]) == len(ind.project_schedule(ds, LATEST))


EXPECTED = {
    "vi": ["Danh mục công trình theo loại", "Khối lượng hoàn thành so với thời gian thực hiện",
           "Giải ngân so với tổng mức đầu tư", "Công trình chậm tiến độ và vướng mắc", "Công trình không có tiến triển"],
    "en": ["Portfolio by category", "Physical progress against time elapsed", "Disbursement against total investment",
           "Overdue projects and their obstacles", "Stalled projects"],
    "fr": ["Portefeuille par catégorie", "Avancement physique et temps écoulé", "Décaissement et investissement total",
           "Projets en retard et leurs obstacles", "Projets à l'arrêt"],
}


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("lang", ["vi", "en", "fr"])
def test_page_in_chromium_shows_the_indicator_figures(ds, table, lang, tmp_path):
    from _browser import rendered_report_page

    # two images: the schedule scatter and the disbursement bars
    text = rendered_report_page(ROOT / "notebooks" / "works_projects.ipynb", tmp_path, period=LATEST,
                                data_dir=DEMO, lang=lang, images=2, headings=EXPECTED[lang])
    # the figures shown are the indicator table's
    share = _row(table, "projects.disbursed_share", LATEST)
    assert fmt_money_share(share["numerator"], share["denominator"], lang) in text
    assert fmt_money(share["denominator"], lang) in text
    total = int(_row(table, "projects.total", LATEST)["value"])
    assert re.search(rf"\b{re.escape(fmt_number(total, lang))}\b", text)
    overdue = ind.overdue_project_list(ds, LATEST)
    assert len(overdue) == _row(table, "projects.overdue", LATEST)["value"] > 0
    overdue_part = text.rsplit(EXPECTED[lang][3], 1)[1].rsplit(EXPECTED[lang][4], 1)[0]  # after the contents
    for record in overdue.itertuples():
        assert record.project_name in overdue_part and str(record.obstacle) in overdue_part
    stalled_part = text.rsplit(EXPECTED[lang][4], 1)[1]
    stalled = ind.stalled_project_list(ds, LATEST)
    assert len(stalled) > 0
    for name in stalled["project_name"]:
        assert name in stalled_part


def test_by_commune_rows_are_the_communes_indicator_rows(ds, table):
    by_unit = ind.projects_by_unit(ds, LATEST).dropna(subset=["unit_code"]).set_index("unit_code")
    rows = table[(table["period"] == LATEST) & (table["unit_code"] != "37")]
    for indicator, column in (("projects.total", "projects"), ("projects.overdue", "overdue")):
        values = rows[rows["indicator"] == indicator].set_index("unit_code")["value"]
        values = values[values > 0]
        assert values.to_dict() == by_unit.loc[by_unit[column] > 0, column].astype(float).to_dict(), indicator

"""The pipeline reports as a reader meets them (issue 11, review): workbook headers and coded values, a
commune's portfolio line, the two 5-star figures, datasets without the pipeline tables or the new OCOP
columns, and the wording of notes (units, thresholds, whole days, long lists, the criteria-set footnote).

Expected figures are computed from the demo data, never written in: the demo generator may change them.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from _display_capture import shown  # noqa: F401 (a fixture)
from nrd import indicators as ind
from nrd.io import read_dataset
from nrd.present import appraisal_sections as ax
from nrd.present import pipeline_sections as ps
from nrd.present import works_sections as ws
from nrd.present.formats import fmt_money_share
from nrd.present.i18n import t

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data" / "demo"
PERIOD = "2025-12"
PIPELINE_TABLES = ("projects", "project_progress", "appraisals", "inspections")


@pytest.fixture(scope="module")
def ds():
    return read_dataset(DEMO)


@pytest.fixture(scope="module")
def table(ds):
    return ind.build_indicator_table(ds, ["2025-11", PERIOD])


@pytest.fixture(scope="module")
def bare(ds):
    """The demo without the pipeline tables and without the two new ocop_registrations columns."""
    tables = {k: v for k, v in ds.tables.items() if k not in PIPELINE_TABLES}
    regs = tables["ocop_registrations"]
    tables["ocop_registrations"] = regs.assign(council_date=pd.NaT, result_stars=pd.NA)
    return replace(ds, tables=tables)




def _text(html: list[str]) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", "\n".join(html))).replace("&#x27;", "'")


def _tables(ds, table, report, key=None):
    from nrd.run.export import report_tables
    from nrd.run.model import Job

    job = Job(report=report, notebook=Path(f"{report}.ipynb"), parameters={}, lang="vi", group="x", key=key,
              stem=report)
    return report_tables(job, table, ds, PERIOD)


# ---- workbooks -------------------------------------------------------------------------------------------

def test_findings_sheet_is_headed_as_actions_not_as_projects(ds, table):
    findings = _tables(ds, table, "appraisal_inspection")["Tồn tại theo tiêu chí"]
    assert {"Chưa khắc phục", "Quá hạn"} <= set(findings.columns)
    assert not {"Chưa hoàn thành", "Chậm tiến độ"} & set(findings.columns)
    view = ind.findings_by_criterion(ds, PERIOD)
    assert findings["Chưa khắc phục"].sum() == view["open"].sum()
    assert findings["Quá hạn"].sum() == view["overdue"].sum()


def test_workbook_sheets_hold_labels_and_keep_the_codes_beside_them(ds, table):
    sheets = {**_tables(ds, table, "works_projects"), **_tables(ds, table, "appraisal_inspection"),
              **_tables(ds, table, "ocop_portfolio")}
    schedule = sheets["Tiến độ so với thời gian"]
    # a project's status is its "Tình trạng" (the contract's word), its codes kept for filtering
    assert "Tình trạng" in schedule.columns and "Kết quả" not in schedule.columns
    assert set(schedule["Tình trạng (mã)"]) <= {"not_started", "in_progress", "completed", "handed_over",
                                               "suspended"}
    assert "Đang thi công" in set(schedule["Tình trạng"]) and "in_progress" not in set(schedule["Tình trạng"])
    category = sheets["Theo loại công trình"]
    assert list(category["Loại công trình (mã)"]) == list(ind.project_portfolio(ds, PERIOD)["category"])
    assert "transport" not in set(category["Loại công trình"]) and "Giao thông" in set(category["Loại công trình"])
    calendar = sheets["Lịch kiểm tra"]
    assert not {"appraisal_check", "inspection", "field_survey"} & set(calendar["Hình thức"])
    assert "vpdp" in set(calendar["Đơn vị chủ trì (mã)"]) and "vpdp" not in set(calendar["Đơn vị chủ trì"])
    departments = sheets["Tồn tại theo sở, ngành"]
    assert not set(departments["Sở, ngành"]) & set(departments["Sở, ngành (mã)"])
    stages = sheets["Thời gian từng giai đoạn"]
    assert "submitted" in set(stages["Giai đoạn (mã)"]) and "Đã nộp" in set(stages["Giai đoạn"])
    cycle = sheets["Chu trình đánh giá"]
    assert "submitted" in set(cycle["Bước (mã)"]) and "Đã trình Hội đồng tỉnh" in set(cycle["Bước"])
    # no sheet of these reports shows a raw code where a label belongs
    codes = {"transport", "in_progress", "submitted", "appraisal_check", "vpdp", "so_khcn", "advanced"}
    checked = 0
    for name, frame in sheets.items():
        for column in frame.columns:
            if not str(column).endswith("(mã)") and not pd.api.types.is_numeric_dtype(frame[column]):
                checked += 1
                assert not codes & set(frame[column].dropna().astype(str)), (name, column)
    assert checked >= 10  # text columns of every sheet (object or str dtype), not none


# ---- the commune scorecard -------------------------------------------------------------------------------

def _completed_only_commune(ds):
    by_unit = ind.projects_by_unit(ds, PERIOD)
    done = by_unit[(by_unit["projects"] > 0) & (by_unit["open"] == 0) & by_unit["unit_code"].notna()]
    assert len(done), "the demo has a commune whose projects are all completed"
    return done.iloc[0]


def test_a_commune_with_completed_projects_shows_its_portfolio(ds, shown):
    row = _completed_only_commune(ds)
    portfolio = ind.unit_project_portfolio(ds, PERIOD, row["unit_code"])
    assert portfolio["projects"] == row["projects"] == portfolio["completed"]
    pipelines = ind.unit_pipelines(ds, PERIOD, row["unit_code"])
    assert pipelines.projects.empty
    ps.show_unit_pipelines(pipelines, "vi", portfolio=portfolio)
    text = _text(shown)
    assert f"{int(row['projects'])} công trình ({int(row['projects'])} đã hoàn thành, 0 đang thực hiện" in text
    assert fmt_money_share(row["disbursed_mvnd"], row["total_investment_mvnd"], "vi") in text
    assert t("note.unit_all_projects_done", "vi") in text
    assert t("common.none_to_show", "vi") not in text


@pytest.mark.parametrize("lang", ["vi", "en", "fr"])
def test_a_commune_without_anything_says_so_plainly(ds, shown, lang):
    units = ds.units[ds.units["unit_type"] == "commune"]["unit_code"]
    by_unit = set(ind.projects_by_unit(ds, PERIOD)["unit_code"].dropna())
    quiet = [u for u in units if u not in by_unit and ind.unit_pipelines(ds, PERIOD, u).dossiers.empty
             and ind.unit_pipelines(ds, PERIOD, u).actions.empty]
    assert quiet
    ps.show_unit_pipelines(ind.unit_pipelines(ds, PERIOD, quiet[0]), lang,
                           portfolio=ind.unit_project_portfolio(ds, PERIOD, quiet[0]))
    text = _text(shown)
    for key in ("note.unit_no_projects", "note.unit_no_dossiers", "note.unit_no_actions"):
        assert t(key, lang) in text
    assert t("common.none_to_show", lang) not in text


# ---- OCOP: the two 5-star figures ----------------------------------------------------------------------

def test_five_star_labels_are_distinct_and_the_target_is_on_the_candidates():
    from nrd.indicators import load_targets
    from nrd.present.i18n import indicator_label

    for lang in ("vi", "en", "fr"):
        proposed = indicator_label("ocop.registrations_5star_proposed", lang)
        candidates = indicator_label("ocop.five_star_candidates", lang)
        assert proposed != candidates and not set(proposed.split()) >= set(candidates.split())
    indicators = {target.indicator for target in load_targets(ROOT / "params" / "targets.yaml")}
    assert "ocop.five_star_candidates" in indicators
    assert "ocop.registrations_5star_proposed" not in indicators


# ---- datasets without the pipeline tables or the new OCOP columns ---------------------------------------

@pytest.mark.parametrize("lang", ["vi", "en", "fr"])
def test_absent_tables_are_named_in_the_readers_language(bare, shown, lang):
    absent = ind.absent_tables(bare, "projects", "project_progress")
    assert absent == ("projects", "project_progress")
    ws.show_portfolio(ind.project_portfolio(bare, PERIOD), lang, absent=absent)
    ax.show_open_dossiers(ind.open_dossiers(bare, PERIOD), lang, absent=ind.absent_tables(bare, "appraisals"))
    text = _text(shown)
    assert t("table.projects", lang) in text and t("table.project_progress", lang) in text
    assert t("table.appraisals", lang) in text
    assert t("common.none_to_show", lang) not in text


def test_results_not_recorded_are_not_zero(bare, ds, shown):
    cycle = ind.evaluation_cycle(bare, PERIOD).set_index("step")["registrations"]
    assert cycle["evaluated"] > 0 and cycle[["stars_3", "stars_4", "stars_5"]].isna().all()
    full = ind.evaluation_cycle(ds, PERIOD).set_index("step")["registrations"]
    assert full[["stars_3", "stars_4", "stars_5"]].notna().all()
    assert ind.unrecorded_columns(bare, "ocop_registrations", "council_date", "result_stars") == (
        "council_date", "result_stars")
    assert ind.unrecorded_columns(ds, "ocop_registrations", "council_date", "result_stars") == ()
    ps.show_evaluation_cycle(ind.evaluation_cycle(bare, PERIOD), PERIOD, "vi")
    ps.show_council_sessions(ind.council_sessions(bare, PERIOD), "vi", recorded=False)
    text = _text(shown)
    assert "Được công nhận 3 sao chưa ghi nhận" in text
    assert "Được công nhận 3 sao 0 " not in text
    assert "«Hạng sao đạt»" in text and "«Ngày họp Hội đồng»" in text


# ---- wording ---------------------------------------------------------------------------------------------

def test_notes_name_no_file_and_show_money_in_billions(ds, shown):
    portfolio = ind.project_portfolio(ds, PERIOD)
    ws.show_disbursement(portfolio, "vi")
    ws.show_stalled_projects(ind.stalled_project_list(ds, PERIOD), "vi")
    text = _text(shown)
    assert ".yaml" not in text
    paid, total = portfolio["disbursed_mvnd"].sum(), portfolio["total_investment_mvnd"].sum()
    assert f"đạt {fmt_money_share(paid, total, 'vi')}" in text and "tỷ đồng)" in text
    assert not re.search(r"\(\d{1,3}(\.\d{3})+/\d{1,3}(\.\d{3})+\)", text)  # no raw million-VND parts


def test_no_open_dossier_is_said_and_days_are_whole(ds, shown):
    empty = ind.open_dossiers(ds, PERIOD).iloc[0:0]
    ax.show_open_dossiers(empty, "vi")
    ax.show_time_in_stage(ind.time_in_stage(ds, PERIOD), "vi")
    text = _text(shown)
    assert "Không có hồ sơ đang xét." in text and "0 trong 0" not in text
    assert not re.search(r"\| ?\d+,\d ", text.replace("</td>", "|")) and not re.search(r"\b\d+,[05]\b", text)


@pytest.mark.parametrize("lang", ["vi", "en", "fr"])
def test_a_cut_list_points_to_the_workbook(ds, shown, lang):
    by_unit = ind.projects_by_unit(ds, PERIOD)
    assert len(by_unit) > 5
    ws.show_projects_by_unit(by_unit, lang, max_rows=5)
    text = _text(shown)
    assert t("note.first_rows_workbook", lang, shown=5, total=len(by_unit)) in text
    assert {"vi": "tệp Excel", "en": "Excel workbook", "fr": "classeur Excel"}[lang] in text


def test_the_set_change_footnote_only_under_per_set_figures(ds, shown):
    from nrd.present import report as rp

    table = ind.build_indicator_table(ds, ["2026-01", "2026-02"])
    set_break = t("note.set_break", "vi", period="x", old="x", n_old=0, new="x", n_new=0)[:30]
    rp.show_headlines_of(table, "2026-02", "vi", ["projects.total", "appraisal.open", "ocop.five_star_candidates"])
    assert "Số công trình" in _text(shown) and set_break not in _text(shown)
    shown.clear()
    rp.show_headlines_of(table, "2026-02", "vi", ["criteria.avg_met", "projects.total"])
    assert set_break in _text(shown)

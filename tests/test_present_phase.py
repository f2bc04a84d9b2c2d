"""Phase sections and reference notes, by fragment: what a report shows in a later phase, in vi/en/fr."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from test_indicators_phase import C1, C3, PERIODS, _dataset
from test_indicators_phase import DEPARTMENTS, GROUPS, INDICATORS

from _display_capture import shown  # noqa: F401 (a fixture)
import nrd.indicators as ind
from nrd.present import phase as px
from nrd.present import report as rp




@pytest.fixture(scope="module")
def office():
    return _dataset(commune_groups=GROUPS, criteria_indicators=INDICATORS, criteria_departments=DEPARTMENTS)


@pytest.fixture(scope="module")
def table(office):
    return ind.build_indicator_table(office, [*PERIODS, "2025-05", "2026-04"])


def _text(html: list[str]) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", "\n".join(html)))


def test_headlines_of_a_later_phase_lead_with_it_and_note_the_change_of_set(table, shown):
    rp.show_headlines_of(table, "2026-05", "en", rp.PROVINCE_HEADLINES, province_code="37")
    text = _text(shown)
    assert text.index("Share of communes meeting every criterion") < text.index("Share of communes recognised under")
    assert "Share of communes advanced" not in text
    assert "crosses the change of criteria set in February 2026" in text and "19 criteria" in text
    shown.clear()
    rp.show_headlines_of(table, "2025-09", "vi", rp.PROVINCE_HEADLINES, province_code="37")
    assert "Tỷ lệ xã đạt NTM nâng cao" in _text(shown) and "chuyển bộ tiêu chí" not in _text(shown)


def test_the_previous_phase_block_has_no_target_and_names_the_phase(table, shown):
    rows = rp.headlines(table, "2026-05", "previous_phase", province_code="37")
    shown_rows = px.show_previous_phase(rows, "2026-05", "vi")
    assert "target" not in shown_rows and list(shown_rows["indicator"]) == list(rows["indicator"])
    text = _text(shown)
    assert "Kết quả giai đoạn 2021-2025" in text and "Tỷ lệ xã đạt NTM nâng cao" in text
    assert "Mục tiêu" not in text and "không so sánh với mục tiêu" in text
    shown.clear()
    px.show_previous_phase(rp.headlines(table, "2025-09", "previous_phase", province_code="37"), "2025-09", "vi")
    assert shown == []  # the first phase has no previous one


@pytest.mark.parametrize(("lang", "heading", "group"), [("vi", "Kết quả giai đoạn 2026-2030 theo nhóm xã", "Xã nhóm 2"),
                                                       ("en", "The 2026-2030 phase by commune group", "Group 2 communes"),
                                                       ("fr", "La phase 2026-2030 par groupe de communes",
                                                        "Communes du groupe 2")])
def test_results_by_commune_group_in_three_languages(table, office, shown, lang, heading, group):
    results = ind.group_results(table, "2026-05", "37")
    assert px.show_commune_groups(results, "2026-05", office.reference, lang)["all_met"].tolist() == \
        results["all_met"].tolist()
    text = _text(shown)
    assert heading in text and group in text and "(1/2)" in text  # C2, C3 in group 2; C3 meets all 10


def test_a_commune_current_result_beside_its_last_previous_phase_result(office, shown):
    unit = {"unit_code": C1, "name": "Xã Liêm Hà", "unit_type": "commune"}
    comparison = ind.phase_comparison(office, "2026-05", C1)
    px.show_commune_phase(comparison, unit, office.reference, "en")
    text = _text(shown)
    assert text.index("2026-2030 phase") < text.index("2021-2025 phase")  # the current phase first
    assert "Advanced NRA" in text and "19/19" in text and "10/10" in text and "Group 1 communes" in text
    shown.clear()
    profile = ind.commune_profile(office, "2026-05", C3)
    px.show_next_tier(ind.phase_comparison(office, "2026-05", C3), profile,
                      {"unit_code": C3, "name": "Xã Thanh Bình", "unit_type": "commune"}, office.reference, "en")
    assert "highest tier of the phase (Modern NRA)" in _text(shown)


def test_thresholds_by_group_and_the_count_of_indicators_on_file(office, shown):
    px.show_indicator_thresholds(ind.indicator_thresholds(office, "2026-05"), "2026-05", office.reference, "vi")
    text = _text(shown)
    assert "Ngưỡng nhóm 1" in text and "Ngưỡng nhóm 3" in text and "80%" in text
    assert "3/47 chỉ tiêu có trong dữ liệu tham chiếu" in text and "reference/criteria_indicators" in text


def test_notes_state_the_open_assumptions_and_the_office_rows(office, shown):
    plain = _dataset()
    rp.show_assumptions("vi", plain, "2025-09")
    text = _text(shown)
    assert "37/57 chỉ tiêu" in text and "Không có tệp dữ liệu tham chiếu của Văn phòng" in text
    assert "47 chỉ tiêu và ngưỡng theo nhóm xã chưa được nhập" not in text  # a 2026-2030 assumption
    shown.clear()
    rp.show_assumptions("en", office, "2026-05")
    text = _text(shown)
    assert "3/47 indicators on file" in text
    assert "reference/commune_groups&gt;: groups of 4 communes (group: communes 1: 1, 2: 2, 3: 1)" in text
    assert "departments of Decision 51/2025/QĐ-TTg (2026-2030) assigned to criteria and indicators 2, 3" in text
    assert "47 indicators and their thresholds" in text  # 3 of 47: the assumption stays


def test_charts_of_the_criteria_carry_the_set_name():
    from nrd.present import plots

    matrix = pd.DataFrame({"unit_name": ["A", "A"], "criterion": ["1", "2"], "status": ["met", "not_met"]})
    fig = plots.criteria_heatmap(matrix, "vi", set_name="QĐ 51/2025/QĐ-TTg (2026-2030)")
    assert fig.axes[0].get_title().endswith("— QĐ 51/2025/QĐ-TTg (2026-2030)")
    fig = plots.criteria_distribution_bar(pd.DataFrame({"criteria_met": [0, 1], "communes": [2, 3]}), "en",
                                          set_name="Decision 51/2025/QĐ-TTg (2026-2030)")
    assert "Decision 51/2025" in fig.axes[0].get_title()

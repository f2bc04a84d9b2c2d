"""Charts: one function per kind, language-aware labels, deterministic PNG bytes, no pyplot leak."""

import hashlib

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from nrd.present import plots  # noqa: E402


def _texts(fig):
    found = []
    for ax in fig.axes:
        found += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        found += [tick.get_text() for tick in ax.get_xticklabels() + ax.get_yticklabels()]
    for legend in fig.legends + [ax.get_legend() for ax in fig.axes if ax.get_legend()]:
        found += [text.get_text() for text in legend.get_texts()]
    return found


@pytest.fixture(scope="module")
def matrix():
    statuses = ["met", "not_met", "basically_met", None]
    return pd.DataFrame(
        [{"unit_name": f"Xã Đông Hưng {u:02d}", "criterion": str(c), "status": statuses[(u * c) % 4]}
         for u in range(97) for c in range(1, 20)]
    )


def test_house_style_uses_a_font_with_vietnamese_diacritics():
    plots.set_house_style()
    assert matplotlib.rcParams["font.sans-serif"][0] == "DejaVu Sans"
    assert matplotlib.rcParams["svg.hashsalt"] == "nrd"
    from matplotlib import font_manager

    font = font_manager.findfont("DejaVu Sans", fallback_to_default=False)
    from matplotlib.ft2font import FT2Font

    charmap = FT2Font(font).get_charmap()
    assert all(ord(ch) in charmap for ch in "ạắằẳẵặđơưỹ")


def test_heatmap_is_readable_at_97_by_19_and_deterministic(matrix):
    fig = plots.criteria_heatmap(matrix, "vi")
    ax = fig.axes[0]
    assert len(ax.get_yticklabels()) == 97
    assert [t.get_text() for t in ax.get_xticklabels()][:3] == ["1", "2", "3"]
    assert [t.get_text() for t in ax.get_xticklabels()][-1] == "19"  # natural order, not "10" after "1"
    assert fig.get_figheight() * 2.54 <= 29.7  # fits an A4 page
    first = hashlib.sha256(plots.figure_png(fig)).hexdigest()
    again = hashlib.sha256(plots.figure_png(plots.criteria_heatmap(matrix, "vi"))).hexdigest()
    assert first == again
    assert "Chưa báo cáo" in _texts(fig)  # missing status is shown, not dropped


def test_png_metadata_has_no_software_or_date(matrix):
    png = plots.figure_png(plots.ocop_stars_bar(pd.DataFrame({"stars": [3, 4, 5], "products": [10, 5, 1]})))
    assert b"Software" not in png and b"matplotlib" not in png.lower()
    assert b"Date" not in png


def test_labels_follow_the_report_language():
    counts = pd.DataFrame({"stars": [3, 4], "products": [12, 3]})
    fr = _texts(plots.ocop_stars_bar(counts, "fr"))
    assert "Produits OCOP actifs par étoiles" in fr and "5 étoiles" in fr
    vi = _texts(plots.ocop_stars_bar(counts, "vi"))
    assert "5 sao" in vi and "Số sản phẩm" in vi


def test_every_chart_kind_returns_a_figure_without_touching_pyplot(matrix):
    before = plt.get_fignums()
    money = pd.DataFrame({"source_name": ["NSTW", "Địa phương"], "plan_mvnd": [120_000.0, 80_000.0],
                          "disbursed_mvnd": [60_000.0, 20_000.0], "cumulative_mvnd": [5_000.0, 9_000.0]})
    figures = [
        plots.level_history_lines(pd.DataFrame({"period": ["2025-08", "2025-09"] * 2, "level": [1, 1, 2, 2],
                                                "communes": [40, 42, 10, 11]}), "en"),
        plots.criteria_distribution_bar(pd.DataFrame({"criteria_met": [17, 19], "communes": [3, 90]}), "en",
                                        total_criteria=19),
        plots.criteria_heatmap(matrix, "en"),
        plots.ocop_stars_bar(pd.DataFrame({"stars": [3], "products": [1]}), "en"),
        plots.ocop_groups_bar(pd.DataFrame({"group_name": ["Food", "Food", "Drinks"], "stars": [3, 4, 3],
                                            "products": [5, 2, 1]}), "en"),
        plots.capital_plan_vs_disbursed_bar(money, "en"),
        plots.disbursement_pace_line(pd.DataFrame({"period": ["2025-01", "2025-02"],
                                                   "disbursement_rate": [5.0, 12.0],
                                                   "target_rate": [8.3, 16.7]}), "en"),
        plots.mobilized_by_source_bar(money, "en"),
        plots.completeness_heatmap(pd.DataFrame({"unit_name": ["A", "A", "B", "B"],
                                                 "period": ["2025-08", "2025-09"] * 2,
                                                 "submitted": [True, False, True, True]}), "en"),
    ]
    assert all(isinstance(f, matplotlib.figure.Figure) for f in figures)
    assert all(plots.figure_png(f).startswith(b"\x89PNG") for f in figures)
    assert plt.get_fignums() == before


def test_money_axes_are_in_billions_with_the_unit():
    money = pd.DataFrame({"source_name": ["A"], "plan_mvnd": [2_000_000.0], "disbursed_mvnd": [500_000.0]})
    fig = plots.capital_plan_vs_disbursed_bar(money, "vi")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "Tỷ đồng"
    widths = sorted(p.get_width() for p in ax.patches)
    assert widths == [500.0, 2000.0]


def test_distribution_fills_absent_counts_with_zero():
    fig = plots.criteria_distribution_bar(pd.DataFrame({"criteria_met": [2], "communes": [7]}), "vi",
                                          total_criteria=4)
    heights = [p.get_height() for p in fig.axes[0].patches]
    assert heights == [0, 0, 7, 0, 0]


def test_missing_column_is_a_clear_error():
    with pytest.raises(ValueError, match="lacks column"):
        plots.ocop_stars_bar(pd.DataFrame({"n": [1]}), "vi")


def _met_trend(sets=("qd318_2022",) * 3 + ("qd51_2025",) * 3):
    periods = ["2025-12", "2026-01", "2026-02", "2026-03", "2026-04", "2026-05"][:len(sets)]
    return pd.DataFrame({"period": periods, "criteria_set": list(sets),
                         "criteria": [19 if s == "qd318_2022" else 10 for s in sets],
                         "unit_met": pd.array([19, 18, None, 7, 8, 8][:len(sets)], dtype="Float64"),
                         "median_met": pd.array([19, 19, 8, 8, 8, 9][:len(sets)], dtype="Float64"),
                         "communes": [97] * len(sets), "group": pd.array([2] * len(sets), dtype="Int64")})


@pytest.mark.parametrize(("lang", "title", "ylabel", "median"), [
    ("vi", "Số tiêu chí đạt theo tháng", "Số tiêu chí đạt (tiêu chí)", "Trung vị các xã nhóm 2"),
    ("en", "Criteria met by month", "Criteria met (number)", "Median of group 2 communes"),
    ("fr", "Critères atteints par mois", "Critères atteints (nombre)", "Médiane des communes du groupe 2"),
])
def test_criteria_met_trend_marks_the_set_change_in_the_report_language(lang, title, ylabel, median):
    from nrd.present.commune_trend import criteria_met_trend_alt, criteria_met_trend_line

    before = len(plt.get_fignums())
    fig = criteria_met_trend_line(_met_trend(), lang, unit_name="Xã Bình Lục")
    ax = fig.axes[0]
    assert (ax.get_title(), ax.get_ylabel()) == (title, ylabel) and ax.get_xlabel()
    assert ["Xã Bình Lục", median] == [t.get_text() for t in ax.get_legend().get_texts()]
    # the lines break at the change: a commune line and a median line per criteria set, and the dotted mark
    drawn = [line for line in ax.get_lines() if line.get_alpha() != 0]
    assert len(drawn) == 5 and [line.get_linestyle() for line in drawn].count(":") == 1
    marks = [a.get_text() for a in ax.texts]
    assert len(marks) == 1 and "(10 " in marks[0]  # the new set, with its number of criteria
    assert ax.get_ylim() == (0, 20)
    alt = criteria_met_trend_alt(_met_trend(), lang, unit_name="Xã Bình Lục")
    assert "Xã Bình Lục" in alt and median.lower() in alt and ("8" in alt and "10" in alt)
    assert {"vi": "Biểu đồ", "en": "Line chart", "fr": "Graphique"}[lang] in alt
    assert len(plt.get_fignums()) == before  # no pyplot figure left behind


def test_criteria_met_trend_under_one_set_has_no_mark_and_the_province_median():
    from nrd.present.commune_trend import criteria_met_trend_line

    trend = _met_trend(("qd318_2022",) * 3).assign(group=pd.array([None] * 3, dtype="Int64"))
    ax = criteria_met_trend_line(trend, "vi", unit_name="Xã A").axes[0]
    assert len(ax.texts) == 0 and "Trung vị các xã toàn tỉnh" in _texts(ax.figure)

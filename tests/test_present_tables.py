"""Styled HTML tables: escaped, localized, with shares' evidence and stable ids."""

import re

import pandas as pd
import pytest

from nrd.present.tables import Col, display_frame, styled_table

COLUMNS = [
    Col("name", "common.unit"),
    Col("met", "common.share", "share", denominator="scope"),
    Col("amount", "common.total", "money"),
    Col("status", "axis.criterion", "status"),
]


@pytest.fixture
def frame():
    return pd.DataFrame(
        {
            "name": ["<script>alert(1)</script>", "Xã Bình Lục"],
            "met": [95, 2],
            "scope": [97, 4],
            "amount": [1_234_500.0, None],
            "status": ["met", "basically_met"],
        }
    )


def test_values_are_escaped(frame):
    html = styled_table(frame, COLUMNS, "vi")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_literal_headers_and_caption_are_escaped(frame):
    html = styled_table(frame, [Col("name", "<b>x</b>")], "en", caption="a<b")
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert "a&lt;b" in html


def test_shares_show_numerator_and_denominator_in_locale(frame):
    text = display_frame(frame, COLUMNS, "vi")
    assert text.iloc[0, 1] == "97,9% (95/97)"
    assert text.iloc[1, 1] == "50,0% (2/4)"
    en = display_frame(frame, COLUMNS, "en")
    assert en.iloc[0, 2] == "1,234.5"
    assert list(en.columns) == ["Unit", "Share", "Total (billion VND)", "Criterion"]
    assert en.iloc[1, 3] == "Basically met"
    assert en.iloc[1, 2] == "–"


def test_same_input_same_bytes_and_no_random_ids(frame):
    first = styled_table(frame, COLUMNS, "fr")
    assert first == styled_table(frame.copy(), COLUMNS, "fr")
    ids = set(re.findall(r'id="([^"]+)"', first))
    assert len(ids) == 1 and next(iter(ids)).startswith("T_nrd")
    assert "row0_col0" not in first  # no per-cell ids


def test_input_frame_is_not_modified(frame):
    before = frame.copy()
    styled_table(frame, COLUMNS, "en")
    pd.testing.assert_frame_equal(frame, before)


def test_max_rows_and_bad_declarations(frame):
    assert styled_table(frame, COLUMNS, "vi", max_rows=1).count("<tr>") == 2
    with pytest.raises(ValueError, match="denominator"):
        styled_table(frame, [Col("met", "common.share", "share")], "vi")
    with pytest.raises(ValueError, match="no column"):
        styled_table(frame, [Col("nope", "common.unit")], "vi")


def test_report_meta_bundle_and_data_dir_resolution(tmp_path, monkeypatch):
    from nrd.errors import UsageError
    from nrd.present import report

    bundle = report.report_meta("ocop_portfolio", "en", "2025-09", as_of="2025-09-30")
    assert bundle == {report.REPORT_META_MIME: {"title": "OCOP portfolio", "subtitle": "Ninh Bình province",
                                                "period": "September 2025", "as_of": "30/09/2025", "lang": "en"}}
    (tmp_path / "notebooks" / "data").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    assert report.resolve_data_dir("data", tmp_path / "notebooks") == (tmp_path / "notebooks" / "data").resolve()
    with pytest.raises(UsageError, match="not found"):
        report.resolve_data_dir("nowhere", tmp_path / "notebooks")
    assert report.normalize_unit_code(1234) == "01234"


def test_headings_are_translated_and_escaped():
    from nrd.present.report import heading_html

    assert heading_html("section.ocop", "fr") == '<h2 id="section-ocop">Produits OCOP</h2>'
    assert heading_html("<i>x</i>", "vi", level=3).startswith("<h3") and "<i>" not in heading_html("<i>x</i>")

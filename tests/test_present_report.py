"""Report helpers: the precomputed indicator table (read, validated, completed), headline text, sections."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from nrd.io.indicator_table import INDICATOR_COLUMNS, IndicatorTableError, read_indicator_table

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"


@pytest.fixture(scope="module")
def demo():
    from nrd.io import read_dataset

    return read_dataset(DEMO)


@pytest.fixture(scope="module")
def two_months(demo) -> pd.DataFrame:
    from nrd.indicators import build_indicator_table

    return build_indicator_table(demo, ["2025-08", "2025-09"])


def test_read_indicator_table_round_trips_parquet_and_csv(two_months, tmp_path):
    two_months.to_parquet(tmp_path / "indicators.parquet", index=False)
    two_months.to_csv(tmp_path / "indicators.csv", index=False)
    for name in ("indicators.parquet", "indicators.csv"):
        table = read_indicator_table(tmp_path / name)
        assert list(table.columns) == list(INDICATOR_COLUMNS)
        pd.testing.assert_frame_equal(table, two_months.astype({"period": "str", "unit_code": "str",
                                                                 "indicator": "str"}), check_dtype=False)
        assert table["value"].dtype == "float64"


@pytest.mark.parametrize(("change", "column", "fragment"), [
    (lambda f: f.drop(columns=["numerator"]), "numerator", "lacks column"),
    (lambda f: f.assign(value=["x"] + list(f["value"].iloc[1:])), "value", "row 1 holds 'x'"),
    (lambda f: f.assign(period=["2025-13"] + list(f["period"].iloc[1:])), "period", "a month YYYY-MM"),
])
def test_a_bad_indicator_table_is_a_typed_error_naming_the_column(two_months, tmp_path, change, column, fragment):
    path = tmp_path / "indicators.csv"
    change(two_months.astype({"value": "object"})).to_csv(path, index=False)
    with pytest.raises(IndicatorTableError, match=fragment) as caught:
        read_indicator_table(path)
    assert caught.value.column == column and str(path) in str(caught.value)


def test_a_missing_or_unreadable_file_is_a_typed_error(tmp_path):
    with pytest.raises(IndicatorTableError, match="not found"):
        read_indicator_table(tmp_path / "nope.parquet")
    (tmp_path / "broken.parquet").write_bytes(b"not parquet")
    with pytest.raises(IndicatorTableError, match="not readable"):
        read_indicator_table(tmp_path / "broken.parquet")


def test_indicator_table_computes_only_the_periods_the_file_lacks(demo, two_months, tmp_path, monkeypatch):
    import nrd.indicators
    from nrd.present import report as rp

    path = tmp_path / "indicators.parquet"
    two_months.to_parquet(path, index=False)
    asked = []
    real = nrd.indicators.build_indicator_table

    def counting(ds, period_list):
        asked.append(list(period_list))
        return real(ds, period_list)

    monkeypatch.setattr(nrd.indicators, "build_indicator_table", counting)
    table = rp.indicator_table(demo, rp.comparison_periods("2025-09"), str(path))
    assert asked == [["2024-09"]]
    assert list(table["period"].unique()) == ["2024-09", "2025-08", "2025-09"]
    stored = table[table["period"] == "2025-09"].reset_index(drop=True)
    pd.testing.assert_frame_equal(stored, two_months[two_months["period"] == "2025-09"].reset_index(drop=True),
                                  check_dtype=False)
    asked.clear()
    rp.indicator_table(demo, ["2025-09"], str(path))
    assert asked == []


def test_indicator_table_of_another_province_is_refused(demo, two_months, tmp_path):
    from nrd.errors import UsageError
    from nrd.present import report as rp

    other = two_months.assign(unit_code=two_months["unit_code"].where(two_months["unit_code"] != "37", "01"))
    other.to_parquet(tmp_path / "other.parquet", index=False)
    with pytest.raises(UsageError, match="province"):
        rp.indicator_table(demo, ["2025-09"], str(tmp_path / "other.parquet"))


def test_headlines_show_shares_with_evidence_and_money_in_billions(two_months, demo):
    from nrd import periods
    from nrd.indicators import build_indicator_table
    from nrd.present import report as rp

    table = pd.concat([build_indicator_table(demo, ["2024-09"]), two_months])
    rows = rp.headlines(table, "2025-09", ["nra.recognized_share", "capital.plan_year"],
                        province_code=demo.province_code)
    text = rp.headline_frame(rows, "en")
    share = rows.iloc[0]
    assert f"({int(share['numerator'])}/{int(share['denominator'])})" in text.loc[0, "value"]
    assert text.loc[1, "value"].endswith("billion VND")
    assert list(rows["indicator"]) == ["nra.recognized_share", "capital.plan_year"]
    assert periods.previous_period("2025-09") in set(table["period"])


@pytest.mark.parametrize("lang", ["vi", "en", "fr"])
def test_section_tables_have_distinct_headers_in_every_language(lang):
    from nrd.present import report, sections, tables
    from nrd.present.tables import Col

    groups = [v for module in (sections, report) for v in vars(module).values()
              if isinstance(v, tuple) and v and all(isinstance(c, Col) for c in v)]
    groups += list(sections._WATCH_COLUMNS.values())
    assert len(groups) >= 10
    for columns in groups:
        headers = [tables._header(c, lang) for c in columns]
        assert len(set(headers)) == len(headers), headers


def test_styled_table_refuses_two_columns_with_the_same_header():
    from nrd.present.tables import Col, styled_table

    frame = pd.DataFrame({"a": [1], "b": [2]})
    with pytest.raises(ValueError, match="appear twice"):
        styled_table(frame, [Col("a", "axis.criterion"), Col("b", "axis.criterion")], "fr")


def test_a_commune_level_headline_names_the_level(two_months, demo):
    from nrd.indicators import compute_indicators
    from nrd.present import report as rp

    table = compute_indicators(demo, "2025-09")
    level = table[(table["unit_code"] == "13504") & (table["indicator"] == "nra.level")]["value"].iloc[0]
    names = {0: "Not recognized", 1: "NRA standard", 2: "Advanced NRA", 3: "Model NRA"}  # labels.yaml, en
    rows = rp.headlines(table, "2025-09", ["nra.level"], unit_code="13504")
    assert rp.headline_frame(rows, "en").loc[0, "value"] == f"{names[int(level)]} ({int(level)})"


def test_criteria_sets_are_shown_by_their_legal_name():
    from nrd.errors import UnknownNameError
    from nrd.present.i18n import criteria_set_name

    assert criteria_set_name("qd51_2025", "vi") == "QĐ 51/2025/QĐ-TTg (2026-2030)"
    assert criteria_set_name("qd318_2022", "en").startswith("Decision 318/QĐ-TTg")
    with pytest.raises(UnknownNameError):
        criteria_set_name("qd999", "vi")

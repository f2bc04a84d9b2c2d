"""Reading: file layouts, header matching, Vietnamese numbers, dates, periods, unit names, the cache."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _io_helpers import COMMUNE, TODAY, write_csv, write_valid_dataset, write_xlsx
from nrd.errors import MissingTableError, UsageError
from nrd.io import Dataset, read_dataset
from nrd.io import cells
from nrd.io.cache import KEEP_ENTRIES


def _read(folder, **kwargs):
    return read_dataset(folder, today=TODAY, use_cache=kwargs.pop("use_cache", False), **kwargs)


def test_vietnamese_headers_match_ignoring_case_spaces_and_diacritics(tmp_path):
    write_csv(
        tmp_path,
        "criteria_status",
        ["  KỲ BÁO CÁO ", "ma don vi", "Tiêu chí", "ket qua", "Cột lạ"],
        [["2025-09", COMMUNE, "2", "Đạt", "x"]],
    )
    ds = _read(tmp_path)
    frame = ds.table("criteria_status")
    assert frame[["period", "unit_code", "criterion", "status"]].iloc[0].tolist() == [
        "2025-09",
        COMMUNE,
        "2",
        "met",
    ]
    unknown = [f for f in ds.findings if f.rule == "unknown_column"]
    assert [(f.severity, f.column, f.row) for f in unknown] == [("warning", "Cột lạ", 1)]
    assert ds.errors == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1.234.567,5", 1234567.5),
        ("1234.5", 1234.5),
        ("1234,5", 1234.5),
        ("1,234,567.5", 1234567.5),
        ("12", 12.0),
        (" 1 234 ", 1234.0),
        (1234, 1234.0),
        (12.5, 12.5),
    ],
)
def test_numbers_in_vietnamese_and_plain_formats(text, expected):
    assert cells.parse_number(text) == expected


def test_money_column_reads_vietnamese_text_and_rejects_garbage(tmp_path):
    write_csv(
        tmp_path,
        "capital_mobilized",
        ["Kỳ báo cáo", "Nguồn vốn", "Lũy kế huy động (triệu đồng)"],
        [["2025-09", "tín dụng", "1.234.567,5"], ["2025-09", "cộng đồng, người dân", "12 triệu"]],
    )
    ds = _read(tmp_path)
    assert ds.table("capital_mobilized")["cumulative_mvnd"].tolist() == [1234567.5]
    (bad,) = ds.errors
    assert (bad.file, bad.row, bad.column, bad.value) == (
        "capital_mobilized.csv",
        3,
        "Lũy kế huy động (triệu đồng)",
        "12 triệu",
    )


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("2024-03-01", "2024-03-01"),
        ("01/03/2024", "2024-03-01"),
        ("1/3/2024", "2024-03-01"),
        (dt.datetime(2024, 3, 1), "2024-03-01"),
        (dt.date(2024, 3, 1), "2024-03-01"),
    ],
)
def test_dates_iso_day_first_and_excel(cell, expected):
    assert cells.parse_date(cell) == pd.Timestamp(expected)


def test_bad_date_names_row_and_column(tmp_path):
    write_csv(
        tmp_path,
        "recognitions",
        ["unit_code", "level", "decision_no", "decision_date"],
        [[COMMUNE, "nra", "1", "31/02/2024"]],
    )
    (bad,) = _read(tmp_path).errors
    assert (bad.rule, bad.row, bad.column, bad.value) == ("bad_value", 2, "decision_date", "31/02/2024")
    assert "dd/mm/yyyy" in bad.expected


@pytest.mark.parametrize("cell", ["2025-09", "09/2025", "9/2025", dt.datetime(2025, 9, 1), "2025-09-30"])
def test_periods_in_every_accepted_form(cell):
    assert cells.parse_month(cell) == "2025-09"


def test_unit_names_legacy_names_and_excel_numeric_codes_resolve(tmp_path):
    write_xlsx(
        tmp_path / "organization.xlsx",
        {
            "organization": (
                ["Kỳ báo cáo", "Mã đơn vị", "Ban chỉ đạo", "Số cán bộ phụ trách NTM"],
                [
                    ["2025-09", 13504, "có", 1],
                    ["2025-08", "13504.0", "không", 2],
                    ["2025-07", "Xã Bình Lục", "yes", 3],
                    ["2025-06", "binh luc", "no", 4],
                    ["2025-05", "Tràng An", True, 5],
                    ["2025-04", "Xã Không Có", "có", 6],
                ],
            )
        },
    )
    ds = _read(tmp_path)
    frame = ds.table("organization")
    assert frame["unit_code"].tolist() == [COMMUNE] * 5
    assert frame["steering_committee"].tolist() == [True, False, True, False, True]
    (bad,) = ds.errors
    assert (bad.file, bad.sheet, bad.row, bad.column, bad.value) == (
        "organization.xlsx",
        "organization",
        7,
        "Mã đơn vị",
        "Xã Không Có",
    )


def test_excel_date_cells_and_period_cells(tmp_path):
    write_xlsx(
        tmp_path / "ocop_registrations.xlsx",
        {
            "Sheet1": (
                [
                    "registration_id",
                    "product_name",
                    "entity_id",
                    "unit_code",
                    "cycle",
                    "registered_on",
                    "stage",
                ],
                [["R1", "Mật ong", "E1", COMMUNE, 2025, dt.datetime(2025, 4, 2), "đã đăng ký"]],
            )
        },
    )
    frame = _read(tmp_path, tables=["ocop_registrations"]).table("ocop_registrations")
    assert frame["registered_on"].tolist() == [pd.Timestamp("2025-04-02")]
    assert frame["stage"].tolist() == ["registered"]
    assert frame["cycle"].dtype == "Int64"


def test_dataset_workbook_with_one_sheet_per_table(tmp_path):
    write_xlsx(
        tmp_path / "dataset.xlsx",
        {
            "Hướng dẫn": (["Đọc kỹ"], [["..."]]),
            "capital_mobilized": (
                ["period", "source", "cumulative_mvnd"],
                [["2025-09", "credit", 10], ["2025-10", "credit", "x"]],
            ),
            "Tổ chức bộ máy": (
                ["period", "unit_code", "steering_committee", "nrd_officials"],
                [["2025-09", COMMUNE, "có", 1]],
            ),
        },
    )
    ds = _read(tmp_path)
    assert set(ds.tables) == {"capital_mobilized", "organization"}
    assert ds.files == {"capital_mobilized": "dataset.xlsx", "organization": "dataset.xlsx"}
    assert ds.table("organization")["_source"].tolist() == ["dataset.xlsx:Tổ chức bộ máy"]
    (bad,) = ds.errors
    assert (bad.file, bad.sheet, bad.row, bad.column) == (
        "dataset.xlsx",
        "capital_mobilized",
        3,
        "cumulative_mvnd",
    )


def test_row_numbers_follow_the_file_with_title_rows_and_blank_lines(tmp_path):
    path = tmp_path / "capital_mobilized.xlsx"
    import openpyxl

    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.append(["HUY ĐỘNG VỐN NTM"])
    sheet.append(["Kỳ báo cáo", "Nguồn vốn", "Lũy kế huy động (triệu đồng)"])
    sheet.append(["2025-08", "credit", 1])
    sheet.append([])
    sheet.append(["2025-09", "credit", -5])
    wb.save(path)
    ds = _read(tmp_path)
    assert ds.table("capital_mobilized")["_row"].tolist() == [3]
    (bad,) = ds.errors
    assert (bad.rule, bad.row, bad.column, bad.value) == (
        "out_of_range",
        5,
        "Lũy kế huy động (triệu đồng)",
        "-5",
    )


def test_csv_with_bom_and_semicolons(tmp_path):
    write_csv(
        tmp_path,
        "capital_mobilized",
        ["Kỳ báo cáo", "Nguồn vốn", "Lũy kế huy động (triệu đồng)"],
        [["2025-09", "tín dụng", "1.234,5"]],
        delimiter=";",
        bom=True,
    )
    frame = _read(tmp_path).table("capital_mobilized")
    assert frame["cumulative_mvnd"].tolist() == [1234.5]


def test_missing_required_column_is_an_error_naming_it(tmp_path):
    write_csv(tmp_path, "capital_mobilized", ["period", "cumulative_mvnd"], [["2025-09", "1"]])
    ds = _read(tmp_path)
    (bad,) = ds.errors
    assert (bad.rule, bad.column, bad.file) == ("missing_column", "source", "capital_mobilized.csv")
    assert ds.table("capital_mobilized").empty


def test_missing_folder_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError):
        read_dataset(tmp_path / "nope")


def test_missing_table_raises_only_when_asked_for(tmp_path):
    write_valid_dataset(tmp_path, organization=None)
    ds = _read(tmp_path)
    assert not ds.has("organization")
    with pytest.raises(MissingTableError):
        ds.table("organization")


def test_typed_dtypes_and_public_table_drops_personal_columns(tmp_path):
    ds = _read(write_valid_dataset(tmp_path))
    assert ds.errors == []
    entities = ds.table("ocop_entities")
    assert "phone" in entities.columns
    assert not {"phone", "representative"} & set(ds.public_table("ocop_entities").columns)
    products = ds.table("ocop_products")
    assert str(products["recognized_on"].dtype) == "datetime64[ns]"
    assert products["expires_on"].tolist() == [
        pd.Timestamp("2027-03-01")
    ]  # default: recognized_on + 36 months
    assert ds.table("capital_plan")["unit_code"].isna().tolist() == [False, True]
    assert ds.table("criteria_status")["criteria_set"].unique().tolist() == ["qd318_2022"]
    assert ds.latest_period == "2025-09"
    assert set(ds.input_hashes) == {f"{t}.csv" for t in ds.tables}


def test_province_code_from_dataset_yaml(tmp_path):
    (tmp_path / "dataset.yaml").write_text("province_code: 1\n", encoding="utf-8")
    write_csv(
        tmp_path,
        "organization",
        ["period", "unit_code", "steering_committee", "nrd_officials"],
        [["2025-09", "Phường Ba Đình", "có", 1], ["2025-09", COMMUNE, "có", 1]],
    )
    ds = _read(tmp_path)
    assert ds.province_code == "01"
    assert ds.table("organization")["unit_code"].tolist() == ["00004"]
    assert [f.row for f in ds.errors] == [3]  # 13504 is in Ninh Bình, not Hà Nội


def test_from_frames_coerces_and_adds_row_and_source():
    ds = Dataset.from_frames(
        {
            "criteria_status": pd.DataFrame(
                {"period": ["2025-09"], "unit_code": [13504], "criterion": [2], "status": ["Đạt"]}
            )
        }
    )
    frame = ds.table("criteria_status")
    assert frame.iloc[0][["unit_code", "criterion", "status", "_row"]].tolist() == [COMMUNE, "2", "met", 2]
    assert ds.findings == []


@pytest.fixture(autouse=True, scope="module")
def _private_cache(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NRD_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        yield


@pytest.fixture
def own_cache(tmp_path_factory, monkeypatch):
    """A cache folder of this test alone (entries are counted)."""
    monkeypatch.setenv("NRD_CACHE_DIR", str(tmp_path_factory.mktemp("own-cache")))


def _cache_dir():
    import os
    from pathlib import Path

    return Path(os.environ["NRD_CACHE_DIR"])


def test_cache_hit_returns_equal_frames_and_findings(tmp_path, own_cache):
    write_valid_dataset(
        tmp_path, capital_mobilized=(["period", "source", "cumulative_mvnd"], [["2025-09", "credit", "x"]])
    )
    first = read_dataset(tmp_path, today=TODAY)
    entries = list(_cache_dir().iterdir())
    assert len(entries) == 1
    second = read_dataset(tmp_path, today=TODAY)
    assert second.findings == first.findings and len(first.errors) == 1
    for name, frame in first.tables.items():
        pd.testing.assert_frame_equal(second.public_table(name), first.public_table(name))
    # personal columns are never cached: a cached read has them blank
    assert first.table("ocop_entities")["phone"].notna().all()
    assert second.table("ocop_entities")["phone"].isna().all()
    assert second.stats == first.stats


def test_corrupt_cache_is_ignored_and_a_changed_file_misses(tmp_path, own_cache):
    write_valid_dataset(tmp_path)
    first = read_dataset(tmp_path, today=TODAY)
    (entry,) = _cache_dir().iterdir()
    (entry / "criteria_status.arrow").write_bytes(b"not an Arrow file")
    again = read_dataset(tmp_path, today=TODAY)
    pd.testing.assert_frame_equal(again.table("criteria_status"), first.table("criteria_status"))
    write_csv(
        tmp_path, "capital_mobilized", ["period", "source", "cumulative_mvnd"], [["2025-09", "credit", "7"]]
    )
    changed = read_dataset(tmp_path, today=TODAY)
    assert changed.table("capital_mobilized")["cumulative_mvnd"].tolist() == [7.0]


def _vietnamese(value: float) -> str:
    """Written by hand the way the office types it: dots between thousands, a comma before decimals."""
    whole, decimals = f"{value:.1f}".split(".")
    groups = []
    while len(whole) > 3:
        whole, groups = whole[:-3], [whole[-3:], *groups]
    return ".".join([whole, *groups]) + "," + decimals


@settings(deadline=None)  # Babel loads its locale data on first use
@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=9))
def test_vietnamese_number_text_round_trips(whole, tenth):
    value = whole + tenth / 10
    assert cells.parse_number(_vietnamese(value)) == pytest.approx(value)


def test_old_cache_entries_are_pruned(tmp_path, own_cache):
    write_valid_dataset(tmp_path)
    for day in range(1, KEEP_ENTRIES + 4):
        write_csv(
            tmp_path,
            "capital_mobilized",
            ["period", "source", "cumulative_mvnd"],
            [["2025-09", "credit", day]],
        )
        read_dataset(tmp_path, today=TODAY)
    assert len(list(_cache_dir().iterdir())) == KEEP_ENTRIES


@pytest.mark.parametrize("cell", ["1" * 19, "1" * 40, "-" + "9" * 25, "12.345.678.901.234.567.890"])
def test_a_whole_number_too_long_for_a_count_is_a_finding_not_a_crash(tmp_path, cell):
    write_csv(tmp_path, "organization", ["period", "unit_code", "steering_committee", "nrd_officials"],
              [["2025-09", COMMUNE, "có", cell], ["2025-09", COMMUNE, "có", "3"]])
    (bad,) = _read(tmp_path).errors
    assert (bad.rule, bad.row, bad.column, bad.value) == ("bad_value", 2, "nrd_officials", cell)
    assert "18 digits" in bad.expected

"""The column-wise CSV path (``nrd.io.fast_csv``) reads exactly what the row-by-row path reads.

Every dataset here is read twice, through ``read_dataset`` without cache: once as shipped (CSV through
pyarrow where the fast path accepts the file) and once with the fast path switched off (every CSV through
the csv module, the reference). Frames (values and dtypes) and findings (file, sheet, row, column, value,
message) must be identical. Each case also says whether the fast path must have taken the file, so that a
fast path that silently declines everything fails here too.
"""

from __future__ import annotations

import unicodedata

import pandas as pd
import pytest

from _io_helpers import COMMUNE, COMMUNE_2, TODAY, WARD
from test_io_encodings import cp1258
from nrd.io import fast_csv, read_dataset


def _read_both(folder, monkeypatch):
    taken = []
    original = fast_csv.read_columns

    def spy(*args, **kwargs):
        result = original(*args, **kwargs)
        taken.append(result is not None)
        return result

    with monkeypatch.context() as patch:
        patch.setattr(fast_csv, "read_columns", spy)
        fast = read_dataset(folder, use_cache=False, today=TODAY)
    with monkeypatch.context() as patch:
        patch.setattr(fast_csv, "read_columns", lambda *args, **kwargs: None)
        slow = read_dataset(folder, use_cache=False, today=TODAY)
    return fast, slow, taken


def _assert_same(fast, slow):
    assert sorted(fast.tables) == sorted(slow.tables)
    for name in slow.tables:
        pd.testing.assert_frame_equal(fast.tables[name], slow.tables[name], check_dtype=True, obj=name)
    assert fast.findings == slow.findings
    assert fast.stats == slow.stats


PLAN_HEADER = "Năm kế hoạch,Nguồn vốn,Mã đơn vị,Số tiền (triệu đồng)"


def _plan_rows(amounts: list[str]) -> str:
    # One row per amount, each its own unit/year so that no key repeats unless a case wants it.
    lines = []
    for index, amount in enumerate(amounts):
        unit = (COMMUNE, COMMUNE_2, WARD)[index % 3]
        cell = f'"{amount}"' if "," in amount or "\n" in amount or '"' in amount else amount
        lines.append(f"{2000 + index},central_investment,{unit},{cell}")
    return "\n".join(lines) + "\n"


AMOUNTS = ["1.234,5", "1,234.5", "12,345", "1.234", "1.234.567", "1,234,567", "1 234", "-5", "-1.234,5",
           "=1+1", "", "   ", "0,5", "0.5", "12,3456", "1.2.3", "1e5", "１２", "+7", ".5", "5.", "1,2,3",
           "+1.000", "+12,345", "+1.234.567", "\u22121.234,5", "\u22127", "+-5", "- 1.000", "\u2212"]

CRITERIA = (
    "Kỳ báo cáo,Mã đơn vị,Tiêu chí,Kết quả,Ghi chú\n"
    f"2025-09,{COMMUNE},1,đạt,\"ghi chú, có dấu phẩy\"\n"
    f"2025-09,{COMMUNE},2,chưa đạt,\"hai\ndòng\"\n"
    f"2025-09,Xã Liêm Hà,1,met,\n"
    f"2025-09,Liêm Hà,2,met,\"nói \"\"đạt\"\"\"\n"
    f"2025-09,{WARD},1,met,\n"
    f"2025-09,{COMMUNE},1,met,trùng khóa\n"
    f"2025-13,{COMMUNE},3,met,\n"
    f"2026-09,{COMMUNE},4,met,\n"
    f"09/2025,{COMMUNE_2},3,đạt,\n"
    f"2025-09,99999,1,met,\n"
    f"2025-09,{COMMUNE},,met,\n"
    f"2025-09,{COMMUNE},5,maybe,\n"
    ",,,,\n"
    "  ,  ,,,\n"
    f"2025-09,{COMMUNE_2},2,met,=SUM(A1:A2)\n"
)

RECOGNITIONS = (
    "Mã đơn vị,Mức đạt chuẩn,Số quyết định,Ngày quyết định,Ngày thu hồi\n"
    f"{COMMUNE},nra,10/QĐ,01/05/2023,\n"
    f"{COMMUNE},advanced,11/QĐ,2024-06-01,\n"
    f"{COMMUNE_2},advanced,12/QĐ,31/02/2024,\n"
    f"{COMMUNE_2},model,13/QĐ,2024-06-01 10:30,\n"
    f"{COMMUNE_2},nra,14/QĐ,1/6/2030,\n"
    f"{COMMUNE_2},nra,15/QĐ,hôm qua,\n"
    f"{WARD},nra,16/QĐ,2023.05.01,01-01-2024\n"
)


def _cases() -> dict[str, tuple[dict[str, bytes], str, bool]]:
    """name -> (files, number_locale, whether the fast path must take every CSV)."""
    plan = PLAN_HEADER + "\n" + _plan_rows(AMOUNTS)
    # Semicolons (Excel where the decimal mark is a comma): the amounts' commas are then unquoted.
    semicolons = PLAN_HEADER.replace(",", ";") + "\n" + "\n".join(
        f"{2000 + i};central_investment;{(COMMUNE, COMMUNE_2, WARD)[i % 3]};{a}" for i, a in enumerate(AMOUNTS)
    ) + "\n"
    both = {"capital_plan.csv": plan.encode(), "criteria_status.csv": CRITERIA.encode(),
            "recognitions.csv": RECOGNITIONS.encode()}
    return {
        "vi": (both, "vi", True),
        "en": (both, "en", True),
        "semicolons": ({"capital_plan.csv": semicolons.encode()}, "vi", True),
        "crlf_bom": ({name: b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n") for name, data in both.items()},
                     "vi", True),
        "title_line": ({"capital_plan.csv": ("BÁO CÁO KẾ HOẠCH VỐN\n\n" + plan).encode(),
                        "criteria_status.csv": ("Tiêu đề,,\n" + CRITERIA).encode()}, "vi", True),
        "blank_lines": ({"capital_plan.csv": plan.replace("\n", "\n\n", 3).encode()}, "vi", True),
        "cp1258": ({"criteria_status.csv": cp1258(CRITERIA), "recognitions.csv": cp1258(RECOGNITIONS)},
                   "vi", True),
        # UTF-8 that is not NFC: pyarrow reads the normalised text encoded again, not the file's bytes.
        "nfd": ({"criteria_status.csv": unicodedata.normalize("NFD", CRITERIA).encode()}, "vi", True),
        "utf16_tabs": ({"capital_plan.csv": plan.replace(",", "\t").encode("utf-16")}, "vi", True),
        "duplicate_keys": ({"capital_plan.csv": (plan + _plan_rows(AMOUNTS[:3])).encode()}, "vi", True),
        "wrong_headers": ({"capital_plan.csv": plan.replace("Nguồn vốn", "Nguồn").encode(),
                           "criteria_status.csv": CRITERIA.replace("Ghi chú", "Cột lạ").encode(),
                           "recognitions.csv": RECOGNITIONS.replace("Ngày thu hồi", "Mã đơn vị").encode()},
                          "vi", True),
        # Records of another width than the header: the csv module decides (the fast path declines).
        "ragged": ({"capital_plan.csv": (plan + "2030,central_investment\n2031,x,y,z,w,v\n").encode()},
                   "vi", False),
        # Records blank in every column but one (each column in turn): only the fully blank ones go.
        "partly_blank": ({"capital_plan.csv": (plan + ",,,\n ,\u00a0,\t,\n,,,7\n2031,,,\n,x,,\n , ,13504, \n"
                                               ",,,\u2003\n").encode()}, "vi", True),
        "whitespace_line": ({"capital_plan.csv": (plan + "   \n" + _plan_rows(["7"])).encode()}, "vi", False),
        # pyarrow reads it as the csv module does (the last cell runs to the end of the file).
        "unterminated_quote": ({"capital_plan.csv": (plan + '2040,central_investment,13504,"12\n').encode()},
                               "vi", True),
    }


@pytest.mark.parametrize("case", list(_cases()))
def test_hostile_csv_reads_the_same_both_ways(tmp_path, monkeypatch, case):
    files, locale, fast_expected = _cases()[case]
    (tmp_path / "dataset.yaml").write_text(f"number_locale: {locale}\n", encoding="utf-8")
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    fast, slow, taken = _read_both(tmp_path, monkeypatch)
    _assert_same(fast, slow)
    assert taken and all(taken) if fast_expected else not all(taken)
    # The cases are hostile: the comparison covers findings and read rows, not only clean frames.
    assert {f.rule for f in slow.findings} & {"bad_value", "missing_column"}
    assert any(len(frame) for frame in slow.tables.values())


@pytest.fixture(scope="module")
def demo_csv(tmp_path_factory):
    from nrd.demo import generate_demo_dataset

    folder = tmp_path_factory.mktemp("demo_csv")
    generate_demo_dataset(folder, fmt="csv")
    return folder


@pytest.fixture(scope="module")
def national_slice(tmp_path_factory):
    """The national dataset (every province, 3,321 units) over its first months only."""
    from nrd.demo import generate_demo_dataset

    folder = tmp_path_factory.mktemp("national_slice")
    generate_demo_dataset(folder, province="all", end="2021-03", fmt="csv")
    return folder


@pytest.mark.parametrize("dataset", ["demo_csv", "national_slice"])
def test_generated_datasets_read_the_same_both_ways(request, monkeypatch, dataset):
    fast, slow, taken = _read_both(request.getfixturevalue(dataset), monkeypatch)
    _assert_same(fast, slow)
    assert taken and all(taken)
    assert sum(len(frame) for frame in fast.tables.values()) > 1000


def test_a_cell_changed_by_the_fast_path_is_caught(tmp_path, monkeypatch):
    """The comparison above can fail: a fast path that reads one cell differently is told apart."""
    (tmp_path / "capital_plan.csv").write_bytes((PLAN_HEADER + "\n" + _plan_rows(["1.234,5", "7"])).encode())
    original = fast_csv._encoded

    def altered(table, header_index):
        cells = original(table, header_index)
        codes, uniques = cells.columns[3]
        cells.columns[3] = (codes, [u.replace("7", "8") for u in uniques])
        return cells

    monkeypatch.setattr(fast_csv, "_encoded", altered)
    fast, slow, _ = _read_both(tmp_path, monkeypatch)
    with pytest.raises(AssertionError):
        _assert_same(fast, slow)

"""Each distinct cell of a column is parsed once, plain digits are cast by pyarrow, and pandera is skipped
when a table surely passes its schema: none of it may change what is read.

A finding still names the exact row of every offending cell, however many rows share its text; a cell the
plain-digit cast takes reads as the parser reads it; a read with the schema shortcut gives the findings of
a read where pandera checks every table.
"""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _io_helpers import COMMUNE, COMMUNE_2, TODAY, WARD
from nrd.contract import TABLES
from nrd.io import cells, fast_csv, parse, read_dataset, schemas

# Cells an office may type, and cells that only look like plain digits.
HOSTILE = ["0", "05", "-0", "-007", "7", "123456789012345", "-999999999999999", "1" * 16, "1" * 40,
           "9" * 400, "٣", "-٣", "١٢", "１２", "𝟙𝟚", "²", "+5", "+-3", "--3", " 5", "5 ", "5\n", "\t5",
           "5\u00a0", "1 234", "-", "+", "", "  ", "1.5", "12,5", "1.234,5", "1,234.5", "12,345", "0x10", "1e5",
           "NaN", "1_000", "abc"]


def _same(a, b) -> bool:
    """Equal results of the parser: values (and the sign of a zero), or errors saying the same."""
    if isinstance(a, cells.CellError) or isinstance(b, cells.CellError):
        return type(a) is type(b) and a.expected == b.expected
    if a is None or b is None:
        return a is b
    (x, form_a), (y, form_b) = a, b
    if x is None or y is None:  # a blank cell
        return x is y and form_a == form_b
    return x == y and type(x) is type(y) and form_a == form_b and math.copysign(1, x) == math.copysign(1, y)


def _parser_results(column, uniques, locale):
    parser = parse._cell_parser(column, None, locale)
    out = []
    for cell in [*uniques, None]:
        try:
            out.append(parser(cell))
        except cells.CellError as error:
            out.append(error)
    return out


@pytest.mark.parametrize("locale", ["vi", "en"])
@pytest.mark.parametrize("table, name", [("capital_plan", "amount_mvnd"), ("capital_plan", "year"),
                                         ("ocop_products", "score")])
def test_plain_digits_are_cast_as_the_parser_reads_them(locale, table, name):
    column = next(c for c in TABLES[table].columns if c.name == name)
    uniques = [text for text in HOSTILE if column.type != "int" or len(text) < 19]  # int(1e40) overflows
    fast = parse._parse_distinct(column, parse._cell_parser(column, None, locale), uniques)
    slow = _parser_results(column, uniques, locale)
    assert all(_same(a, b) for a, b in zip(fast, slow, strict=True)), list(zip(uniques, fast, slow))


def test_only_ascii_digits_with_a_leading_minus_are_cast():
    values = dict(zip(HOSTILE, parse._plain_numbers(HOSTILE)))
    cast = {text for text, value in values.items() if value is not None}
    assert cast == {"0", "05", "-0", "-007", "7", "123456789012345", "-999999999999999"}
    assert math.copysign(1, values["-0"]) == -1.0 and values["-007"] == -7.0
    assert parse._plain_numbers([1234, "5"]) is None  # a workbook's numbers: the parser reads them
    assert parse._plain_numbers(["5", None]) == [5.0, None]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789-+.,٣１𝟙 \u00a0", max_size=20), st.sampled_from(["vi", "en"]))
def test_a_cast_cell_reads_the_same_through_the_parser(text, locale):
    [value] = parse._plain_numbers([text])
    if value is not None:
        assert cells.read_number(text, locale) == (value, cells.NEUTRAL)
        assert math.copysign(1, value) == math.copysign(1, float(text))
    else:  # left to the parser exactly when it is not plain digits
        assert not re.fullmatch(parse._PLAIN_DIGITS, text)


PLAN_HEADER = "Năm kế hoạch,Nguồn vốn,Mã đơn vị,Số tiền (triệu đồng)\n"
SOURCES = ["central_investment", "local_budget", "central_recurrent", "credit"]


def _plan(tmp_path, amounts: list[str], locale: str = "vi"):
    """capital_plan with one row per amount (every key distinct) in a fresh folder."""
    (tmp_path / "dataset.yaml").write_text(f"number_locale: {locale}\n", encoding="utf-8")
    units = [COMMUNE, COMMUNE_2, WARD]
    lines = [f"{2000 + i // 12},{SOURCES[i // 3 % 4]},{units[i % 3]},\"{amount}\""
             for i, amount in enumerate(amounts)]
    (tmp_path / "capital_plan.csv").write_text(PLAN_HEADER + "\n".join(lines) + "\n", encoding="utf-8")


def _both_ways(tmp_path, monkeypatch):
    fast = read_dataset(tmp_path, use_cache=False, today=TODAY)
    with monkeypatch.context() as patch:  # the reference: the csv module, every cell through the parser
        patch.setattr(fast_csv, "read_columns", lambda *args, **kwargs: None)
        patch.setattr(parse, "_plain_numbers", lambda uniques: None)
        patch.setattr(schemas, "surely_valid", lambda *args: False)
        slow = read_dataset(tmp_path, use_cache=False, today=TODAY)
    pd.testing.assert_frame_equal(fast.table("capital_plan"), slow.table("capital_plan"), check_dtype=True)
    assert fast.findings == slow.findings
    return fast


def test_a_bad_cell_among_repeats_names_its_own_rows(tmp_path, monkeypatch):
    amounts = ["1.234,5", "7", "1,2,3", "7", "-5", "1.234,5", "", "1,2,3", "7", "٣", "-5", "12,5"] * 3
    _plan(tmp_path, amounts)
    ds = _both_ways(tmp_path, monkeypatch)
    rows = {rule: [(f.row, f.value) for f in ds.findings if f.rule == rule]
            for rule in ("bad_value", "required_missing", "out_of_range")}
    # Row n of the file is amounts[n - 2]: the same text on three rows is three findings, each its own row.
    assert rows["bad_value"] == [(r, amounts[r - 2]) for r in (4, 9, 11, 16, 21, 23, 28, 33, 35)]
    assert rows["required_missing"] == [(8, ""), (20, ""), (32, "")]
    assert rows["out_of_range"] == [(r, "-5") for r in (6, 12, 18, 24, 30, 36)]
    assert {f.column for f in ds.findings if f.rule != "duplicate_key"} == {"Số tiền (triệu đồng)"}
    kept = ds.table("capital_plan").set_index("_row")["amount_mvnd"]
    assert kept[2] == 1234.5 and kept[3] == 7.0 and kept[13] == 12.5 and 4 not in kept.index


def test_repeated_locale_dependent_cells_are_each_named(tmp_path, monkeypatch):
    # "12,345" reads differently in the two forms and the file holds an en-only "1,234.5": every row of it.
    _plan(tmp_path, ["12,345", "7", "12,345", "1,234.5", "12,345", "05", "-0"])
    ds = _both_ways(tmp_path, monkeypatch)
    assert [f.row for f in ds.findings if f.rule == "number_locale_dependent"] == [2, 4, 6]
    kept = ds.table("capital_plan").set_index("_row")["amount_mvnd"]
    assert kept[7] == 5.0 and kept[8] == 0.0 and math.copysign(1, kept[8]) == -1.0


def test_the_schema_shortcut_only_answers_when_pandera_would_find_nothing():
    valid = {"period": ["2025-09", "2025-10"], "unit_code": [COMMUNE, WARD], "criterion": ["1", "2"],
             "status": ["met", "not_met"]}
    broken = {
        "a code of other digits": {"unit_code": ["١٢٣٤٥", WARD]},
        "a full-width code": {"unit_code": ["１３５０４", WARD]},
        "a short code": {"unit_code": ["1350", WARD]},
        "a code and a newline": {"unit_code": [COMMUNE + "\n", WARD]},
        "a period without its dash": {"period": ["202509", "2025-10"]},
        "a status outside the enum": {"status": ["met", "maybe"]},
        "a blank required cell": {"status": ["met", None]},
    }
    for case, change in [("valid", {}), *broken.items()]:
        frame = schemas.coerce_frame("criteria_status", pd.DataFrame(valid))
        for name, values in change.items():  # as a parser gone wrong would leave them
            frame[name] = pd.Series(values, dtype="str")
        distinct = {name: frame[name].drop_duplicates() for name in frame.columns}
        sure = schemas.surely_valid("criteria_status", frame, distinct)
        failures = schemas.schema_failures("criteria_status", frame)
        # Doubt is allowed (pandera reads "١٢٣٤٥" as five digits), a wrong "sure" is not.
        assert sure == (case == "valid") and (failures.empty or not sure), case


def test_the_schema_shortcut_checks_ranges_on_every_distinct_value():
    frame = schemas.coerce_frame("ocop_products", pd.DataFrame({
        "product_id": ["P1", "P2"], "product_name": ["a", "b"], "entity_id": ["E1", "E2"],
        "unit_code": [COMMUNE, WARD], "group": [1, 6], "score": [50.0, 100.0], "stars": [3, 5],
        "recognized_on": ["2024-01-02", "2024-03-04"], "decision_no": ["1/QĐ", "2/QĐ"],
    }))
    distinct = {name: frame[name] for name in frame.columns}
    assert schemas.surely_valid("ocop_products", frame, distinct)
    assert schemas.schema_failures("ocop_products", frame).empty
    # A value only the distinct cells hold (a row already rejected) is doubt enough: pandera decides.
    assert not schemas.surely_valid("ocop_products", frame, {**distinct, "score": pd.Series([50.0, 100.5])})
    frame.loc[1, "score"] = 100.5
    assert not schemas.surely_valid("ocop_products", frame, {**distinct, "score": frame["score"]})
    assert list(schemas.schema_failures("ocop_products", frame)["failure_case"]) == [100.5]


@pytest.mark.parametrize("case", ["vi", "en", "crlf_bom", "wrong_headers", "title_line"])
def test_a_read_with_the_schema_shortcut_is_a_read_with_pandera(tmp_path, monkeypatch, case):
    from test_io_fast_csv import _cases

    files, locale, _ = _cases()[case]
    (tmp_path / "dataset.yaml").write_text(f"number_locale: {locale}\n", encoding="utf-8")
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    asked = []
    original = schemas.surely_valid
    monkeypatch.setattr(schemas, "surely_valid", lambda *args: asked.append(original(*args)) or asked[-1])
    shortcut = read_dataset(tmp_path, use_cache=False, today=TODAY)
    monkeypatch.setattr(schemas, "surely_valid", lambda *args: False)
    pandera = read_dataset(tmp_path, use_cache=False, today=TODAY)
    assert True in asked  # some table was not given to pandera
    assert sorted(shortcut.tables) == sorted(pandera.tables)
    for name, frame in pandera.tables.items():
        pd.testing.assert_frame_equal(shortcut.tables[name], frame, check_dtype=True, obj=name)
    assert shortcut.findings == pandera.findings


@pytest.mark.parametrize("values, dtype", [
    (["13504", None, "13285", "13504", "99999", None], "str"),
    (["2025-09", "2025-10", "2025-09", None], "object"),
    ([1, 2, None, 2, 3], "Int64"),
    ([1.5, float("nan"), 2.0, 1.5], "float64"),
    ([], "str"),
])
@pytest.mark.parametrize("mapping", [
    {"13504": "commune", "13285": "ward", "2025-09": "2021-2025", 1: "one", 2.0: 7, 1.5: None},
    {"13504": 1, "2025-10": 2.5, 2: 3},
    {float("nan"): "blank", "13504": "x", 1: 0},
    {},
])
def test_map_distinct_is_series_map(values, dtype, mapping):
    from nrd.io.distinct import map_distinct

    series = pd.Series(values, dtype=dtype, name="unit_code", index=range(10, 10 + len(values)))
    pd.testing.assert_series_equal(map_distinct(series, mapping), series.map(mapping), check_dtype=True)

"""Numbers typed as text, read in the dataset's declared locale (``number_locale`` in dataset.yaml).

The expected values here are computed from digits, never by Babel (which does the reading): a test of the
reader against itself could not fail.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _io_helpers import TODAY, write_csv, write_xlsx
from nrd.errors import ReferenceDataError
from nrd.io import cells, read_dataset

MOBILIZED = ["Kỳ báo cáo", "Nguồn vốn", "Lũy kế huy động (triệu đồng)"]
AMOUNT = MOBILIZED[2]
SOURCES = ["tín dụng", "cộng đồng, người dân", "doanh nghiệp, HTX", "NSTW sự nghiệp", "ngân sách địa phương",
           "vốn lồng ghép", "NSTW đầu tư phát triển"]
SEPARATORS = {"vi": (".", ","), "en": (",", ".")}  # (thousands, decimal)
SIGNS = {"": 1, "+": 1, "-": -1, "\u2212": -1}  # a leading sign as written -> its factor (U+2212: minus)


def _read(folder, locale: str | None = None):
    if locale is not None:
        (folder / "dataset.yaml").write_text(f"number_locale: {locale}\n", encoding="utf-8")
    return read_dataset(folder, today=TODAY, use_cache=False)


def _amounts(folder, texts: list[str], locale: str | None = None):
    rows = [["2025-09", SOURCES[i], text] for i, text in enumerate(texts)]
    write_csv(folder, "capital_mobilized", MOBILIZED, rows)
    ds = _read(folder, locale)
    return ds, ds.table("capital_mobilized")["cumulative_mvnd"].tolist()


# --- the cases of issue 12 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, vi, en",
    [
        ("0,125", 0.125, 0.125),  # en cannot group after a lone 0: one reading
        ("12,345", 12.345, 12345.0),
        ("1,250", 1.25, 1250.0),
        ("1.234", 1234.0, 1.234),
        ("1.234,5", 1234.5, 1234.5),  # a dot before a comma is only Vietnamese
        ("1,234.5", 1234.5, 1234.5),  # a comma before a dot is only English
        ("1.234.567", 1234567.0, 1234567.0),
        ("1,234,567", 1234567.0, 1234567.0),
        ("1234,5", 1234.5, 1234.5),
        ("1234.5", 1234.5, 1234.5),
        (" 1 234,5 ", 1234.5, 1234.5),
        ("-12,5", -12.5, -12.5),
        # a leading sign does not change the reading (Babel's strict check used to fail on it)
        ("+1.000", 1000.0, 1.0),
        ("+1.234.567", 1234567.0, 1234567.0),
        ("+12,345", 12.345, 12345.0),
        ("+1,250", 1.25, 1250.0),
        ("\u22121.234,5", -1234.5, -1234.5),  # U+2212, the typographic minus
        ("\u221212", -12.0, -12.0),
        ("- 1.000", -1000.0, -1.0),
        ("12", 12.0, 12.0),
        (1234, 1234.0, 1234.0),  # Excel numbers are numbers in every locale
        (12.345, 12.345, 12.345),
    ],
)
def test_numbers_read_by_the_declared_locale(text, vi, en):
    assert cells.parse_number(text, "vi") == pytest.approx(vi)
    assert cells.parse_number(text, "en") == pytest.approx(en)
    assert cells.parse_number(text) == pytest.approx(vi)  # Vietnamese by default


@pytest.mark.parametrize(
    "text", ["1e5", "NaN", "Infinity", "-inf", "1_000", "١٢", "--5", "+-5", "1.2.3", "1,2,3", "1.23.456",
             "12 triệu", "0x10", "1,234.5,6", ",", ".", "", "\u200b12",
             "+", "-", "\u2212", "++5", "\u2212-5", "-\u22125", "5-", "1.000+", "\u2010 5"],
)
def test_what_no_locale_reads_is_rejected(text):
    if text == "":
        assert cells.parse_number(text, "vi") is None
        return
    for locale in ("vi", "en"):
        with pytest.raises(cells.CellError):
            cells.parse_number(text, locale)


# --- every d,ddd and d.ddd shape, both locales ----------------------------------------------------------


def _grouped(whole: int, thousands: str) -> str:
    digits = str(whole)
    groups = []
    while len(digits) > 3:
        digits, groups = digits[:-3], [digits[-3:], *groups]
    return thousands.join([digits, *groups])


@settings(deadline=None)  # the first example loads Babel's locale data
@given(
    locale=st.sampled_from(["vi", "en"]),
    lead=st.integers(min_value=0, max_value=999),
    group=st.integers(min_value=0, max_value=999),
    sign=st.sampled_from(list(SIGNS)),
)
def test_every_single_group_shape(locale, lead, group, sign):
    """``L,GGG`` and ``L.GGG``: the declared locale's thousands form groups (unless the lead is 0, which no
    one groups), its decimal form is a decimal; the other reading only where the declared one fails. A
    leading sign changes the sign only."""
    thousands, decimal = SEPARATORS[locale]
    tail = f"{group:03d}"
    factor = SIGNS[sign]
    as_decimal = factor * (lead + group / 1000)
    # Declared decimal form: always a decimal.
    value, form = cells.read_number(f"{sign}{lead}{decimal}{tail}", locale)
    assert value == pytest.approx(as_decimal)
    assert form == (cells.AMBIGUOUS if lead else cells.DECLARED)
    # Declared thousands form: thousands, except after a lone 0 (then only the other locale's decimal fits).
    value, form = cells.read_number(f"{sign}{lead}{thousands}{tail}", locale)
    if lead:
        assert (value, form) == (factor * (lead * 1000 + group), cells.AMBIGUOUS)
    else:
        assert (value, form) == (pytest.approx(as_decimal), cells.OTHER)


@settings(deadline=None)  # the first example loads Babel's locale data
@given(
    locale=st.sampled_from(["vi", "en"]),
    whole=st.integers(min_value=0, max_value=10**12),
    decimals=st.one_of(st.none(), st.integers(min_value=0, max_value=99)),
    sign=st.sampled_from(list(SIGNS)),
)
def test_numbers_written_in_either_locale_read_back(locale, whole, decimals, sign):
    """A number written in the declared form reads back exactly; written in the other form it reads back
    too unless it is a single group of three digits (that shape is the declared form's)."""
    other = cells.other_locale(locale)
    expected = whole + (decimals / 100 if decimals is not None else 0)
    expected = SIGNS[sign] * expected
    for form_locale in (locale, other):
        thousands, decimal = SEPARATORS[form_locale]
        text = _grouped(whole, thousands) + (f"{decimal}{decimals:02d}" if decimals is not None else "")
        text = sign + text
        read = cells.parse_number(text, locale)
        single_group = decimals is None and 1000 <= whole < 1_000_000
        if form_locale == locale or not single_group:
            assert read == pytest.approx(expected), text
        else:  # "12,345" in a vi file: vi's decimal, 1000 times smaller
            assert read == pytest.approx(expected / 1000), text


SHAPES = [
    (declared, written, sign, lead, groups, decimals)
    for declared in ("vi", "en")
    for written in ("vi", "en")
    for sign in SIGNS
    for lead in ("1", "12", "123")
    for groups in range(4)
    for decimals in ("", "5", "25", "125")
]


@pytest.mark.parametrize("declared, written, sign, lead, groups, decimals", SHAPES)
def test_every_shape_exhaustively(declared, written, sign, lead, groups, decimals):
    """Every shape ``L(,GGG){0-3}(.D{0-3})`` written in either form, with or without a leading sign, read
    in either locale; the expected value worked out from the digits: a text in the declared form reads as
    written; in the other form it reads as written unless the declared grammar also fits it, which happens
    for exactly two shapes. The sign changes the sign of the value, never the reading."""
    thousands, decimal = SEPARATORS[written]
    digits = ["456", "789", "012"][:groups]
    text = sign + thousands.join([lead, *digits]) + (decimal + decimals if decimals else "")
    factor = SIGNS[sign]
    as_written = int(lead + "".join(digits)) + (int(decimals) / 10 ** len(decimals) if decimals else 0)
    value, form = cells.read_number(text, declared)
    if not groups and not decimals:
        assert (value, form) == (factor * int(lead), cells.NEUTRAL)
    elif declared == written:
        assert value == pytest.approx(factor * as_written), text
        ambiguous = (groups == 1 and not decimals) or (not groups and len(decimals) == 3)
        assert form == (cells.AMBIGUOUS if ambiguous else cells.DECLARED), text
    elif groups == 1 and not decimals:  # "12,345" in vi: the declared decimal mark
        assert (value, form) == (pytest.approx(factor * (int(lead) + int(digits[0]) / 1000)), cells.AMBIGUOUS)
    elif not groups and len(decimals) == 3:  # "12.345" in vi: the declared thousands
        assert (value, form) == (factor * (int(lead) * 1000 + int(decimals)), cells.AMBIGUOUS), text
    else:
        assert (value, form) == (pytest.approx(factor * as_written), cells.OTHER), text


@settings(deadline=None)  # the first example loads Babel's locale data
@given(st.integers(min_value=0, max_value=10**9))
def test_whole_numbers_without_separators_are_the_same_everywhere(whole):
    assert cells.read_number(str(whole), "vi") == cells.read_number(str(whole), "en") == (whole, cells.NEUTRAL)


# --- the dataset's declaration and the findings ---------------------------------------------------------


def test_a_vietnamese_file_reads_comma_three_digits_as_decimals(tmp_path):
    ds, values = _amounts(tmp_path, ["0,125", "12,345", "1,250", "1.234,5"])
    assert values == pytest.approx([0.125, 12.345, 1.25, 1234.5])
    assert ds.findings == [] and ds.number_locale == "vi"


def test_an_english_dataset_reads_its_own_form(tmp_path):
    ds, values = _amounts(tmp_path, ["12,345", "1,250", "1.5", "1,234,567.25"], locale="en")
    assert values == pytest.approx([12345, 1250, 1.5, 1234567.25])
    assert ds.findings == [] and ds.number_locale == "en"


def test_number_locale_accepts_region_forms_and_rejects_others(tmp_path):
    (tmp_path / "dataset.yaml").write_text("number_locale: en_US\n", encoding="utf-8")
    assert read_dataset(tmp_path, use_cache=False, today=TODAY).number_locale == "en"
    (tmp_path / "dataset.yaml").write_text("number_locale: fr\n", encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="number_locale 'fr'"):
        read_dataset(tmp_path, use_cache=False, today=TODAY)


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_a_file_mixing_both_forms_names_every_cell_that_depends_on_the_locale(tmp_path, locale):
    other_only = "1,234.5" if locale == "vi" else "1.234,5"
    texts = ["12,345", other_only, "1.234", "7", "12,345", "1.234.567,5" if locale == "vi" else "1,234,567.5"]
    ds, values = _amounts(tmp_path, texts, locale=locale)
    declared = {"vi": [12.345, 1234.5, 1234, 7, 12.345], "en": [12345, 1234.5, 1.234, 7, 12345]}[locale]
    assert values[:5] == pytest.approx(declared)
    warnings = [f for f in ds.findings if f.rule == "number_locale_dependent"]
    assert [(f.severity, f.file, f.sheet, f.row, f.column, f.value) for f in warnings] == [
        ("warning", "capital_mobilized.csv", "", 2, AMOUNT, "12,345"),
        ("warning", "capital_mobilized.csv", "", 4, AMOUNT, "1.234"),
        ("warning", "capital_mobilized.csv", "", 6, AMOUNT, "12,345"),
    ]
    assert f"number_locale of dataset.yaml" in warnings[0].message
    assert "row 3" in warnings[0].message and other_only in warnings[0].message
    assert ds.errors == []


def test_a_file_in_one_form_has_no_locale_finding(tmp_path):
    ds, values = _amounts(tmp_path, ["12,345", "1.234", "1.234,5", "0,5"])
    assert values == pytest.approx([12.345, 1234, 1234.5, 0.5])
    assert [f for f in ds.findings if f.rule == "number_locale_dependent"] == []


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_signed_cells_are_read_in_the_declared_form_and_are_not_the_other_form(tmp_path, locale):
    """A sign in front of ``1.000`` made Babel's strict reading fail: the cell was read by the other
    locale (1000 times off) and counted as an other-form cell, which put a warning on ``2.500``."""
    if locale == "vi":
        texts, values = ["+1.000", "2.500", "+1.234,5", "+12,345"], [1000, 2500, 1234.5, 12.345]
    else:
        texts, values = ["+1,000", "2,500", "+1,234.5", "+12.345"], [1000, 2500, 1234.5, 12.345]
    ds, read = _amounts(tmp_path, texts, locale=locale)
    assert read == pytest.approx(values)
    assert ds.findings == []


def test_xlsx_text_cells_follow_the_locale_and_numbers_do_not(tmp_path):
    write_xlsx(
        tmp_path / "capital_mobilized.xlsx",
        {"capital_mobilized": (MOBILIZED, [["2025-09", "tín dụng", "12,345"], ["2025-09", "vốn lồng ghép", 12.345],
                                           ["2025-09", "ngân sách địa phương", "1,234.5"]])},
    )
    ds = _read(tmp_path)
    assert ds.table("capital_mobilized")["cumulative_mvnd"].tolist() == pytest.approx([12.345, 12.345, 1234.5])
    (warning,) = [f for f in ds.findings if f.rule == "number_locale_dependent"]
    assert (warning.file, warning.sheet, warning.row, warning.value) == (
        "capital_mobilized.xlsx", "capital_mobilized", 2, "12,345")


def test_a_bad_number_names_the_declared_form(tmp_path):
    ds, _ = _amounts(tmp_path, ["1e5"], locale="en")
    (bad,) = ds.errors
    assert (bad.rule, bad.row, bad.value) == ("bad_value", 2, "1e5")
    assert "1,234,567.5" in bad.expected


def test_changing_number_locale_is_a_new_reading_not_a_cached_one(tmp_path, monkeypatch):
    monkeypatch.setenv("NRD_CACHE_DIR", str(tmp_path / "cache"))
    data = tmp_path / "data"
    data.mkdir()
    write_csv(data, "capital_mobilized", MOBILIZED, [["2025-09", "tín dụng", "12,345"]])
    values = []
    for locale in ("vi", "en", "vi"):
        (data / "dataset.yaml").write_text(f"number_locale: {locale}\n", encoding="utf-8")
        ds = read_dataset(data, today=TODAY)  # cached
        values.append(ds.table("capital_mobilized")["cumulative_mvnd"].tolist()[0])
        assert ds.number_locale == locale
    assert values == pytest.approx([12.345, 12345, 12.345])


@settings(deadline=None)  # the first example loads Babel's locale data
@given(
    locale=st.sampled_from(["vi", "en"]),
    text=st.from_regex(r"\A-?[0-9][0-9.,]{0,14}\Z", fullmatch=True),
)
def test_the_shape_shortcut_agrees_with_babel_on_every_text(locale, text):
    """``read_number`` skips Babel for a text whose shape (digits 1-9 as 1) Babel already refused; the
    shortcut must give what Babel itself gives, for any text of the allowed characters."""
    assert cells._parse_in(text, locale) == cells._babel_parse(text, locale)


@pytest.mark.parametrize("text", ["1.000", "10.000,0", "0,000", "100,00", "1.000.000", "00.123", "9.990,90",
                                  "1,000.00", "0.001", "1.0", "10,", "-0,0"])
@pytest.mark.parametrize("locale", ["vi", "en"])
def test_the_shape_shortcut_agrees_with_babel_on_zeros(locale, text):
    assert cells._parse_in(text, locale) == cells._babel_parse(text, locale)

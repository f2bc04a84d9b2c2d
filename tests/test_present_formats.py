"""Locale formats and labels of the reports (vi default, en, fr)."""

import datetime as dt
import math

import pandas as pd
import pytest

from nrd.errors import UnknownNameError
from nrd.present import formats as F
from nrd.present.i18n import LANGS, load_catalog, t

NNBSP = "\u202f"


@pytest.mark.parametrize(
    ("lang", "expected"), [("vi", "1.234,5"), ("en", "1,234.5"), ("fr", f"1{NNBSP}234,5")]
)
def test_number_grouping_and_decimal_follow_the_locale(lang, expected):
    assert F.fmt_number(1234.5, lang, 1) == expected


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("vi", "1.234,5 tỷ đồng"), ("en", "1,234.5 billion VND"), ("fr", f"1{NNBSP}234,5 milliards de VND")],
)
def test_money_in_million_vnd_is_shown_in_billions(lang, expected):
    assert F.fmt_money(1_234_500, lang) == expected


def test_share_shows_percent_with_numerator_and_denominator():
    assert F.fmt_share(95, 97, "vi") == "97,9% (95/97)"
    assert F.fmt_share(95, 97, "en") == "97.9% (95/97)"
    # French puts a no-break space before the percent sign (Babel's pattern, kept as is)
    assert F.fmt_share(95, 97, "fr") == "97,9\u00a0% (95/97)"
    assert F.fmt_share(1, 3, "vi", digits=2) == "33,33% (1/3)"


def test_share_with_zero_denominator_does_not_divide():
    assert F.fmt_share(0, 0, "en") == "– (0/0)"


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA, pd.NaT])
def test_missing_values_show_as_dash(missing):
    for fmt in (F.fmt_number, F.fmt_percent, F.fmt_money, F.fmt_delta, F.fmt_date, F.fmt_period):
        assert fmt(missing, "vi") == "–"
    assert F.fmt_share(missing, 10, "en") == "–"


def test_delta_carries_its_sign_and_never_minus_zero():
    assert F.fmt_delta(3, "vi") == "+3"
    assert F.fmt_delta(-1.5, "vi", 1) == "-1,5"
    assert F.fmt_delta(-0.01, "en", 1) == "0.0"  # rounds to zero: no sign
    assert F.fmt_delta(2.5, "fr", 1, suffix=" pp") == "+2,5 pp"
    assert F.fmt_number(-0.0, "en") == "0"


def test_dates_are_day_first_and_periods_in_words():
    assert F.fmt_date(dt.date(2025, 9, 30), "vi") == "30/09/2025"
    assert F.fmt_date(pd.Timestamp("2026-01-05"), "en") == "05/01/2026"
    assert F.fmt_period("2025-09", "vi") == "tháng 9/2025"
    assert F.fmt_period("2025-09", "en") == "September 2025"
    assert F.fmt_period("2025-09", "fr") == "septembre 2025"
    assert F.fmt_period_short("2026-01") == "01/2026"


def test_value_by_indicator_unit():
    assert F.fmt_value(1_500.0, "million_vnd", "en") == "1.5 billion VND"
    assert F.fmt_value(42.0, "count", "vi") == "42"
    assert F.fmt_value(12.345, "percent", "en") == "12.3%"


def test_unknown_language_and_label_are_typed_errors():
    with pytest.raises(UnknownNameError):
        F.fmt_number(1, "de")
    with pytest.raises(UnknownNameError):
        t("no.such.label", "vi")


def test_every_label_has_three_languages_and_placeholders_fill():
    catalog = load_catalog()
    assert len(catalog) > 50
    for key, texts in catalog.items():
        assert set(texts) == set(LANGS), key
        assert all(texts[lang].strip() for lang in LANGS), key
    assert t("series.stars", "fr", n=4) == "4 étoiles"
    assert t("report.ocop_portfolio") == t("report.ocop_portfolio", "vi")


def test_huge_and_tiny_numbers_round_trip_through_the_vi_format():
    for value in (0.0, 1.0, 999.4, 1_234_567.8, 98_765_432.1):
        text = F.fmt_number(value, "vi", 1)
        parsed = float(text.replace(".", "").replace(",", "."))
        assert math.isclose(parsed, round(value, 1))


def test_a_share_of_money_shows_its_parts_in_billions_with_the_unit():
    assert F.fmt_money_share(158_115, 175_906, "vi") == "89,9% (158,1/175,9 tỷ đồng)"
    assert F.fmt_money_share(158_115, 175_906, "en") == "89.9% (158.1/175.9 billion VND)"
    assert F.fmt_money_share(5, 0, "en") == "– (0.0/0.0 billion VND)"
    assert F.fmt_money_share(None, 10, "vi") == "–"


def test_money_share_columns_and_headlines_use_billions():
    import pandas as pd

    from nrd.present.headline_table import headline_frame
    from nrd.present.tables import Col, styled_table

    frame = pd.DataFrame({"disbursed_mvnd": [158_115.0], "total_investment_mvnd": [175_906.0],
                          "met": [95], "scope": [97]})
    html = styled_table(frame, [Col("disbursed_mvnd", "common.share", "share", denominator="total_investment_mvnd"),
                                Col("met", "common.communes_met", "share", denominator="scope")], "vi")
    assert "89,9% (158,1/175,9 tỷ đồng)" in html and "97,9% (95/97)" in html and "158.115" not in html
    rows = pd.DataFrame({"indicator": ["projects.disbursed_share", "nra.recognized_share"], "value": [89.9, 97.9],
                         "numerator": [158_115.0, 95.0], "denominator": [175_906.0, 97.0]})
    text = headline_frame(rows, "vi")["value"].tolist()
    assert text == ["89,9% (158,1/175,9 tỷ đồng)", "97,9% (95/97)"]

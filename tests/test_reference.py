"""Tests of nrd.reference: units registry, criteria sets, departments, OCOP, capital sources, assumptions.

Expected values come from the shipped CSVs read directly with pandas, from domain-notes, or are written
out literally; never from the code under test.
"""

from __future__ import annotations

import copy
import datetime as dt
import time
from collections import defaultdict
from importlib import resources

import pandas as pd
import pytest
import yaml

from nrd import contract
from nrd.errors import NrdError, PeriodError, ReferenceDataError, UnknownNameError
from nrd.reference import (
    OCOP_EXPIRY_WINDOW_DAYS,
    OCOP_VALIDITY_MONTHS,
    STAR_BANDS,
    AmbiguousNameError,
    NoCriteriaSetError,
    UnitRegistry,
    capital_sources,
    criteria_set_for,
    fold_name,
    get_criteria_set,
    load_assumptions,
    load_criteria_sets,
    load_departments,
    load_units,
    ocop_groups,
    stars_for_score,
    unit_registry,
)
from nrd.reference.criteria import build_criteria_sets

DATA = resources.files("nrd.reference").joinpath("data")


def _raw_csv(name: str) -> pd.DataFrame:
    with DATA.joinpath(name).open("rb") as handle:
        return pd.read_csv(handle, dtype=str, keep_default_na=False)


def _raw_yaml(name: str) -> dict:
    return yaml.safe_load(DATA.joinpath(name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def registry() -> UnitRegistry:
    return UnitRegistry(load_units())


# --- units ---------------------------------------------------------------------------------------------


def test_ninh_binh_has_129_units_97_communes_32_wards():
    units = load_units()
    assert len(units) == 129
    assert (units["unit_type"] == "commune").sum() == 97
    assert (units["unit_type"] == "ward").sum() == 32
    assert list(units.columns) == ["unit_code", "name", "unit_type", "province_code", "legacy_sources"]
    assert set(units["province_code"]) == {"37"}


def test_unit_codes_are_sorted_zero_padded_strings():
    units = load_units("all")
    assert units["unit_code"].str.fullmatch(r"\d{5}").all()
    assert units["unit_code"].tolist() == sorted(units["unit_code"])
    assert "00004" in set(units["unit_code"])  # Phường Ba Đình keeps its leading zeros


def test_national_registry_has_3321_units():
    units = load_units("all")
    assert len(units) == 3321
    assert units["unit_type"].value_counts().to_dict() == {"commune": 2621, "ward": 687, "special_zone": 13}
    assert units["province_code"].nunique() == 34
    assert (units["legacy_sources"] == "").all()


def test_other_province_comes_from_national_registry():
    raw = _raw_csv("vietnam_units_2025.csv")
    hanoi = load_units("01")
    assert sorted(hanoi["unit_code"]) == sorted(raw.loc[raw["province_code"] == "01", "unit_code"])
    assert load_units(1)["unit_code"].tolist() == hanoi["unit_code"].tolist()


def test_ninh_binh_file_agrees_with_the_national_registry():
    raw = _raw_csv("vietnam_units_2025.csv")
    national = raw[raw["province_code"] == "37"].sort_values("unit_code")
    local = load_units("37")
    assert local["unit_code"].tolist() == national["unit_code"].tolist()
    assert local["name"].tolist() == national["name"].tolist()
    assert local["unit_type"].tolist() == national["unit_type"].tolist()


def test_unknown_province_is_a_typed_error():
    with pytest.raises(UnknownNameError, match="province code"):
        load_units("99")
    with pytest.raises(UnknownNameError):
        load_units("ninh binh")


def test_load_units_returns_a_copy_callers_cannot_corrupt():
    first = load_units()
    first.loc[0, "name"] = "corrupted"
    first["unit_type"] = "x"
    again = load_units()
    assert len(again) == 129
    assert "corrupted" not in set(again["name"])
    assert set(again["unit_type"]) == {"commune", "ward"}


@pytest.mark.parametrize(
    "text",
    ["13504", 13504, 13504.0, "Bình Lục", "binh luc", "BINH LUC", "Xã Bình Lục", "xa binh luc",
     "  Xã   Bình  Lục ", "xa_binh_luc", "Tràng An", "trang an", "Xã Tràng An", "Bình Nghĩa", "Đồng Du"],
)
def test_resolve_binh_luc_by_code_name_or_unique_legacy_name(registry, text):
    assert registry.resolve(text) == "13504"


@pytest.mark.parametrize(
    ("code", "name"),
    [("13285", "Phường Phủ Lý"), ("13291", "Phường Phù Vân"), ("13318", "Phường Châu Sơn"),
     ("13324", "Phường Duy Tiên"), ("13330", "Phường Duy Tân"), ("13456", "Xã Liêm Hà"),
     ("13474", "Xã Tân Thanh"), ("13483", "Xã Thanh Bình"), ("13489", "Xã Thanh Lâm"),
     ("13504", "Xã Bình Lục")],
)
def test_names_of_the_ten_documented_examples(registry, code, name):
    assert registry.name(code) == name
    assert registry.resolve(name) == code


def test_every_current_name_resolves_to_its_own_code(registry):
    raw = _raw_csv("ninh_binh_units_2025.csv")
    for code, name, codename in zip(raw["unit_code"], raw["name"], raw["codename"]):
        assert registry.resolve(name) == code
        assert registry.resolve(name.upper()) == code
        assert registry.resolve(codename) == code  # codename = name without diacritics, with "_"


def test_legacy_town_name_with_its_type_word(registry):
    assert registry.resolve("Thị trấn Kiện Khê") == "13318"
    assert registry.resolve("thi tran kien khe") == "13318"
    assert registry.resolve("Phường Tràng An") == "13504"  # legacy name with another type word


def test_legacy_names_shared_by_several_units_are_ambiguous(registry):
    raw = _raw_csv("ninh_binh_units_2025.csv")
    units_by_legacy = defaultdict(set)
    for code, sources in zip(raw["unit_code"], raw["legacy_sources"]):
        for source in sources.split("; "):
            units_by_legacy[source].add(code)
    shared = {name: codes for name, codes in units_by_legacy.items() if len(codes) > 1}
    current = {name.lower() for name in raw["name"]}
    checked = 0
    for name, codes in shared.items():
        if name.lower() in current:  # a current name wins over a legacy one
            continue
        with pytest.raises(AmbiguousNameError) as caught:
            registry.resolve(name)
        assert {code for code, _ in caught.value.candidates} == codes
        checked += 1
    assert checked >= 6  # at least the 6 split legacy units


def test_split_legacy_ward_lists_both_candidates(registry):
    with pytest.raises(AmbiguousNameError) as caught:
        registry.resolve("Hòa Mạc")
    assert caught.value.candidates == [("13324", "Phường Duy Tiên"), ("13330", "Phường Duy Tân")]
    assert "13324 Phường Duy Tiên" in str(caught.value) and "13330 Phường Duy Tân" in str(caught.value)
    assert isinstance(caught.value, UnknownNameError) and isinstance(caught.value, NrdError)


def test_diacritics_as_written_win_over_folded_names(registry):
    assert registry.resolve("Tân Thanh") == "13474"  # the current Xã Tân Thanh
    # "Tân Thành" is not "Tân Thanh": two legacy units of that name went to two different new units.
    with pytest.raises(AmbiguousNameError) as caught:
        registry.resolve("Tân Thành")
    assert "13474" not in {code for code, _ in caught.value.candidates}


@pytest.mark.parametrize("text", ["Nowhere", "99999", "", None, float("nan"), "123456"])
def test_unknown_unit_is_a_typed_error(registry, text):
    with pytest.raises(UnknownNameError):
        registry.resolve(text)


def test_unknown_name_suggests_close_names(registry):
    with pytest.raises(UnknownNameError, match="13285 Phường Phủ Lý"):
        registry.resolve("Phu Lyy")


def test_unknown_code_for_name_is_a_typed_error(registry):
    with pytest.raises(UnknownNameError):
        registry.name("99999")


def test_national_duplicate_names_are_ambiguous():
    raw = _raw_csv("vietnam_units_2025.csv")
    bare_names = raw["name"].str.replace(r"^(Xã|Phường|Đặc khu) ", "", regex=True)
    same_name = raw.loc[bare_names == "Tân Thành", "unit_code"]
    assert len(same_name) >= 2
    with pytest.raises(AmbiguousNameError) as caught:
        unit_registry("all").resolve("Tân Thành")
    assert sorted(code for code, _ in caught.value.candidates) == sorted(same_name)


def test_special_zone_prefix_is_optional():
    national = unit_registry("all")
    assert national.resolve("Vân Đồn") == national.resolve("Đặc khu Vân Đồn") == "06994"


def test_registry_views(registry):
    assert len(registry) == 129
    assert len(registry.communes) == 97 and set(registry.communes["unit_type"]) == {"commune"}
    assert len(registry.wards) == 32
    assert registry.legacy_sources("13504") == ["Xã Bình Nghĩa", "Xã Tràng An", "Xã Đồng Du"]
    assert registry.unit_type("13285") == "ward"
    communes = registry.communes
    communes.loc[0, "name"] = "corrupted"
    assert "corrupted" not in set(registry.communes["name"])


def test_national_registry_builds_fast():
    units = load_units("all")
    start = time.perf_counter()
    UnitRegistry(units)
    assert time.perf_counter() - start < 1.0


def test_fold_name_removes_diacritics_and_d_stroke():
    assert fold_name("Đồng Du") == "dong du"
    assert fold_name("Xã  Xuân   Giang") == "xa xuan giang"
    assert fold_name("ĐẶC KHU Cô Tô") == "dac khu co to"


# --- criteria sets -----------------------------------------------------------------------------------


def test_two_sets_with_19_and_10_criteria():
    sets = load_criteria_sets()
    assert list(sets) == ["qd318_2022", "qd51_2025"]
    assert sets["qd318_2022"].criteria["criterion"].tolist() == [str(n) for n in range(1, 20)]
    assert sets["qd51_2025"].criteria["criterion"].tolist() == [str(n) for n in range(1, 11)]
    assert set(sets) == set(contract.CRITERIA_SET)


@pytest.mark.parametrize(
    ("period", "expected"),
    [("2021-01", "qd318_2022"), ("2022-03", "qd318_2022"), ("2025-12", "qd318_2022"),
     ("2026-01", "qd318_2022"),
     ("2026-02", "qd51_2025"), ("2026-2", "qd51_2025"), ("2030-12", "qd51_2025")],
)
def test_set_in_force_at_end_of_period(period, expected):
    assert criteria_set_for(period).id == expected


@pytest.mark.parametrize("period", ["2020-12", "2031-01"])
def test_period_outside_every_set_is_a_typed_error(period):
    with pytest.raises(NoCriteriaSetError, match="2021-01") as caught:
        criteria_set_for(period)
    assert isinstance(caught.value, PeriodError)


def test_bad_period_is_a_period_error():
    with pytest.raises(PeriodError):
        criteria_set_for("2026-13")


def test_legal_dates():
    qd318, qd51 = get_criteria_set("qd318_2022"), get_criteria_set("qd51_2025")
    assert qd318.valid_from == dt.date(2022, 3, 8)
    assert qd318.valid_to == dt.date(2026, 2, 14)
    assert qd51.valid_from == dt.date(2026, 2, 15)
    assert qd51.valid_to is None
    with pytest.raises(UnknownNameError):
        get_criteria_set("qd1980_2016")


def test_every_criterion_has_an_existing_department():
    known = set(load_departments()["department"])
    for criteria_set in load_criteria_sets().values():
        criteria = criteria_set.criteria
        assert criteria["department"].isin(known).all(), criteria_set.id
        for co_leads in criteria["co_leads"]:
            assert {d for d in co_leads.split("; ") if d} <= known
        for lang in ("vi", "en", "fr"):
            assert (criteria[f"name_{lang}"].str.len() > 0).all()


def test_departments_include_the_agencies_of_the_mapping():
    departments = load_departments()
    expected = {"so_xd", "so_nnmt", "so_ct", "so_gddt", "so_vhttdl", "so_khcn", "so_noivu", "so_yte",
                "so_tuphap", "so_taichinh", "bchqs", "cong_an"}
    assert expected <= set(departments["department"])
    assert departments.set_index("department").loc["so_nnmt", "name_vi"] == "Sở Nông nghiệp và Môi trường"
    assert list(departments.columns) == ["department", "name_vi", "name_en", "name_fr", "short_vi"]


def test_criteria_led_by_a_department():
    qd318 = get_criteria_set("qd318_2022")
    assert qd318.criteria_led_by("bchqs")["criterion"].tolist() == ["19"]
    assert qd318.criteria_led_by("so_gddt")["criterion"].tolist() == ["5", "14"]
    assert qd318.criteria_led_by("cong_an")["criterion"].tolist() == []
    assert qd318.criteria_led_by("cong_an", include_co_leads=True)["criterion"].tolist() == ["19"]
    with pytest.raises(UnknownNameError):
        qd318.criteria_led_by("so_nonexistent")


def test_qd318_groups_and_indicators():
    qd318 = get_criteria_set("qd318_2022")
    groups = dict(zip(qd318.criteria["criterion"], qd318.criteria["group"]))
    assert groups["1"] == "I" and groups["2"] == "II" and groups["10"] == "III" and groups["19"] == "V"
    indicators = qd318.indicators
    assert {"1.1", "1.2", "2.1", "2.2", "2.3", "2.4", "19.1", "19.2"} <= set(indicators["indicator"])
    for criterion, indicator in zip(indicators["criterion"], indicators["indicator"]):
        assert indicator.split(".")[0] == criterion
    assert qd318.criterion_name(17, "en") == "Environment and food safety"
    assert qd318.department_of("11") == "so_nnmt"


def test_criteria_frames_are_copies():
    qd318 = get_criteria_set("qd318_2022")
    criteria, indicators = qd318.criteria, qd318.indicators
    criteria.loc[0, "department"] = "corrupted"
    indicators.loc[:, "indicator"] = "x"
    assert get_criteria_set("qd318_2022").criteria.loc[0, "department"] == "so_xd"
    assert get_criteria_set("qd318_2022").indicators.loc[0, "indicator"] == "1.1"


def _shipped_contents() -> dict:
    return {name: _raw_yaml(name) for name in ("criteria_qd318_2022.yaml", "criteria_qd51_2025.yaml")}


def test_shipped_files_build_the_same_sets():
    departments = set(load_departments()["department"])
    built = build_criteria_sets(_shipped_contents(), departments)
    assert [s.id for s in built] == ["qd318_2022", "qd51_2025"]


def test_unknown_department_in_a_set_is_a_reference_error():
    contents = copy.deepcopy(_shipped_contents())
    contents["criteria_qd51_2025.yaml"]["criteria"][6]["department"] = "so_thongtin"
    with pytest.raises(ReferenceDataError, match="criteria_qd51_2025.yaml, criterion #7.*so_thongtin"):
        build_criteria_sets(contents, set(load_departments()["department"]))


def test_gap_between_sets_is_a_reference_error():
    contents = copy.deepcopy(_shipped_contents())
    contents["criteria_qd318_2022.yaml"]["applies_to_period"] = "2025-12"
    with pytest.raises(ReferenceDataError, match="not contiguous"):
        build_criteria_sets(contents, set(load_departments()["department"]))


def test_boundary_contradicting_in_force_date_is_a_reference_error():
    contents = copy.deepcopy(_shipped_contents())
    contents["criteria_qd318_2022.yaml"]["applies_to_period"] = "2026-02"
    contents["criteria_qd51_2025.yaml"]["applies_from_period"] = "2026-03"
    with pytest.raises(ReferenceDataError, match="in_force"):
        build_criteria_sets(contents, set(load_departments()["department"]))


def test_duplicate_set_ids_are_a_reference_error():
    contents = copy.deepcopy(_shipped_contents())
    contents["criteria_qd51_2025.yaml"]["id"] = "qd318_2022"
    with pytest.raises(ReferenceDataError, match="unique"):
        build_criteria_sets(contents, set(load_departments()["department"]))


# --- OCOP, capital sources, assumptions -------------------------------------------------------------------


def test_ocop_groups():
    groups = ocop_groups()
    assert groups["group"].tolist() == [1, 2, 3, 4, 5, 6]
    assert groups.loc[groups["group"] == 4, "name_vi"].item() == "Hàng thủ công mỹ nghệ"  # criteria-sources §4.3
    assert (groups[["name_vi", "name_en", "name_fr"]].map(len) > 0).all().all()


@pytest.mark.parametrize(
    ("score", "stars"),
    [(0, None), (49, None), (49.9, None), (50, 3), (69, 3), (69.5, 3), (70, 4), (89, 4), (90, 5), (100, 5),
     (100.5, None), (None, None), (float("nan"), None)],
)
def test_stars_for_score_bands(score, stars):
    assert stars_for_score(score) == stars


def test_ocop_constants():
    assert STAR_BANDS == {3: (50, 69), 4: (70, 89), 5: (90, 100)}
    assert OCOP_VALIDITY_MONTHS == 36
    assert OCOP_EXPIRY_WINDOW_DAYS == 180


def test_capital_sources_follow_the_contract():
    sources = capital_sources()
    assert sources["source"].tolist() == list(contract.SOURCE)
    assert sources["name_vi"].tolist() == list(contract.SOURCE.values())
    flags = sources.set_index("source")
    state_budget = flags.loc[flags["state_budget"], :].index.tolist()
    assert state_budget == ["central_investment", "central_recurrent", "local_budget"]
    assert flags.loc[flags["central"], :].index.tolist() == ["central_investment", "central_recurrent"]
    assert (sources["name_en"].str.len() > 0).all() and (sources["name_fr"].str.len() > 0).all()


def test_assumptions_are_stated_in_three_languages():
    assumptions = load_assumptions()
    expected = {"department_mapping", "qd318_indicators", "qd51_tiers", "share_denominator", "demo_synthetic"}
    assert expected <= set(assumptions["id"])
    assert assumptions["id"].is_unique
    assert set(assumptions["tag"]) <= {"R", "I"}
    for lang in ("vi", "en", "fr"):
        assert (assumptions[f"text_{lang}"].str.len() > 20).all()

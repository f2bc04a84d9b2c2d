"""The phases: recognitions under the set in force, the modern tier, results by commune group, phase targets,
headline sets per phase, a commune's two phases, and a phase switch that is data, not code."""

from __future__ import annotations

import ast
import copy
from pathlib import Path

import pandas as pd
import pytest
from test_indicators_fixtures import C1, C2, C3, C4, WARD, close, criteria_rows, row, value

import nrd
import nrd.indicators as ind
from nrd.errors import UnknownNameError
from nrd.indicators.table import reference_indicator_table
from nrd.io import Dataset

Q318 = [str(n) for n in range(1, 20)]
Q51 = [str(n) for n in range(1, 11)]
RECOGNITIONS = [
    dict(unit_code=C1, level="nra", decision_no="1", decision_date="2022-05-10", criteria_set="qd318_2022"),
    dict(unit_code=C1, level="advanced", decision_no="2", decision_date="2023-06-01"),
    dict(unit_code=C2, level="nra", decision_no="3", decision_date="2023-01-01"),
    # dated before QĐ 51 took effect (15/02/2026), set blank: a recognition of the 2021-2025 phase
    dict(unit_code=C2, level="nra", decision_no="4", decision_date="2026-02-10"),
    dict(unit_code=C3, level="nra", decision_no="5", decision_date="2026-03-05"),
    dict(unit_code=C3, level="modern", decision_no="6", decision_date="2026-05-10", criteria_set="qd51_2025"),
    dict(unit_code=C4, level="nra", decision_no="7", decision_date="2026-04-01", criteria_set="qd51_2025",
         revoked_on="2026-08-15"),
    dict(unit_code=WARD, level="nra", decision_no="8", decision_date="2026-03-01"),
]
CRITERIA = [
    *criteria_rows("2025-12", C1, Q318, []),
    *criteria_rows("2026-05", C1, Q51, []),
    *criteria_rows("2026-05", C2, Q51[:9], Q51[9:]),
    *criteria_rows("2026-05", C3, Q51, []),
    dict(period="2026-05", unit_code=C4, criterion="2", indicator="2.1", status="not_met", value=70.0),
]
GROUPS = pd.DataFrame({"unit_code": [C1, C2, C3, C4], "group": [1, 2, 2, 3]})
INDICATORS = pd.DataFrame({
    "criteria_set": "qd51_2025", "criterion": ["2", "2", "3"], "indicator": ["2.1", "2.2", "3.1"],
    "name_vi": ["Đường xã", "Đường thôn", "Thu nhập"], "threshold_group1": ["100%", "100%", "≥ 90"],
    "threshold_group2": ["100%", "95%", "≥ 80"], "threshold_group3": ["90%", "80%", "≥ 70"],
})
DEPARTMENTS = pd.DataFrame({"criteria_set": "qd51_2025", "criterion": ["2", "3"], "indicator": None,
                            "department": ["so_ct", "Sở Tài chính"], "role": "lead"})
PERIODS = ["2025-09", "2026-01", "2026-02", "2026-03", "2026-05", "2026-08"]


def _dataset(**reference) -> Dataset:
    frames = {"recognitions": pd.DataFrame(RECOGNITIONS), "criteria_status": pd.DataFrame(CRITERIA)}
    return Dataset.from_frames(frames, province_code="37", reference_tables=reference)


@pytest.fixture(scope="module")
def plain():
    return _dataset()


@pytest.fixture(scope="module")
def office():
    return _dataset(commune_groups=GROUPS, criteria_indicators=INDICATORS, criteria_departments=DEPARTMENTS)


@pytest.fixture(scope="module")
def table(office):
    return ind.build_indicator_table(office, PERIODS)


@pytest.mark.parametrize(("period", "phase", "modern"), [("2025-09", 2, 0), ("2026-01", 2, 0), ("2026-02", 0, 0),
                                                          ("2026-03", 1, 0), ("2026-05", 2, 1), ("2026-08", 1, 1)])
def test_recognised_under_the_set_in_force_and_modern(table, period, phase, modern):
    rows = table[table["period"] == period]
    assert value(rows, "nra.recognized_phase") == phase
    assert row(rows, "nra.recognized_phase_share")[1:] == (phase, 97)
    assert value(rows, "nra.modern") == modern
    assert close(value(rows, "nra.modern_share"), modern / 97 * 100)


def test_a_modern_commune_counts_as_recognised_in_the_level(table):
    rows = table[table["period"] == "2026-05"]
    assert value(rows, "nra.level", C3) == 1 and value(rows, "nra.level", C1) == 2
    assert value(rows, "nra.recognized") == 4  # C1, C2, C3, C4; not the ward


def test_results_by_commune_group_only_with_the_office_classification(table, plain):
    rows = table[table["period"] == "2026-05"]
    assert [value(rows, f"criteria.communes_group.{g}") for g in (1, 2, 3)] == [1, 2, 1]
    assert [value(rows, f"criteria.all_met_group.{g}") for g in (1, 2, 3)] == [1, 1, 0]
    assert row(rows, "criteria.all_met_share")[1:] == (2, 97)
    bare = ind.compute_indicators(plain, "2026-05")
    assert not bare["indicator"].str.contains("_group.").any()
    assert ind.group_results(table, "2026-05", "37")["all_met"].tolist() == [1, 1, 0]


def test_the_vectorised_engine_agrees_with_the_per_period_reference(office, table):
    expected = reference_indicator_table(office, PERIODS)
    pd.testing.assert_frame_equal(table.reset_index(drop=True), expected.reset_index(drop=True))


def test_office_departments_route_the_department_shares_and_views(table, office, plain):
    rows = table[table["period"] == "2026-05"]
    assert "criteria.dept_met_share.so_ct" in set(rows["indicator"])
    assert "criteria.dept_met_share.so_taichinh" in set(rows["indicator"])
    assert "criteria.dept_met_share.so_ct" not in set(ind.compute_indicators(plain, "2026-05")["indicator"])
    assert ind.department_view(office, "2026-05", "so_ct").criteria["criterion"].tolist() == ["2"]
    assert ind.department_view(plain, "2026-05", "so_ct").criteria.empty
    from nrd.run.batch import for_each_keys

    assert "so_taichinh" in for_each_keys(office, "2026-05")["department"]
    assert "so_taichinh" not in for_each_keys(plain, "2026-05")["department"]


def test_indicator_thresholds_for_a_commune_use_its_group(office, plain):
    mine = ind.indicator_thresholds(office, "2026-05", unit_code=C4).set_index("indicator")
    assert mine["threshold"].tolist() == ["90%", "80%", "≥ 70"]  # C4 is in group 3
    assert mine.loc["2.1", ["status", "value"]].tolist() == ["not_met", 70.0]
    led = ind.indicator_thresholds(office, "2026-05", department="so_ct")
    assert led["indicator"].tolist() == ["2.1", "2.2"]
    assert ind.indicator_thresholds(plain, "2026-05").empty  # 0 of the 47 shipped


def test_a_commune_result_in_each_phase(office):
    comparison = ind.phase_comparison(office, "2026-05", C1).set_index("phase")
    previous, current = comparison.loc["previous"], comparison.loc["current"]
    assert (previous["criteria_set"], previous["as_of"], previous["tier"]) == ("qd318_2022", "2026-01", "advanced")
    assert (previous["met"], previous["total"], previous["submission_period"]) == (19, 19, "2025-12")
    assert (current["criteria_set"], current["tier"], current["met"], current["total"]) == ("qd51_2025", "", 10, 10)
    assert ind.phase_comparison(office, "2026-05", C3).set_index("phase").loc["current", "tier"] == "modern"
    assert list(ind.phase_comparison(office, "2025-09", C1)["phase"]) == ["current"]


def test_phase_targets_apply_in_their_phase_and_the_nearest_milestone_is_compared():
    targets = ind.parse_targets({"targets": [
        {"indicator": "nra.recognized_share", "value": 100, "by": "2025-12"},
        {"indicator": "nra.recognized_phase_share", "value": 65, "by": "2030-12"},
        {"indicator": "nra.recognized_phase_share", "value": 20, "by": "2026-12"},
        {"indicator": "nra.recognized_phase_share", "value": 30, "by": "2027-12"},
        {"indicator": "capital.disbursement_rate_year", "value": 95, "by": "year_end"},
    ]})
    chosen = lambda p: {(t.indicator, t.by) for t in ind.targets_at(targets, p)}  # noqa: E731
    assert chosen("2025-09") == {("nra.recognized_share", "2025-12"), ("capital.disbursement_rate_year", "year_end")}
    assert chosen("2026-01") == chosen("2025-09")  # still the 2021-2025 set: a missed deadline stays
    assert ("nra.recognized_phase_share", "2026-12") in chosen("2026-10")
    assert ("nra.recognized_share", "2025-12") not in chosen("2026-10")
    assert ("nra.recognized_phase_share", "2027-12") in chosen("2027-01")
    assert ("nra.recognized_phase_share", "2030-12") in chosen("2030-12")


def test_no_change_of_a_per_set_indicator_across_the_switch(table):
    compared = ind.compare(table, "2026-02").set_index(["unit_code", "indicator"])
    assert pd.isna(compared.loc[("37", "nra.recognized_phase"), "delta_month"])
    assert compared.loc[("37", "nra.recognized"), "delta_month"] == 0
    later = ind.compare(table, "2026-03").set_index(["unit_code", "indicator"])
    assert later.loc[("37", "nra.recognized_phase"), "delta_month"] == 1


def test_headline_sets_follow_the_phase():
    first = ind.headline_ids("province", "2025-09")
    assert first[:4] == ("nra.communes_in_scope", "nra.recognized_share", "nra.advanced_share", "nra.model_share")
    assert "criteria.below_15" in first and ind.headline_ids("previous_phase", "2025-09") == ()
    later = ind.headline_ids("province", "2026-10")
    assert later[:4] == ("nra.communes_in_scope", "criteria.all_met_share", "nra.recognized_phase_share",
                         "nra.modern_share")
    assert not set(later) & {"nra.advanced_share", "nra.model_share", "criteria.below_15"}
    assert ind.headline_ids("previous_phase", "2026-10") == ("nra.recognized_share", "nra.advanced_share",
                                                             "nra.model_share")
    assert "nra.level" in ind.headline_ids("commune", "2025-09")
    assert "nra.level" not in ind.headline_ids("commune", "2026-10")
    assert ind.headline_ids("ocop", "2026-10")[0] == "ocop.products_active"
    with pytest.raises(UnknownNameError):
        ind.headline_ids("nowhere", "2026-10")


def test_set_changes_name_the_first_month_of_the_new_set():
    assert ind.set_changes(["2025-10", "2026-09", "2026-10"]) == [("2026-02", "qd318_2022", "qd51_2025")]
    assert ind.set_changes(["2026-03", "2026-10"]) == []


# ---- a phase switch is data, not code ----------------------------------------------------------------------


def _string_constants(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
                  and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    return [n.value for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings]


def test_no_code_names_a_criteria_set_or_the_year_of_the_switch():
    package = Path(nrd.__file__).parent
    offenders = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package)
        if relative.parts[0] == "demo" or relative == Path("cli/data.py"):  # synthetic data and its calendar
            continue
        for text in _string_constants(path):
            if any(word in text for word in ("qd51", "qd318", "2026")):
                offenders.append(f"{relative}: {text[:60]!r}")
    assert offenders == []


def test_a_later_set_is_one_yaml_file(monkeypatch):
    """A third set (2031-2035) given as data: the period picks it, its recognitions form the current phase,
    the headlines lead with it and the 2026-2030 tiers become the previous phase."""
    from nrd.indicators import timeline
    from nrd.reference import criteria as criteria_module
    from nrd.reference import load_departments
    from nrd.reference._files import read_yaml
    from nrd.reference.office import shipped_reference

    contents = {name: read_yaml(name) for name in ("criteria_qd318_2022.yaml", "criteria_qd51_2025.yaml")}
    future = copy.deepcopy(contents["criteria_qd51_2025.yaml"])
    future.update(id="qd99_2031", in_force="2031-01-01", applies_from_period="2031-01", applies_to_period=None,
                  names={"vi": "QĐ 99/2030", "en": "Decision 99/2030", "fr": "Décision 99/2030"},
                  phase={"vi": "giai đoạn 2031-2035", "en": "2031-2035 phase", "fr": "phase 2031-2035"},
                  tiers=[{"tier": "nra"}, {"tier": "modern"}, {"tier": "model"}])
    contents["criteria_qd51_2025.yaml"]["applies_to_period"] = "2030-12"
    sets = criteria_module.build_criteria_sets({**contents, "criteria_qd99_2031.yaml": future},
                                               set(load_departments()["department"]))
    monkeypatch.setattr(criteria_module, "_criteria_sets", lambda: sets)
    for cached in (timeline.criteria_set_id_for, shipped_reference):
        cached.cache_clear()
    try:
        assert nrd.criteria_set_for("2031-03").id == "qd99_2031"
        assert ind.headline_ids("province", "2031-03")[2:5] == ("nra.recognized_phase_share", "nra.modern_share",
                                                               "nra.model_share")
        assert ind.headline_ids("previous_phase", "2031-03") == ("nra.recognized_share", "nra.modern_share")
        frames = {"recognitions": pd.DataFrame([
            dict(unit_code=C1, level="nra", decision_no="1", decision_date="2027-01-05"),
            dict(unit_code=C2, level="nra", decision_no="2", decision_date="2031-02-01"),
        ])}
        table = ind.build_indicator_table(Dataset.from_frames(frames), ["2030-12", "2031-03"])
        assert value(table[table["period"] == "2030-12"], "nra.recognized_phase") == 1  # C1, under 2026-2030
        assert value(table[table["period"] == "2031-03"], "nra.recognized_phase") == 1  # C2, under the new set
    finally:
        for cached in (timeline.criteria_set_id_for, shipped_reference):
            cached.cache_clear()

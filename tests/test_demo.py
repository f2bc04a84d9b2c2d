"""The demo dataset: deterministic bytes, the committed files, the published figures, realism.

Figures are computed here with plain pandas from the committed files read through ``nrd.io.read_dataset``,
following the data contract's definitions, never from the generator's constants.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from nrd.demo import build_demo_tables, generate_demo_dataset
from nrd.io import read_dataset
from nrd.periods import period_end
from nrd.reference import load_units

DEMO_DIR = Path(__file__).resolve().parents[1] / "data" / "demo"
P = "2025-09"
END_P = period_end(P)
LEVEL_RANK = {"nra": 1, "advanced": 2, "model": 3}


def _files(folder: Path) -> dict[str, bytes]:
    """Every file of a dataset folder (and its reference/ subfolder), by relative path; not the cache."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and ".cache" not in p.relative_to(folder).parts}


@pytest.fixture(scope="module")
def demo():
    return read_dataset(DEMO_DIR, use_cache=False)


@pytest.fixture(scope="module")
def units():
    return load_units("37")


def _levels_at(recognitions: pd.DataFrame, end: pd.Timestamp) -> pd.Series:
    in_force = recognitions[
        (recognitions["decision_date"] <= end)
        & ~(recognitions["revoked_on"].notna() & (recognitions["revoked_on"] <= end))
    ]
    return in_force.assign(rank=in_force["level"].map(LEVEL_RANK)).groupby("unit_code")["rank"].max()


def _active_products(products: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    expires = products["expires_on"].fillna(products["recognized_on"] + pd.DateOffset(months=36))
    products = products.assign(expires=expires)
    latest = (
        products[products["recognized_on"] <= end]
        .sort_values(["product_id", "recognized_on"])
        .groupby("product_id")
        .tail(1)
    )
    revoked = latest["revoked_on"].notna() & (latest["revoked_on"] <= end)
    return latest[(latest["expires"] > end) & ~revoked]


# --- bytes ---------------------------------------------------------------------------------------------


def test_regenerating_gives_the_committed_files_byte_for_byte(tmp_path):
    generate_demo_dataset(tmp_path)
    committed, fresh = _files(DEMO_DIR), _files(tmp_path)
    assert sorted(fresh) == sorted(committed)
    different = [name for name in fresh if fresh[name] != committed[name]]
    assert different == []


def test_generation_is_deterministic_and_follows_the_seed(tmp_path):
    generate_demo_dataset(tmp_path / "a", end="2021-06")
    generate_demo_dataset(tmp_path / "b", end="2021-06")
    generate_demo_dataset(tmp_path / "c", end="2021-06", seed=38)
    a, b, c = _files(tmp_path / "a"), _files(tmp_path / "b"), _files(tmp_path / "c")
    assert a == b
    assert a["criteria_status.xlsx"] != c["criteria_status.xlsx"]
    assert "reference/commune_groups.csv" not in a  # the classification is decided in 2026


def test_the_demo_reads_without_findings_and_fast(demo):
    assert demo.findings == []
    assert set(demo.tables) == {
        "criteria_status",
        "recognitions",
        "capital_plan",
        "capital_disbursement",
        "capital_mobilized",
        "ocop_products",
        "ocop_entities",
        "ocop_registrations",
        "organization",
        "projects",
        "project_progress",
        "appraisals",
        "inspections",
    }
    assert demo.files["capital_mobilized"].endswith(".csv")
    assert sum(p.stat().st_size for p in DEMO_DIR.iterdir() if p.is_file()) < 5_000_000


# --- the figures published for September 2025 ----------------------------------------------------------


def test_nra_levels_at_2025_09(demo, units):
    communes = units[units["unit_type"] == "commune"]["unit_code"]
    levels = _levels_at(demo.table("recognitions"), END_P).reindex(communes, fill_value=0)
    assert len(communes) == 97
    assert (levels >= 1).sum() == 97
    assert (levels >= 2).sum() == 65
    assert (levels == 3).sum() == 4


def test_active_ocop_products_and_entities_at_2025_09(demo):
    active = _active_products(demo.table("ocop_products"), END_P)
    assert active["product_id"].nunique() == 980
    assert active["stars"].value_counts().to_dict() == {3: 824, 4: 153, 5: 3}
    assert active["entity_id"].nunique() == 516


def test_registrations_of_cycle_2025_by_2025_09(demo):
    reg = demo.table("ocop_registrations")
    cycle = reg[(reg["cycle"] == 2025) & (reg["registered_on"] <= END_P)]
    assert len(cycle) == 118
    assert (cycle["registered_on"] >= pd.Timestamp("2025-07-01")).sum() > 100


def test_central_capital_2021_2025(demo):
    plan = demo.table("capital_plan")
    central = plan[
        plan["year"].between(2021, 2025) & plan["source"].isin(["central_investment", "central_recurrent"])
    ]
    assert central["amount_mvnd"].sum() == pytest.approx(982_619, abs=0.01)


def test_capital_mobilized_to_end_of_september_2025(demo):
    mob = demo.table("capital_mobilized")
    latest = mob[mob["period"] <= P].sort_values("period").groupby("source").tail(1)
    assert latest["cumulative_mvnd"].sum() == pytest.approx(104_238_000, abs=0.01)


# --- realism -------------------------------------------------------------------------------------------


def test_criteria_rows_only_for_communes_and_qd51_from_2026_02(demo, units):
    cs = demo.table("criteria_status")
    communes = set(units.loc[units["unit_type"] == "commune", "unit_code"])
    assert set(cs["unit_code"]) <= communes
    assert set(demo.table("recognitions")["unit_code"]) <= communes
    qd51 = cs[cs["criteria_set"] == "qd51_2025"]
    assert qd51["period"].min() == "2026-02"
    assert (cs.loc[cs["period"] >= "2026-02", "criteria_set"] == "qd51_2025").all()
    assert set(qd51["criterion"]) == {str(n) for n in range(1, 11)}
    assert set(cs.loc[cs["criteria_set"] == "qd318_2022", "criterion"]) == {str(n) for n in range(1, 20)}


def test_submissions_have_gaps_but_the_latest_period_is_nearly_complete(demo):
    cs = demo.table("criteria_status")
    per_period = cs.groupby("period")["unit_code"].nunique()
    assert per_period.index.max() == "2026-10"
    assert per_period["2026-10"] >= 0.85 * 97
    assert per_period.min() < 0.5 * 97  # not every commune every month
    months_per_commune = cs.groupby("unit_code")["period"].nunique()
    assert months_per_commune.max() < 70


def test_communes_gain_criteria_and_some_slip_back(demo):
    cs = demo.table("criteria_status")
    rows = cs[cs["indicator"].isna()].sort_values(["unit_code", "criteria_set", "criterion", "period"])
    met = rows["status"] == "met"
    previous_met = met.groupby([rows["unit_code"], rows["criteria_set"], rows["criterion"]]).shift(1)
    lost = (previous_met == True) & ~met
    gained = (previous_met == False) & met
    assert lost.sum() >= 3
    assert gained.sum() > lost.sum()
    assert cs["indicator"].notna().any()


def test_two_revocations_and_one_re_recognition(demo):
    rec = demo.table("recognitions")
    assert rec["revoked_on"].notna().sum() == 2
    first_phase = rec[rec["decision_date"] < pd.Timestamp("2026-02-15")]  # QĐ 51/2025 in force from then
    twice = first_phase.groupby(["unit_code", "level"]).size()
    assert (twice > 1).sum() == 1
    commune, level = twice[twice > 1].index[0]
    rows = rec[(rec["unit_code"] == commune) & (rec["level"] == level)].sort_values("decision_date")
    assert rows["revoked_on"].iloc[0] < rows["decision_date"].iloc[1]
    assert rec["decision_no"].str.fullmatch(r"\d+/QĐ-UBND").all()


def test_ocop_groups_expiry_renewal_and_entities(demo, units):
    products = demo.table("ocop_products")
    assert set(products["group"]) == {1, 2, 3, 4, 5, 6}
    expires = products["expires_on"].fillna(products["recognized_on"] + pd.DateOffset(months=36))
    assert (expires < END_P).any()  # certificates that ran out
    assert products["product_id"].duplicated().sum() > 50  # re-recognitions of the same product
    assert products["revoked_on"].notna().any()
    bands = {3: (50, 69), 4: (70, 89), 5: (90, 100)}
    assert all(bands[s][0] <= sc <= bands[s][1] for s, sc in zip(products["stars"], products["score"]))
    assert set(products["unit_code"]) <= set(
        units.loc[units["unit_type"].isin(["commune", "ward"]), "unit_code"]
    )
    entities = demo.table("ocop_entities")
    assert set(entities["entity_type"]) == {"enterprise", "cooperative", "cooperative_group", "household"}
    assert set(products["entity_id"]) <= set(entities["entity_id"])
    assert entities["phone"].str.startswith("0100").all()  # no real number prefix


def test_registrations_cover_both_cycles_and_all_stages(demo):
    reg = demo.table("ocop_registrations")
    # every council of the 2025 cycle has met by the data's end: nothing is left waiting for one
    assert set(reg.loc[reg["cycle"] == 2025, "stage"]) == {"registered", "dossier_complete", "evaluated"}
    assert set(reg.loc[reg["cycle"] == 2026, "stage"]) == {
        "registered",
        "dossier_complete",
        "submitted",
        "evaluated",
    }


def test_capital_lines_and_disbursement_into_january(demo):
    plan = demo.table("capital_plan")
    assert plan["unit_code"].isna().any() and plan["unit_code"].notna().any()
    disb = demo.table("capital_disbursement")
    january_next = disb[disb["period"] == (disb["year"] + 1).astype(str) + "-01"]
    assert set(january_next["year"]) >= {2021, 2022, 2023, 2024, 2025}
    series = disb.sort_values("period").groupby(["year", "source", disb["unit_code"].fillna("")])[
        "disbursed_mvnd"
    ]
    assert (series.diff().dropna() >= 0).all()  # cumulative
    assert disb["period"].max() == "2026-10"


def test_office_files_carry_vietnamese_text_numbers_and_unit_names(demo):
    sheet = openpyxl.load_workbook(DEMO_DIR / "capital_plan.xlsx", read_only=True).active
    text_amounts = [r[3] for r in sheet.iter_rows(min_row=2, values_only=True) if isinstance(r[3], str)]
    assert text_amounts and all("," in t for t in text_amounts)
    header = next(
        openpyxl.load_workbook(DEMO_DIR / "criteria_status.xlsx", read_only=True).active.iter_rows(
            values_only=True
        )
    )
    assert header[:2] == ("Kỳ báo cáo", "Mã đơn vị")
    sheet = openpyxl.load_workbook(DEMO_DIR / "organization.xlsx", read_only=True).active
    assert any(str(r[1]).startswith("Xã ") for r in sheet.iter_rows(min_row=2, values_only=True))


def test_another_province_reads_back_clean(tmp_path):
    generate_demo_dataset(tmp_path, province="01", fmt="csv", end="2025-12")
    ds = read_dataset(tmp_path, use_cache=False)
    assert ds.province_code == "01"
    assert ds.errors == []
    assert set(ds.table("criteria_status")["unit_code"]) <= set(load_units("01")["unit_code"])


def test_the_national_dataset_covers_every_unit_at_scale():
    tables, _ = build_demo_tables("all")
    units = load_units("all")
    communes = set(units.loc[units["unit_type"] == "commune", "unit_code"])
    assert len(communes) == 2621
    assert set(tables["criteria_status"]["unit_code"]) == communes
    assert set(tables["ocop_products"]["unit_code"]) <= set(
        units.loc[units["unit_type"].isin(["commune", "ward"]), "unit_code"]
    )
    levels = _levels_at(tables["recognitions"], END_P).reindex(sorted(communes), fill_value=0)
    assert 0.7 < (levels >= 1).mean() < 0.9  # national rates, not the delta's 100%
    stars = _active_products(tables["ocop_products"], END_P)["stars"].value_counts()
    assert stars[3] > stars[4] > stars[5] > 0


# --- the 2026-2030 phase -------------------------------------------------------------------------------


def test_the_office_classifies_every_commune_mostly_group_2(demo, units):
    groups = demo.reference_tables["commune_groups"]
    assert demo.files["commune_groups"] == "reference/commune_groups.csv"
    communes = units.loc[units["unit_type"] == "commune", "unit_code"]
    assert sorted(groups["unit_code"]) == sorted(communes)
    counts = groups["group"].value_counts().to_dict()
    assert counts[2] > 0.8 * len(communes) and 0 < counts[1] <= 10 and set(counts) == {1, 2, 3}
    # group 1: communes sharing a pre-2025 unit with a ward (next to an existing urban area)
    legacy = {c: set(s.split("; ")) for c, s in zip(units["unit_code"], units["legacy_sources"])}
    ward_parts = set().union(*(legacy[c] for c in units.loc[units["unit_type"] == "ward", "unit_code"]))
    group1 = set(groups.loc[groups["group"] == 1, "unit_code"])
    assert group1 and all(legacy[c] & ward_parts for c in group1)
    header = (DEMO_DIR / "reference" / "commune_groups.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("Mã đơn vị,Nhóm xã")


def test_recognitions_under_the_new_set_from_mid_2026_and_a_modern_pilot(demo):
    rec = demo.table("recognitions")
    later = rec[rec["decision_date"] >= pd.Timestamp("2026-02-15")]
    assert later["decision_date"].min() >= pd.Timestamp("2026-06-01")
    assert set(later["level"]) == {"nra", "modern"}
    assert 2 <= (later["level"] == "modern").sum() <= 5
    assert later["criteria_set"].isna().any() and (later["criteria_set"] == "qd51_2025").any()
    modern = later[later["level"] == "modern"]
    nra51 = later[later["level"] == "nra"].set_index("unit_code")["decision_date"]
    assert all(nra51[u] < d for u, d in zip(modern["unit_code"], modern["decision_date"]))
    # every commune recognised under the new set met its 10 criteria in the month before the decision
    cs = demo.table("criteria_status")
    cs = cs[(cs["criteria_set"] == "qd51_2025") & cs["indicator"].isna()]
    for unit, day in nra51.items():
        month = (day - pd.DateOffset(months=1)).strftime("%Y-%m")
        latest = cs[(cs["unit_code"] == unit) & (cs["period"] <= month)].sort_values("period")
        latest = latest.drop_duplicates("criterion", keep="last")
        assert len(latest) == 10 and (latest["status"] == "met").all(), unit


# --- the office's working pipelines (issue 11) -----------------------------------------------------------


def test_pipelines_in_the_demo(demo):
    projects, progress = demo.table("projects"), demo.table("project_progress")
    plan = demo.table("capital_plan")
    budget = plan[plan["year"].between(2021, 2025) & plan["source"].isin(["central_investment", "local_budget"])]
    ratio = projects["total_investment_mvnd"].sum() / budget["amount_mvnd"].sum()
    assert 0.1 < ratio < 1.0  # the capital tables' order of magnitude
    assert set(progress["project_id"]) <= set(projects["project_id"])
    regs = demo.table("ocop_registrations")
    since_july = regs[(regs["cycle"] == 2025) & (regs["registered_on"] >= pd.Timestamp("2025-07-01"))]
    assert len(since_july) > 100
    assert (since_july["council_date"].dropna().dt.strftime("%Y-%m") == "2025-12").all()
    assert since_july["council_date"].dropna().dt.day.max() <= 10  # early December
    candidates = since_july[(since_july["proposed_stars"] == 5) & (since_july["stage"] != "evaluated")]
    assert 1 <= len(candidates) <= 3
    appraisals, rec = demo.table("appraisals"), demo.table("recognitions")
    approved = appraisals[appraisals["stage"] == "approved"]
    recent = rec[rec["decision_date"] >= pd.Timestamp("2021-01-01")]
    assert set(zip(approved["unit_code"], approved["level"], approved["decision_no"])) == set(
        zip(recent["unit_code"], recent["level"], recent["decision_no"]))
    visits = demo.table("inspections").drop_duplicates("inspection_id")
    per_quarter = visits.groupby(visits["visit_date"].dt.to_period("Q")).size()
    assert per_quarter.min() >= 2 and per_quarter.max() <= 6
    assert demo.findings == []


def test_csv_fractions_are_written_with_a_decimal_comma_and_read_back_exactly(tmp_path):
    from nrd.demo.write import _csv_number_column

    written = _csv_number_column(pd.Series([199.6, 0.125, 1234.5, 4204.0, None, "1.234,5"], dtype=object))
    assert written.tolist() == ["199,6", "0,125", "1234,5", "4204", None, "1.234,5"]
    generate_demo_dataset(tmp_path, province="01", fmt="csv", end="2025-12")
    csv_read = read_dataset(tmp_path, use_cache=False)
    assert not [f for f in csv_read.findings if f.rule == "number_locale_dependent"]
    progress = csv_read.table("criteria_status")
    assert progress["value"].dropna().gt(0).any()  # the typed values survived the round trip


def test_pipeline_stages_agree_with_their_dates_at_the_data_end(demo):
    end = period_end(demo.latest_period)
    reg = demo.table("ocop_registrations")
    held = reg["council_date"].notna() & (reg["council_date"] <= end)
    assert (reg.loc[held, "stage"] == "evaluated").all()  # a council that met evaluated what was put to it
    assert (reg.loc[reg["council_date"] > end, "stage"] != "evaluated").all()  # one still to come: nothing
    assert (reg["cycle"] - reg["registered_on"].dt.year).isin([0, 1]).all()
    appraisals = demo.table("appraisals")
    tiers = {"qd318_2022": {"nra", "advanced", "model"}, "qd51_2025": {"nra", "modern"}}
    assert appraisals["criteria_set"].notna().all()  # named or defaulted from submitted_on
    assert all(level in tiers[s] for level, s in zip(appraisals["level"], appraisals["criteria_set"]))
    open_2026 = appraisals[appraisals["dossier_id"].str.startswith("HS-2026-M")]
    assert set(open_2026["level"]) == {"nra", "modern"}


def test_project_and_finding_criteria_are_numbered_in_the_set_of_their_day(demo):
    from nrd.reference import criteria_set_on

    projects = demo.table("projects")
    new = projects[projects["start_date"] >= pd.Timestamp("2026-02-15")]
    assert len(new) > 10
    assert new["criterion"].dropna().astype(int).le(10).all()
    assert projects.loc[projects["project_id"] == "DA-0274", "criterion"].item() == "5"  # a health post, 2026
    visits = demo.table("inspections")
    for frame, column in ((projects, "start_date"), (visits, "visit_date")):
        tagged = frame[frame["criterion"].notna()]
        sets = tagged[column].map(lambda day: set(criteria_set_on(day).criteria["criterion"]))
        assert all(c in allowed for c, allowed in zip(tagged["criterion"], sets))


def test_finding_texts_are_about_their_criterion(demo):
    from nrd.reference import criteria_set_on

    visits = demo.table("inspections")
    findings = visits[visits["finding"].notna()]
    assert not findings[findings["criterion"].isin(["4", "7"])
                        & (findings["visit_date"] < pd.Timestamp("2026-02-15"))]["finding"].str.contains(
        "rác thải").any()
    waste = findings[findings["finding"].str.contains("rác thải")]
    assert len(waste) and all(criteria_set_on(d).criterion_name(c).startswith("Môi trường")
                              for d, c in zip(waste["visit_date"], waste["criterion"]))


def test_no_appraisal_check_of_a_ward(demo, units):
    visits = demo.table("inspections")
    wards = set(units.loc[units["unit_type"] == "ward", "unit_code"])
    checks = visits[visits["kind"] == "appraisal_check"]
    assert len(checks) > 10 and not checks["unit_code"].isin(wards).any()

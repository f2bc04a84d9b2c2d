"""The office's reference files (``reference/`` of a dataset): read like the tables, validated with findings,
laid over the shipped reference data, cached, and written as templates.
"""

from __future__ import annotations

import pandas as pd
import pytest

from _io_helpers import COMMUNE, COMMUNE_2, TODAY, WARD, write_csv, write_xlsx
from nrd.io import Dataset, read_dataset
from nrd.io.templates import write_templates
from nrd.reference import build_reference, get_criteria_set, load_units


def _read(folder, **kwargs):
    return read_dataset(folder, today=TODAY, use_cache=kwargs.pop("use_cache", False), **kwargs)


def _dataset(tmp_path):
    """A minimal dataset folder (one criteria row) with an empty reference/ subfolder."""
    write_csv(tmp_path, "criteria_status", ["period", "unit_code", "criterion", "status"],
              [["2025-09", COMMUNE, "1", "met"]])
    (tmp_path / "reference").mkdir()
    return tmp_path / "reference"


def _by_rule(ds) -> dict[str, list]:
    out: dict[str, list] = {}
    for f in ds.findings:
        out.setdefault(f.rule, []).append(f)
    return out


def test_commune_groups_with_vietnamese_headers_and_findings_naming_file_row_column(tmp_path):
    ref = _dataset(tmp_path)
    write_csv(ref, "commune_groups", ["Mã đơn vị", "Nhóm xã", "Số quyết định", "Ngày quyết định"], [
        [COMMUNE, "1", "12/QĐ-UBND", "09/03/2026"],
        ["Xã Liêm Hà", "2", "12/QĐ-UBND", "09/03/2026"],  # a name is accepted
        [WARD, "2", "", ""],  # a ward
        [COMMUNE, "2", "", ""],  # the same commune twice
        ["13483", "4", "", ""],  # no such group
        ["13489", "hai", "", ""],  # not a number
    ])
    ds = _read(tmp_path)
    rules = _by_rule(ds)
    where = {rule: [(f.file, f.row, f.column) for f in found] for rule, found in rules.items()}
    assert where["not_a_commune"] == [("reference/commune_groups.csv", 4, "Mã đơn vị")]
    assert where["duplicate_key"] == [("reference/commune_groups.csv", 5, "Mã đơn vị")]
    assert where["out_of_range"] == [("reference/commune_groups.csv", 6, "Nhóm xã")]
    assert where["bad_value"] == [("reference/commune_groups.csv", 7, "Nhóm xã")]
    assert rules["communes_without_group"][0].severity == "warning"
    groups = ds.reference_tables["commune_groups"]
    assert dict(zip(groups["unit_code"], groups["group"])) == {COMMUNE: 1, COMMUNE_2: 2}
    assert ds.reference.groups_of([COMMUNE, COMMUNE_2, "13483"]).tolist() == [1, 2, pd.NA]
    assert ds.files["commune_groups"] == "reference/commune_groups.csv"


def test_criteria_indicators_and_departments_in_english_headers_from_a_workbook(tmp_path):
    ref = _dataset(tmp_path)
    write_xlsx(ref / "criteria_indicators.xlsx", {"criteria_indicators": (
        ["criteria_set", "criterion", "indicator", "name_vi", "unit", "threshold_group1", "threshold_group2",
         "threshold_group3"],
        [["qd51_2025", "2", "2.1", "Tỷ lệ đường xã được cứng hóa", "%", "100%", "100%", "90%"],
         ["qd51_2025", "2", "3.1", "Sai tiêu chí", "%", None, None, None],  # 3.1 is not under criterion 2
         ["qd51_2025", "12", "12.1", "Không có", "%", None, None, None],  # qd51 has 10 criteria
         ["qd99_2031", "1", "1.1", "Bộ không có", None, None, None, None]],  # no such set
    )})
    write_xlsx(ref / "criteria_departments.xlsx", {"criteria_departments": (
        ["criteria_set", "criterion", "indicator", "department", "role", "decision_no"],
        [["qd51_2025", "2", None, "Sở Công Thương", "chủ trì", "45/QĐ-UBND"],
         ["qd51_2025", "2", None, "so_xd", "phối hợp", "45/QĐ-UBND"],
         ["qd51_2025", "3", None, "so_nnmt", "lead", None],
         ["qd51_2025", "3", None, "so_ct", "lead", None],  # a second lead
         ["qd51_2025", "4", None, "Sở Không Tồn Tại", "lead", None],  # unknown department
         ["qd51_2025", "5", None, "so_yte", "co_lead", None],  # co-lead without a lead
         ["qd51_2025", "2", "2.9", "so_ct", "lead", None]],  # indicator not on file: a warning
    )})
    ds = _read(tmp_path)
    rules = _by_rule(ds)
    assert [(f.file, f.sheet, f.row, f.column) for f in rules["indicator_outside_criterion"]] == [
        ("reference/criteria_indicators.xlsx", "criteria_indicators", 3, "indicator")]
    assert [f.row for f in rules["unknown_criterion"]] == [4]
    assert [(f.row, f.column) for f in rules["bad_value"]] == [(5, "criteria_set")]
    assert [f.row for f in rules["duplicate_lead"]] == [5]
    assert [f.row for f in rules["unknown_department"]] == [6]
    assert [f.row for f in rules["no_lead"]] == [7]
    assert [(f.severity, f.row) for f in rules["unknown_indicator"]] == [("warning", 8)]
    qd51 = ds.criteria_set_for("2026-10")
    indicators = qd51.indicators.set_index("indicator")
    assert list(indicators.index) == ["2.1"]
    assert indicators.loc["2.1", ["threshold_group1", "threshold_group3"]].tolist() == ["100%", "90%"]
    assert indicators.loc["2.1", "source"] == "reference/criteria_indicators.xlsx:criteria_indicators"
    criteria = qd51.criteria.set_index("criterion")
    assert criteria.loc["2", ["department", "co_leads", "department_note"]].tolist() == ["so_ct", "so_xd",
                                                                                         "45/QĐ-UBND"]
    assert criteria.loc["3", "department"] == "so_nnmt"  # the first lead; the second is an error
    assert criteria.loc["4", "department_source"] == ""  # its row was rejected: the shipped assignment stays


def test_office_rows_replace_shipped_rows_and_count_toward_the_expected_indicators():
    qd318 = get_criteria_set("qd318_2022")
    shipped = qd318.indicators.set_index("indicator")
    office = pd.DataFrame({
        "criteria_set": ["qd318_2022", "qd318_2022", "qd318_2022"], "criterion": ["3", "17", "17"],
        "indicator": ["3.1", "17.1", "17.10"], "name_vi": ["Tưới tiêu chủ động", "Nước sạch", "An toàn thực phẩm"],
        "threshold_group1": ["≥ 85%", "≥ 95%", None], "_source": "reference/criteria_indicators.csv",
    })
    reference = build_reference(criteria_indicators=office)
    effective = reference.criteria_set("qd318_2022").indicators.set_index("indicator")
    assert reference.indicator_coverage("qd318_2022") == (len(shipped) + 2, 57)
    assert effective.loc["3.1", "threshold"] == "≥ 85%" and shipped.loc["3.1", "threshold"] == "≥ 80%"
    assert effective.loc["3.1", "name_en"] == "Tưới tiêu chủ động"  # no English given: the Vietnamese name
    assert list(effective.index[effective["criterion"] == "17"]) == ["17.1", "17.10"]  # numeric order
    row = reference.provenance.iloc[0].to_dict()
    assert (row["table"], row["rows"], row["replaced"], row["added"]) == ("criteria_indicators", 3, 1, 2)
    assert get_criteria_set("qd318_2022").indicators.set_index("indicator").loc["3.1", "threshold"] == "≥ 80%"


def test_an_assumption_disappears_once_an_office_file_covers_the_set_in_force():
    communes = load_units("37").query("unit_type == 'commune'")["unit_code"]
    ids = lambda reference, period: set(reference.assumptions(period, communes)["id"])  # noqa: E731
    shipped = build_reference()
    assert {"department_mapping", "qd51_wording", "qd51_commune_group", "qd51_tiers"} <= ids(shipped, "2026-10")
    assert "qd51_wording" not in ids(shipped, "2025-09") and "qd318_indicators" in ids(shipped, "2025-09")
    qd51 = get_criteria_set("qd51_2025")
    departments = pd.DataFrame({"criteria_set": "qd51_2025", "criterion": qd51.criterion_ids,
                                "indicator": None, "department": "so_nnmt", "role": "lead"})
    groups = pd.DataFrame({"unit_code": communes, "group": 2})
    indicators = pd.DataFrame({"criteria_set": "qd51_2025", "criterion": "1",
                               "indicator": [f"1.{i}" for i in range(1, 48)], "name_vi": "Chỉ tiêu"})
    office = build_reference(criteria_departments=departments, commune_groups=groups,
                             criteria_indicators=indicators)
    stated = ids(office, "2026-10")
    assert not stated & {"department_mapping", "qd51_commune_group", "qd51_wording"}
    assert "qd51_tiers" in stated  # no office file replaces it
    assert "department_mapping" in ids(office, "2025-09")  # the file assigns qd51's criteria, not qd318's
    partial = build_reference(commune_groups=groups.head(10))
    assert "qd51_commune_group" in ids(partial, "2026-10")


def test_the_cache_keeps_the_reference_files_and_a_changed_file_is_read_again(tmp_path):
    ref = _dataset(tmp_path)
    write_csv(ref, "commune_groups", ["unit_code", "group"], [[COMMUNE, "1"]])
    first = _read(tmp_path, use_cache=True)
    again = _read(tmp_path, use_cache=True)
    pd.testing.assert_frame_equal(first.reference_tables["commune_groups"],
                                  again.reference_tables["commune_groups"])
    assert "reference/commune_groups.csv" in again.input_hashes
    write_csv(ref, "commune_groups", ["unit_code", "group"], [[COMMUNE, "3"]])
    changed = _read(tmp_path, use_cache=True)
    assert changed.reference_tables["commune_groups"]["group"].tolist() == [3]


def test_templates_of_the_office_files_read_back_without_findings(tmp_path):
    write_templates(tmp_path / "tpl")
    names = sorted(p.name for p in (tmp_path / "tpl" / "reference").glob("*.xlsx"))
    assert names == ["commune_groups.xlsx", "criteria_departments.xlsx", "criteria_indicators.xlsx"]
    (tmp_path / "ds").mkdir()
    ref = _dataset(tmp_path / "ds")
    for name in names:
        (ref / name).write_bytes((tmp_path / "tpl" / "reference" / name).read_bytes())
    ds = _read(tmp_path / "ds")
    assert ds.findings == []
    assert set(ds.reference_tables) == {"commune_groups", "criteria_departments", "criteria_indicators"}


def test_from_frames_takes_office_frames_and_rejects_an_input_table_among_them():
    ds = Dataset.from_frames({}, reference_tables={"commune_groups": pd.DataFrame({"unit_code": [COMMUNE],
                                                                                   "group": [1]})})
    assert ds.reference.groups_of([COMMUNE]).tolist() == [1]
    with pytest.raises(ValueError, match="input table"):
        Dataset.from_frames({}, reference_tables={"recognitions": pd.DataFrame()})

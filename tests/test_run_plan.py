"""Run plans: loading, validation against notebooks, expansion into jobs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from nrd.errors import PeriodError, PlanError
from nrd.run.plan import expand_plan, load_plan, resolve_plan_period, validate_plan

ROOT = Path(__file__).resolve().parents[1]


def write_notebook(path: Path, parameters: str) -> Path:
    nb = new_notebook()
    nb.cells = [new_code_cell(parameters, metadata={"tags": ["parameters"]}), new_code_cell("x = 1")]
    nbformat.write(nb, path)
    return path


@pytest.fixture
def plan_dir(tmp_path: Path) -> Path:
    (tmp_path / "nb").mkdir()
    base = 'period: str = "2025-09"\ndata_dir: str = ""\nlang: str = "vi"\n'
    write_notebook(tmp_path / "nb" / "overview.ipynb", base)
    write_notebook(tmp_path / "nb" / "scorecard.ipynb", base + 'unit_code: str = "00000"\n')
    write_notebook(tmp_path / "nb" / "brief.ipynb", base + 'department: str = "agri"\ndpi: int = 72\n')
    return tmp_path


def write_plan(directory: Path, text: str) -> Path:
    path = directory / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """\
dataset: data
period: 2025-09
languages: [vi, en]
notebooks: nb
reports:
  - notebook: overview
  - notebook: scorecard
    for_each: commune
  - notebook: brief
    for_each: department
    parameters: {dpi: 100}
"""


def test_load_plan_resolves_notebooks_and_groups(plan_dir):
    plan = load_plan(write_plan(plan_dir, GOOD))
    assert [r.name for r in plan.reports] == ["overview", "scorecard", "brief"]
    assert plan.reports[1].notebook == (plan_dir / "nb" / "scorecard.ipynb").resolve()
    assert [r.group for r in plan.reports] == ["other", "communes", "departments"]
    assert plan.reports[1].key_parameter == "unit_code"
    assert plan.reports[2].key_parameter == "department"
    assert plan.languages == ("vi", "en")
    assert plan.dataset == plan_dir / "data"
    validate_plan(plan)  # every parameter is declared: no error


def test_key_defined_twice_is_an_error_naming_file_and_key(plan_dir):
    path = write_plan(plan_dir, GOOD.replace("period: 2025-09", "period: 2025-09\nperiod: 2025-10"))
    with pytest.raises(PlanError) as error:
        load_plan(path)
    assert str(path) in str(error.value)
    assert "'period'" in str(error.value) and "twice" in str(error.value)


def test_duplicate_key_inside_a_report_entry(plan_dir):
    path = write_plan(plan_dir, GOOD.replace("for_each: commune", "for_each: commune\n    for_each: department"))
    with pytest.raises(PlanError, match="for_each"):
        load_plan(path)


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("period: 2025-09", "period: 2025-13", "period"),
        ("period: 2025-09", "period: soon", "period"),
        ("notebook: overview", "notebook: no_such_report", "reports[0].notebook"),
        ("for_each: commune", "for_each: village", "reports[1].for_each"),
        ("languages: [vi, en]", "languages: [de]", "languages"),
        ("dataset: data", "datasets: data", "datasets"),
        ("parameters: {dpi: 100}", "parameters: {period: 2025-01}", "reports[2].parameters.period"),
    ],
)
def test_bad_plan_values_name_the_key(plan_dir, old, new, key):
    path = write_plan(plan_dir, GOOD.replace(old, new))
    with pytest.raises(PlanError) as error:
        load_plan(path)
    assert str(path) in str(error.value)
    assert key in str(error.value)


def test_unknown_parameter_is_checked_against_the_notebook(plan_dir):
    plan = load_plan(write_plan(plan_dir, GOOD.replace("{dpi: 100}", "{dpi: 100, colour: red}")))
    with pytest.raises(PlanError) as error:
        validate_plan(plan)
    assert "reports[2].parameters.colour" in str(error.value)
    assert "brief.ipynb" in str(error.value)


def test_for_each_needs_the_key_parameter_in_the_notebook(plan_dir):
    plan = load_plan(write_plan(plan_dir, GOOD.replace("notebook: scorecard", "notebook: overview\n    name: per_unit")))
    with pytest.raises(PlanError, match="unit_code"):
        validate_plan(plan)


def test_notebook_without_parameters_cell_is_refused(plan_dir):
    nb = new_notebook()
    nb.cells = [new_code_cell("x = 1")]
    nbformat.write(nb, plan_dir / "nb" / "bare.ipynb")
    plan = load_plan(write_plan(plan_dir, GOOD.replace("notebook: overview", "notebook: bare")))
    with pytest.raises(PlanError, match="parameters"):
        validate_plan(plan)


def test_expand_plan_one_job_per_key_and_language(plan_dir):
    plan = load_plan(write_plan(plan_dir, GOOD))
    keys = {"commune": ["13504", "13507"], "department": ["agri"], "ocop_unit": []}
    jobs = expand_plan(plan, period="2025-09", data_dir=plan_dir / "data", keys=keys)
    assert len(jobs) == (1 + 2 + 1) * 2
    stems = [j.stem for j in jobs]
    assert len(set(stems)) == len(stems)
    assert "scorecard-13504.en" in stems
    card = next(j for j in jobs if j.stem == "scorecard-13507.vi")
    assert card.parameters == {
        "period": "2025-09",
        "data_dir": str(plan_dir / "data"),
        "lang": "vi",
        "unit_code": "13507",
    }
    brief = next(j for j in jobs if j.report == "brief" and j.lang == "en")
    assert brief.parameters["department"] == "agri" and brief.parameters["dpi"] == 100


def test_expand_plan_filters(plan_dir):
    plan = load_plan(write_plan(plan_dir, GOOD))
    keys = {"commune": ["13504", "13507"], "department": ["agri", "health"]}
    jobs = expand_plan(
        plan, period="2025-09", data_dir=plan_dir, keys=keys, languages=("vi",), units=("13507", "health")
    )
    assert [j.stem for j in jobs] == ["overview", "scorecard-13507", "brief-health"]
    jobs = expand_plan(plan, period="2025-09", data_dir=plan_dir, keys=keys, languages=("vi",), only=("brief",))
    assert [j.stem for j in jobs] == ["brief-agri", "brief-health"]
    with pytest.raises(PlanError, match="nope"):
        expand_plan(plan, period="2025-09", data_dir=plan_dir, keys=keys, only=("nope",))


def test_report_only_key_restricts_its_keys(plan_dir):
    text = GOOD.replace("for_each: commune", "for_each: commune\n    only: [13507]")
    plan = load_plan(write_plan(plan_dir, text))
    jobs = expand_plan(plan, period="2025-09", data_dir=plan_dir, keys={"commune": ["13504", "13507"]},
                       languages=("vi",), only=("scorecard",))
    assert [j.key for j in jobs] == ["13507"]


def test_resolve_plan_period():
    assert resolve_plan_period("latest", "2025-08") == "2025-08"
    assert resolve_plan_period("2025-7", "2025-08") == "2025-07"
    expected = dt.date.today().replace(day=1) - dt.timedelta(days=1)
    assert resolve_plan_period("previous-month", None) == f"{expected.year:04d}-{expected.month:02d}"
    with pytest.raises(PlanError):
        resolve_plan_period("latest", None)
    with pytest.raises(PeriodError):
        resolve_plan_period("2025-00", "2025-08")


def test_default_plan_loads_and_uses_latest():
    plan = load_plan(ROOT / "params" / "monthly.yaml")
    assert plan.period == "latest"
    names = {r.name: r for r in plan.reports}
    assert names["commune_scorecard"].for_each == "commune"
    assert names["department_brief"].for_each == "department"
    assert set(names) >= {"province_overview", "ocop_portfolio", "capital_disbursement", "data_quality"}
    validate_plan(plan)

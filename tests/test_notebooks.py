"""The report notebooks run top to bottom in a real kernel (papermill) and show real figures.

Each notebook runs with its defaults from another working directory (the data folder resolves relative to
notebooks/), and the parameterised runs cover another commune, a department, and English and French.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
DEMO = ROOT / "data" / "demo"
REPORTS = ["province_overview", "commune_scorecard", "department_brief", "ocop_portfolio",
           "capital_disbursement", "data_quality"]
META_MIME = "application/vnd.nrd.report+json"

pytestmark = pytest.mark.slow


def _run(name: str, tmp_path: Path, **parameters) -> nbformat.NotebookNode:
    papermill = pytest.importorskip("papermill")
    out = tmp_path / f"{name}.ipynb"
    papermill.execute_notebook(str(NOTEBOOKS / f"{name}.ipynb"), str(out), parameters=parameters,
                               kernel_name="python3", cwd=str(tmp_path), progress_bar=False)
    return nbformat.read(out, as_version=4)


def _outputs(nb) -> list[dict]:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


def _html(nb) -> str:
    return "\n".join(o.get("data", {}).get("text/html", "") for o in _outputs(nb))


def _meta(nb) -> dict:
    found = [o["data"][META_MIME] for o in _outputs(nb) if META_MIME in o.get("data", {})]
    assert len(found) == 1
    value = found[0]
    return json.loads(value) if isinstance(value, str) else value


def _recognized_at(period: str) -> int:
    from nrd.indicators import compute_indicators
    from nrd.io import read_dataset

    table = compute_indicators(read_dataset(DEMO), period)
    row = table[(table["indicator"] == "nra.recognized") & (table["unit_code"].str.len() <= 2)]
    return int(row["value"].iloc[0])


@pytest.mark.parametrize("name", REPORTS)
def test_committed_notebook_is_clean_with_one_parameters_cell(name):
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    for line in tagged[0].source.splitlines():
        assert re.fullmatch(r"\w+: \w+ = .+  # .+", line), line
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
            assert not re.search(r"^\s*(def|class) |groupby", cell.source, re.M), cell.source


@pytest.mark.parametrize("name", REPORTS)
def test_notebook_runs_with_defaults_from_any_cwd(name, tmp_path):
    nb = _run(name, tmp_path)
    assert not [o for o in _outputs(nb) if o["output_type"] == "error"]
    meta = _meta(nb)
    assert meta["lang"] == "vi" and meta["period"] == "tháng 9/2025"
    assert "<h2" in _html(nb)


def test_province_overview_headline_shows_recognized_communes(tmp_path):
    nb = _run("province_overview", tmp_path, period="2025-06")
    recognized = _recognized_at("2025-06")
    html = _html(nb)
    assert re.search(rf"\({recognized}/\d+\)", html), "the recognized share shows its numerator"
    assert "&lt;script" not in html and sum(1 for o in _outputs(nb) if "image/png" in o.get("data", {})) >= 4


def test_commune_scorecard_for_another_commune_in_english(tmp_path):
    from nrd.io import read_dataset

    units = read_dataset(DEMO).units
    commune = units[units["unit_type"] == "commune"].iloc[-1]
    assert commune["unit_code"] != "13504"
    nb = _run("commune_scorecard", tmp_path, unit_code=str(commune["unit_code"]), lang="en")
    meta = _meta(nb)
    assert meta["unit"] == commune["name"] and meta["title"] == "Commune scorecard"
    assert "Each criterion of the set in force" in _html(nb)


def test_department_brief_in_french(tmp_path):
    from nrd.reference import load_departments

    departments = load_departments().set_index("department")
    nb = _run("department_brief", tmp_path, department="so_yte", lang="fr")
    meta = _meta(nb)
    assert meta["unit"] == departments.loc["so_yte", "name_fr"]
    assert meta["period"] == "septembre 2025"
    html = _html(nb)
    assert "Critères dont il a la charge" in html
    assert re.search(r"\d+,\d\u00a0% \(\d+/\d+\)", html), "shares carry their numerator and denominator"

"""The report registry (``nrd.reports``): one entry per report kind, read by plans, the index, the workbooks,
the department folders and the headline tables.

The throw-away report proves the recipe of ``docs/architecture.md``: a new kind of report is one notebook,
one registry entry and one plan line (its two titles are lines of ``labels.yaml``; here they are added to
the loaded catalog for the duration of the test, so the repository's file is left alone).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import nbformat
import pytest
import yaml
from nbformat.v4 import new_code_cell, new_notebook
from nrd.errors import UnknownNameError
from nrd.indicators.headlines import OCOP_HEADLINES, headline_ids
from nrd.present.i18n import load_catalog, t
from nrd.reports import GROUPS, REPORTS, ReportKind, get_report, register_report
from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
PERIOD = "2025-09"
NAME = "throwaway_report"
TITLES = {"vi": "Báo cáo thử nghiệm", "en": "Throw-away report", "fr": "Rapport jetable"}


def test_every_registered_kind_has_a_notebook_titles_and_a_known_headline_set():
    assert any(kind.headlines for kind in REPORTS)  # the headline check below runs
    for kind in REPORTS:
        assert (ROOT / "notebooks" / f"{kind.name}.ipynb").is_file(), kind.name
        for lang in ("vi", "en", "fr"):
            assert t(kind.title_label, lang) and t(kind.short_title_label, lang)
        if kind.headlines:
            assert headline_ids(kind.headlines, PERIOD)
        assert kind.group in GROUPS


def test_the_monthly_plan_runs_every_report_kind_in_registry_order():
    plan = yaml.safe_load((ROOT / "params" / "monthly.yaml").read_text(encoding="utf-8"))
    assert [entry["notebook"] for entry in plan["reports"]] == REPORTS.names()


def test_unknown_names_are_typed_errors():
    with pytest.raises(UnknownNameError, match="report kind"):
        get_report("no_such_report")
    with pytest.raises(UnknownNameError, match="index group"):
        ReportKind("x", group="nowhere")
    with pytest.raises(UnknownNameError, match="for_each"):
        ReportKind("x", group="other", for_each="village")
    with pytest.raises(UnknownNameError, match="headline set"):
        headline_ids("no_such_set", PERIOD)


def test_pages_and_index_share_the_titles_of_the_registry():
    from nrd.present.report import report_meta
    from nrd.run.index import report_title
    from nrd.run.model import Job

    for kind in REPORTS:
        for lang in ("vi", "en"):
            meta = report_meta(kind.name, lang, PERIOD)["application/vnd.nrd.report+json"]
            job = Job(kind.name, Path(f"{kind.name}.ipynb"), {}, lang, kind.group, None, kind.name)
            assert meta["title"] == report_title(job) == t(kind.title_label, lang)


@pytest.fixture
def throwaway(monkeypatch, tmp_path):
    """The three additions of the recipe (plus the two title lines of labels.yaml)."""
    catalog = load_catalog()
    monkeypatch.setitem(catalog, f"report.{NAME}", dict(TITLES))
    monkeypatch.setitem(catalog, f"report.{NAME}.short", {"vi": "Thử", "en": "Trial", "fr": "Essai"})
    # 1. the registry entry
    register_report(ReportKind(NAME, group="other", to_departments=True, exports=("ocop.",), headlines="ocop"))
    # 2. the notebook: a parameters cell and what the report shows
    notebook = tmp_path / "notebooks" / f"{NAME}.ipynb"
    notebook.parent.mkdir()
    nb = new_notebook(cells=[
        new_code_cell('period: str = "2025-09"\ndata_dir: str = ""\nlang: str = "vi"\nindicators_path: str = ""',
                      metadata={"tags": ["parameters"]}),
        new_code_cell("from IPython.display import HTML, display\n"
                      "display(HTML(f'<h2>Kỳ {period}</h2><p>Báo cáo thử nghiệm, ngôn ngữ {lang}.</p>'))"),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, notebook)
    # 3. the plan line, added to the monthly plan
    plan = yaml.safe_load((ROOT / "params" / "monthly.yaml").read_text(encoding="utf-8"))
    plan.update(dataset=str(DEMO), notebooks=str(ROOT / "notebooks"))
    plan["reports"].append({"notebook": str(notebook)})
    plan_path = tmp_path / "plan.yaml"
    plan_path.write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    yield plan_path
    REPORTS.unregister(NAME)


@pytest.mark.slow
def test_a_throwaway_report_is_one_notebook_one_registry_entry_one_plan_line(throwaway, tmp_path):
    from nrd.present.report import report_headlines
    from nrd.run.batch import run_plan

    result = run_plan(throwaway, period=PERIOD, out=tmp_path / "out", only=[NAME, "department_brief"],
                      unit=["so_xd"], workers=2, force=True)
    assert result.exit_code == 0, [(r.job.stem, r.error) for r in result.results]
    publication = result.publication
    page = (publication / "html" / f"{NAME}.html").read_text(encoding="utf-8")
    # the page's title is the registry's, though the notebook emits none
    assert html.unescape(re.search(r"<h1>(.*?)</h1>", page, re.S).group(1)) == TITLES["vi"]
    assert "Báo cáo thử nghiệm, ngôn ngữ vi." in page
    # the index lists it in its group, under the same title
    index = (publication / "index.html").read_text(encoding="utf-8")
    section = index.split('<section id="group-other">', 1)[1].split("</section>", 1)[0]
    assert f'href="html/{NAME}.html">{TITLES["vi"]}</a>' in section
    # every department folder receives it; its workbook holds the province's OCOP indicators
    assert (publication / "departments" / "so_xd" / f"{NAME}.html").is_file()
    rows = list(load_workbook(publication / "xlsx" / f"{NAME}.xlsx")["Chỉ tiêu"].iter_rows(values_only=True))
    assert len(rows) > 1 and all(r[3].startswith("ocop.") and r[1] == "37" for r in rows[1:])
    # the manifest records its kind; its headline set resolves through the registry
    manifest = json.loads((publication / "manifest.json").read_text(encoding="utf-8"))
    entry = next(e for e in manifest["reports"] if e["stem"] == NAME)
    assert entry["kind"] == NAME and entry["group"] == "other"
    assert report_headlines(NAME, PERIOD) == headline_ids(OCOP_HEADLINES, PERIOD)

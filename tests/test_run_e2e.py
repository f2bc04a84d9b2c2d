"""End to end: ``nrd run`` on the demo data with a sample of units, as the office runs it.

One module-scoped run (the real notebooks, a commune, a department, plus the deliberately failing notebook)
feeds most tests, so the suite pays for the kernels once.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlparse

import nbformat
import pytest
import yaml

from nrd.run.lock import run_lock

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
NRD = [str(Path(sys.executable).parent / "nrd")]
REPORTS = ("province_overview", "commune_scorecard", "department_brief", "ocop_portfolio",
           "capital_disbursement", "works_projects", "appraisal_inspection", "data_quality")

if not (DEMO.is_dir() and all((ROOT / "notebooks" / f"{r}.ipynb").is_file() for r in REPORTS)):
    from _browser import missing

    missing("needs data/demo and the report notebooks", module=True)


def sample_keys() -> tuple[str, str, str]:
    """The demo's latest period, its first commune and the first department owning a criterion then."""
    from nrd.io import read_dataset
    from nrd.run.batch import for_each_keys

    ds = read_dataset(DEMO)
    keys = for_each_keys(ds, ds.latest_period)
    return ds.latest_period, keys["commune"][0], keys["department"][0]


def nrd_run(*args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run([*NRD, "run", *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """The sample run: every report of the default plan plus a failing one."""
    base = tmp_path_factory.mktemp("e2e")
    plan = yaml.safe_load((ROOT / "params" / "monthly.yaml").read_text(encoding="utf-8"))
    plan["notebooks"] = str(ROOT / "notebooks")
    plan["dataset"] = str(DEMO)
    plan["reports"].append({"notebook": str(ROOT / "tests" / "data" / "failing_report.ipynb"), "name": "broken",
                            "group": "other"})
    plan_path = base / "plan.yaml"
    plan_path.write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    period, commune, department = sample_keys()
    out = base / "out"
    first = nrd_run(str(plan_path), "--out", str(out), "--unit", commune, "--unit", department,
                    "--workers", "2", "--quiet")
    return {"plan": plan_path, "out": out, "period": period, "commune": commune, "department": department,
            "first": first, "publication": out / period}


def test_run_publishes_every_report_and_isolates_the_failure(run):
    assert run["first"].returncode == 1, run["first"].stderr[-3000:]
    publication = run["publication"]
    manifest = json.loads((publication / "manifest.json").read_text(encoding="utf-8"))
    status = {e["stem"]: e["status"] for e in manifest["reports"]}
    expected_ok = ["province_overview", f"commune_scorecard-{run['commune']}",
                   f"department_brief-{run['department']}", "ocop_portfolio", "capital_disbursement",
                   "works_projects", "appraisal_inspection", "data_quality"]
    assert status == {**{stem: "ok" for stem in expected_ok}, "broken": "failed"}
    for stem in expected_ok:
        assert (publication / "html" / f"{stem}.html").stat().st_size > 1000
        assert (publication / "notebooks" / f"{stem}.ipynb").is_file()
        assert (publication / "xlsx" / f"{stem}.xlsx").is_file()
    broken = nbformat.read(publication / "notebooks" / "broken.ipynb", as_version=4)
    assert any(o.get("ename") == "RuntimeError" for c in broken.cells for o in c.get("outputs", []))
    assert "broken" in run["first"].stderr and "deliberate failure for tests" in run["first"].stderr
    # inputs and versions are recorded; the indicator table is published
    assert set(manifest["inputs"]) and all(len(h) == 64 for h in manifest["inputs"].values())
    assert manifest["lib"]["version"] and len(manifest["lib"]["source_sha256"]) == 64
    header = (publication / "indicators.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "period,unit_code,indicator,value,numerator,denominator"
    assert (publication / "indicators.parquet").is_file()
    # the department folder holds its brief plus the shared reports, ready to attach
    folder = publication / "departments" / run["department"]
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f"department_brief-{run['department']}.html", f"department_brief-{run['department']}.xlsx",
         "province_overview.html", "data_quality.html"]
    )
    log = (publication / "run.log").read_text(encoding="utf-8")
    assert "broken: failed" in log and "run done" in log


def test_workbooks_have_vietnamese_headers(run):
    from openpyxl import load_workbook

    workbook = load_workbook(run["publication"] / "xlsx" / f"commune_scorecard-{run['commune']}.xlsx")
    sheet = workbook["Chỉ tiêu"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Kỳ báo cáo", "Mã đơn vị", "Tên đơn vị", "Mã chỉ tiêu")
    assert len(rows) > 1 and {r[1] for r in rows[1:]} == {run["commune"]}
    brief = load_workbook(run["publication"] / "xlsx" / f"department_brief-{run['department']}.xlsx")
    assert "Tiêu chí phụ trách" in brief.sheetnames
    assert {"Công trình chưa xong", "Tồn tại chưa khắc phục"} <= set(brief.sheetnames)
    assert {"Công trình chưa xong", "Hồ sơ công nhận", "Tồn tại chưa khắc phục"} <= set(workbook.sheetnames)


def test_index_in_chromium_links_every_report_and_every_link_resolves(run):
    from _browser import CHROMIUM, CHROMIUM_ARGS, require_chromium

    require_chromium()
    from playwright.sync_api import sync_playwright

    publication = run["publication"]
    profile = tempfile.mkdtemp(prefix="nrd-chromium-")
    remote: list[str] = []
    try:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            context.on("request", lambda r: r.url.startswith(("file:", "data:")) or remote.append(r.url))
            page = context.new_page()
            page.goto((publication / "index.html").as_uri(), wait_until="load")
            hrefs = page.eval_on_selector_all("a", "els => els.map(e => e.href)")
            statuses = page.eval_on_selector_all("li.report", "els => els.map(e => e.dataset.status)")
            headings = page.eval_on_selector_all("h2", "els => els.map(e => e.innerText)")
            figures = page.eval_on_selector_all("table.figures tbody tr", "els => els.map(e => e.innerText)")
            context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert remote == []
    targets = {Path(unquote(urlparse(h).path)) for h in hrefs}
    assert all(t.is_file() for t in targets), [t for t in targets if not t.is_file()]
    manifest = json.loads((publication / "manifest.json").read_text(encoding="utf-8"))
    pages = [entry["html"] for entry in manifest["reports"] if entry["html"]]
    assert len(pages) >= len(REPORTS)
    assert all((publication / page).resolve() in targets for page in pages)
    assert (publication / "notebooks" / "broken.ipynb").resolve() in targets
    assert sorted(statuses) == sorted(e["status"] for e in manifest["reports"])
    # the front page leads with the period's headline figures, then the reports
    assert headings[:2] == ["Số liệu chính", "Báo cáo"]
    assert len(figures) >= 8 and any(row.startswith("Công trình chậm tiến độ") for row in figures)


def test_rerun_skips_unchanged_reports_and_force_reruns(run):
    before = json.loads((run["publication"] / "manifest.json").read_text(encoding="utf-8"))
    rerun = nrd_run(str(run["plan"]), "--out", str(run["out"]), "--unit", run["commune"], "--unit",
                    run["department"], "--workers", "2", "--quiet")
    assert rerun.returncode == 1  # the broken report is never carried over
    manifest = json.loads((run["publication"] / "manifest.json").read_text(encoding="utf-8"))
    status = {e["stem"]: e["status"] for e in manifest["reports"]}
    assert status.pop("broken") == "failed"
    # A report is skipped exactly when its fingerprint is unchanged. In a quiet checkout that is every
    # report; in a shared one, another edit to lib/nrd or a notebook during the test re-runs what it touches.
    previous = {e["stem"]: e["fingerprint"] for e in before["reports"]}
    for entry in manifest["reports"]:
        if entry["stem"] != "broken":
            unchanged = previous[entry["stem"]] == entry["fingerprint"]
            assert entry["status"] == ("skipped" if unchanged else "ok"), entry["stem"]
    # and it is unchanged exactly when neither lib/nrd nor its notebook changed (else an unchanged
    # fingerprint could hide a report that re-runs every time)
    sources = {e["stem"]: e["notebook_sha256"] for e in before["reports"]}
    assert status == {stem: "skipped" if before["lib"] == manifest["lib"] and sources[stem] == sha else "ok"
                      for stem, sha in ((e["stem"], e["notebook_sha256"]) for e in manifest["reports"])
                      if stem != "broken"}
    forced = nrd_run(str(run["plan"]), "--out", str(run["out"]), "--only", "data_quality", "--force", "--quiet")
    assert forced.returncode == 0, forced.stderr[-2000:]
    manifest = json.loads((run["publication"] / "manifest.json").read_text(encoding="utf-8"))
    status = {e["stem"]: e["status"] for e in manifest["reports"]}
    assert status.pop("data_quality") == "ok"
    # the reports outside --only are kept in the publication, not dropped
    assert status.pop("broken") == "failed" and set(status.values()) == {"skipped"}
    assert all((run["publication"] / e["html"]).is_file() for e in manifest["reports"] if e["html"])


def test_second_run_on_a_locked_folder_refuses(run):
    with run_lock(run["out"]):
        locked = nrd_run(str(run["plan"]), "--out", str(run["out"]), "--only", "data_quality", "--quiet",
                         timeout=300)
    assert locked.returncode == 2
    assert "another `nrd run`" in locked.stderr


def test_bad_plan_stops_before_anything_runs(tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text(f"dataset: {DEMO}\nnotebooks: {ROOT / 'notebooks'}\nreports:\n"
                    "  - notebook: province_overview\n    parameters: {colour: red}\n", encoding="utf-8")
    result = nrd_run(str(plan), "--out", str(tmp_path / "out"), "--quiet", timeout=300)
    assert result.returncode == 2
    assert "colour" in result.stderr and str(plan) in result.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())

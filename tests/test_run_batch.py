"""Batch execution on tiny real notebooks: isolation of failures, incremental reruns, lock, kill -9.

The renderer here is the project's own execute + offline HTML pair (``nrd.run.execute`` and
``nrd.run.html``), so these tests do not wait on the report notebooks or the demo data.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from openpyxl import load_workbook

from nrd.errors import LockError
from nrd.run.batch import PreparedRun, execute_run
from nrd.run.lock import run_lock
from nrd.run.plan import load_plan

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
FAILING = ROOT / "tests" / "data" / "failing_report.ipynb"
PARAMS = 'period: str = "2025-09"\ndata_dir: str = ""\nlang: str = "vi"\n'


def render_with_project_stack(job, out_dir: Path, generated_on: str):
    """Execute with papermill and export the offline page, like ``render_report``."""
    from nrd.errors import ReportError
    from nrd.run.execute import execute_notebook
    from nrd.run.html import export_html

    ipynb = out_dir / f"{job.stem}.ipynb"
    try:
        execute_notebook(job.notebook, job.parameters, ipynb)
    except ReportError as error:
        return SimpleNamespace(status="failed", error=str(error), ipynb_path=ipynb, html_path=None)
    html = export_html(ipynb, out_dir / f"{job.stem}.html", title=job.stem, lang=job.lang, generated_on=generated_on)
    return SimpleNamespace(status="ok", error=None, ipynb_path=ipynb, html_path=html)


def write_notebook(path: Path, parameters: str, *body: str) -> Path:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [new_code_cell(parameters, metadata={"tags": ["parameters"]}), *map(new_code_cell, body)]
    nbformat.write(nb, path)
    return path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "nb").mkdir()
    write_notebook(tmp_path / "nb" / "province_overview.ipynb", PARAMS, 'print("tổng quan", period)')
    write_notebook(
        tmp_path / "nb" / "commune_scorecard.ipynb", PARAMS + 'unit_code: str = "00000"\n', 'print("xã", unit_code)'
    )
    (tmp_path / "plan.yaml").write_text(
        textwrap.dedent(
            f"""\
            period: 2025-09
            notebooks: nb
            reports:
              - notebook: province_overview
              - notebook: commune_scorecard
                for_each: commune
              - notebook: {FAILING}
                name: broken
            """
        ),
        encoding="utf-8",
    )
    return tmp_path


def prepare(project: Path, **overrides) -> PreparedRun:
    from nrd.run.plan import expand_plan

    plan = load_plan(project / "plan.yaml")
    jobs = expand_plan(plan, period="2025-09", data_dir=project, keys={"commune": ["13504", "13507"]})
    indicators = pd.DataFrame(
        {
            "period": ["2025-09"] * 3,
            "unit_code": ["37", "13504", "13507"],
            "indicator": ["nra.recognized", "nra.level", "nra.level"],
            "value": [90.0, 2.0, 1.0],
            "numerator": [None, None, None],
            "denominator": [None, None, None],
        }
    )

    def tables(job):
        unit = job.key or "37"
        return {"Chỉ tiêu": indicators.loc[indicators["unit_code"] == unit].reset_index(drop=True)}

    values = dict(
        jobs=jobs,
        period="2025-09",
        data_dir=project,
        input_hashes={"criteria_status.csv": "a" * 64},
        indicator_table=indicators,
        tables_for_job=tables,
        key_labels={"13504": "Xã Gia Viễn", "13507": "Xã Đại Hoàng"},
    )
    values.update(overrides)
    return PreparedRun(**values)


def test_failure_is_isolated_and_reruns_are_incremental(project):
    out = project / "out"
    first = execute_run(prepare(project), out=out, workers=2, render=render_with_project_stack)
    publication = out / "2025-09"
    assert first.publication == publication
    status = {r.job.stem: r.status for r in first.results}
    assert status == {
        "province_overview": "ok",
        "commune_scorecard-13504": "ok",
        "commune_scorecard-13507": "ok",
        "broken": "failed",
    }
    assert first.exit_code == 1
    # the failed executed notebook is kept, with papermill's error
    failed_nb = nbformat.read(publication / "notebooks" / "broken.ipynb", as_version=4)
    errors = [o for c in failed_nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors and errors[0]["evalue"] == "deliberate failure for tests"
    for stem in ("province_overview", "commune_scorecard-13504", "commune_scorecard-13507"):
        assert (publication / "html" / f"{stem}.html").is_file()
        assert (publication / "notebooks" / f"{stem}.ipynb").is_file()
    # the manifest records status, error, hashes
    manifest = json.loads((publication / "manifest.json").read_text(encoding="utf-8"))
    entries = {e["stem"]: e for e in manifest["reports"]}
    assert entries["broken"]["status"] == "failed"
    assert "deliberate failure for tests" in entries["broken"]["error"]
    assert manifest["inputs"] == {"criteria_status.csv": "a" * 64}
    assert len(entries["province_overview"]["fingerprint"]) == 64
    assert "data_dir" not in entries["province_overview"]["parameters"]
    # the index marks the failure and links the evidence
    index = (publication / "index.html").read_text(encoding="utf-8")
    assert 'data-status="failed"' in index and "deliberate failure for tests" in index
    assert 'href="notebooks/broken.ipynb"' in index
    assert "Xã Gia Viễn (13504)" in index
    # the workbook holds the commune's rows
    sheet = load_workbook(publication / "xlsx" / "commune_scorecard-13507.xlsx")["Chỉ tiêu"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][1] == "13507" and rows[1][3] == 1.0
    assert (publication / "indicators.csv").is_file() and (publication / "indicators.parquet").is_file()
    assert "broken: failed" in (publication / "run.log").read_text(encoding="utf-8")
    html_before = (publication / "html" / "province_overview.html").stat().st_ino

    second = execute_run(prepare(project), out=out, workers=2, render=render_with_project_stack)
    status = {r.job.stem: r.status for r in second.results}
    assert status == {
        "province_overview": "skipped",
        "commune_scorecard-13504": "skipped",
        "commune_scorecard-13507": "skipped",
        "broken": "failed",  # a failure is never carried over
    }
    # carried over by hard link from the previous publication, which was swapped out
    assert (publication / "html" / "province_overview.html").stat().st_ino == html_before
    assert (publication / "xlsx" / "commune_scorecard-13504.xlsx").is_file()

    changed = prepare(project, input_hashes={"criteria_status.csv": "b" * 64}, jobs=prepare(project).jobs[:1])
    # changed input data: the selected report re-runs; reports outside the selection are carried over
    third = execute_run(changed, out=out, workers=1, render=render_with_project_stack)
    third_status = {r.job.stem: r.status for r in third.results}
    assert third_status["province_overview"] == "ok"
    assert third_status["broken"] == "failed"  # a carried failure stays visible

    forced = execute_run(changed, out=out, workers=1, force=True, render=render_with_project_stack)
    assert {r.job.stem: r.status for r in forced.results}["province_overview"] == "ok"
    assert not [p for p in out.iterdir() if p.name.startswith((".staging", ".old"))]


def test_second_run_on_the_same_folder_is_refused(project):
    out = project / "out"
    with run_lock(out):
        started = time.monotonic()
        with pytest.raises(LockError, match="another `nrd run`"):
            execute_run(prepare(project), out=out, workers=1, render=render_with_project_stack, lock_wait_s=0.5)
        assert time.monotonic() - started >= 0.5
    assert not (out / "2025-09").exists()
    assert not [p for p in out.iterdir() if p.name.startswith(".staging")]


RUNNER = """\
import sys
from pathlib import Path
sys.path.insert(0, {tests!r})
from test_run_batch import prepare, render_with_project_stack
from nrd.run.batch import execute_run
from nrd.errors import LockError
project = Path({project!r})
try:
    result = execute_run(prepare(project), out=project / "out", workers=1, render=render_with_project_stack,
                         lock_wait_s=0.3)
except LockError as error:
    print("LOCKED", error)
    sys.exit(2)
sys.exit(result.exit_code)
"""


def test_killed_run_leaves_the_last_publication_intact(project):
    out = project / "out"
    execute_run(prepare(project), out=out, workers=2, render=render_with_project_stack)
    publication = out / "2025-09"
    before = {p.relative_to(publication): p.read_bytes() for p in publication.rglob("*") if p.is_file()}
    # make the next run slow: a notebook that sleeps, so the kill lands mid-run
    write_notebook(project / "nb" / "province_overview.ipynb", PARAMS, "import time; time.sleep(60)")
    script = project / "runner.py"
    script.write_text(RUNNER.format(tests=str(ROOT / "tests"), project=str(project)), encoding="utf-8")
    process = subprocess.Popen([sys.executable, str(script)], start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not list(out.glob(".staging-2025-09-*/work-*/province_overview")):
            assert time.monotonic() < deadline, "the run never started its report"
            assert process.poll() is None, "the run ended before it could be killed"
            time.sleep(0.2)
        time.sleep(2)  # let the kernel start: the kill should land while a report executes
        # a second run while the first holds the lock is refused, and changes nothing
        second = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
        assert second.returncode == 2 and "LOCKED" in second.stdout
        os.killpg(process.pid, signal.SIGKILL)  # the run and its kernels
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    after = {p.relative_to(publication): p.read_bytes() for p in publication.rglob("*") if p.is_file()}
    assert after == before
    assert list(out.glob(".staging-*"))  # the dead run's leftovers, until the next run

    write_notebook(project / "nb" / "province_overview.ipynb", PARAMS, 'print("again")')
    rerun = execute_run(prepare(project), out=out, workers=2, render=render_with_project_stack)
    assert rerun.results[0].status == "ok"
    assert not list(out.glob(".staging-*"))

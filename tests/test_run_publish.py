"""Publication pieces without kernels: staging and swap, leftovers, lock, index page, workbooks, fingerprints."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from openpyxl import load_workbook

from nrd.errors import LockError
from nrd.run.export import write_workbook
from nrd.run.index import fold_text, render_index
from nrd.run.lock import run_lock
from nrd.run.manifest import job_fingerprint, previous_successes, read_manifest, write_manifest
from nrd.run.plan import Job
from nrd.run.publish import build_department_folders, clean_leftovers, publish, staging_dir


def test_publish_swaps_the_whole_folder(tmp_path):
    old = tmp_path / "2025-09"
    (old / "html").mkdir(parents=True)
    (old / "html" / "gone.html").write_text("old", encoding="utf-8")
    staging = staging_dir(tmp_path, "2025-09")
    assert staging.name == f".staging-2025-09-{os.getpid()}"
    (staging / "html" / "new.html").write_text("new", encoding="utf-8")
    final = publish(staging, tmp_path, "2025-09")
    assert final == old
    assert sorted(p.name for p in (final / "html").iterdir()) == ["new.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2025-09"]


def test_clean_leftovers_removes_dead_staging_and_restores_an_interrupted_swap(tmp_path):
    (tmp_path / ".staging-2025-09-999999" / "html").mkdir(parents=True)
    interrupted = tmp_path / ".old-2025-08-999999"
    interrupted.mkdir()
    (interrupted / "index.html").write_text("last good", encoding="utf-8")
    (tmp_path / ".old-2025-07-999999").mkdir()
    (tmp_path / "2025-07").mkdir()
    clean_leftovers(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2025-07", "2025-08"]
    assert (tmp_path / "2025-08" / "index.html").read_text(encoding="utf-8") == "last good"


def test_lock_refuses_a_second_holder_then_frees(tmp_path):
    with run_lock(tmp_path):
        with pytest.raises(LockError) as error:
            with run_lock(tmp_path, wait_s=0.2):
                pass
        assert str(os.getpid()) in str(error.value) and str(tmp_path) in str(error.value)
    with run_lock(tmp_path, wait_s=0):
        pass


def test_department_folders_hold_own_and_shared_files(tmp_path):
    (tmp_path / "html").mkdir()
    for name in ("department_brief-so_xd.html", "province_overview.html", "data_quality.html"):
        (tmp_path / "html" / name).write_text(name, encoding="utf-8")
    placed = build_department_folders(
        tmp_path, {"so_xd": ["html/department_brief-so_xd.html"]}, ["html/province_overview.html", "html/data_quality.html"]
    )
    assert placed == {"so_xd": sorted(f"departments/so_xd/{n}" for n in
                                      ("department_brief-so_xd.html", "province_overview.html", "data_quality.html"))}
    assert (tmp_path / "departments/so_xd/data_quality.html").read_text(encoding="utf-8") == "data_quality.html"


def result(stem, report, group, key=None, status="ok", error=None):
    job = Job(report, Path(f"{report}.ipynb"), {}, "vi", group, key, stem)
    html = None if status == "failed" else f"html/{stem}.html"
    return SimpleNamespace(job=job, status=status, html=html, ipynb=f"notebooks/{stem}.ipynb", xlsx=None, error=error)


def test_index_groups_reports_marks_failures_and_escapes():
    results = [
        result("province_overview", "province_overview", "province"),
        result("commune_scorecard-13504", "commune_scorecard", "communes", "13504"),
        result("commune_scorecard-13507", "commune_scorecard", "communes", "13507", "failed", "<b>boom</b>"),
        result("data_quality", "data_quality", "data_quality", status="skipped"),
    ]
    html = render_index(period="2025-09", results=results, generated_at=dt.datetime(2025, 10, 3, 8, 30),
                        key_labels={"13504": "Xã Gia Viễn", "13507": "Xã Đại Hoàng"}, has_csv=False)
    assert html.index('id="group-province"') < html.index('id="group-communes"') < html.index('id="group-data_quality"')
    assert '<a class="report-link" href="html/commune_scorecard-13504.html">Xã Gia Viễn (13504)</a>' in html
    assert "&lt;b&gt;boom&lt;/b&gt;" in html and "<b>boom</b>" not in html
    assert 'href="notebooks/commune_scorecard-13507.ipynb"' in html
    assert 'id="search-communes"' in html and "tháng 9/2025" in html and "03/10/2025 08:30" in html
    assert 'data-search="xa dai hoang (13507) 13507"' in html
    assert "indicators.csv" not in html and "http" not in html.replace('http-equiv', '')


def test_fold_text():
    assert fold_text("Xã Đại Hoàng") == "xa dai hoang"


def test_workbook_neutralises_formulas_and_is_deterministic(tmp_path):
    frame = pd.DataFrame({"Tên đơn vị": ["=HYPERLINK(\"x\")", "+1", "-2", "@A1", "Bình Lục"], "Giá trị": [1.5, 2, 3, 4, None]})
    first = write_workbook({"Chỉ tiêu": frame}, tmp_path / "a.xlsx")
    second = write_workbook({"Chỉ tiêu": frame}, tmp_path / "b.xlsx")
    assert first.read_bytes() == second.read_bytes()
    sheet = load_workbook(first)["Chỉ tiêu"]
    cells = [sheet.cell(row=r, column=1) for r in range(2, 7)]
    assert [c.value for c in cells] == list(frame["Tên đơn vị"])
    assert {c.data_type for c in cells} == {"s"}  # strings, never formulas
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"
    assert sheet["B2"].value == 1.5 and sheet["B6"].value is None


def test_fingerprint_changes_with_each_input_but_not_the_data_folder():
    base = dict(notebook_sha256="n", parameters={"period": "2025-09", "data_dir": "/a"}, lib={"v": "1"},
                inputs={"x.csv": "h"})
    reference = job_fingerprint(**base)
    assert job_fingerprint(**{**base, "parameters": {"period": "2025-09", "data_dir": "/b"}}) == reference
    for change in ({"notebook_sha256": "m"}, {"parameters": {"period": "2025-10", "data_dir": "/a"}},
                   {"lib": {"v": "2"}}, {"inputs": {"x.csv": "g"}}):
        assert job_fingerprint(**{**base, **change}) != reference


def test_manifest_round_trip_and_previous_successes(tmp_path):
    write_manifest(tmp_path, {"reports": [{"stem": "a", "status": "ok", "fingerprint": "f"},
                                          {"stem": "b", "status": "failed", "fingerprint": "g"}]})
    manifest = read_manifest(tmp_path)
    assert set(previous_successes(manifest)) == {"a"}
    (tmp_path / "manifest.json").write_text("{not json", encoding="utf-8")
    assert read_manifest(tmp_path) is None

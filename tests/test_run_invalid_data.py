"""`nrd run` on a dataset with errors: exit 2 with the findings, no report run, the last publication kept."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"


def _nrd_run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200", "NRD_GENERATED_ON": "2026-11-24"}
    return subprocess.run(
        [sys.executable, "-m", "nrd.cli", "run", *args], capture_output=True, text=True, timeout=300, env=env,
        cwd=ROOT,
    )


def test_invalid_data_stops_the_run_and_keeps_the_last_publication(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DEMO, data, ignore=shutil.ignore_patterns(".cache"))
    lines = (data / "capital_mobilized.csv").read_text(encoding="utf-8").splitlines()
    period, source, _ = lines[5].split(",", 2)
    lines[5] = f"{period},{source},mười tỷ"  # not a number: row 6 as the user sees it (header = row 1)
    (data / "capital_mobilized.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    out = tmp_path / "out"
    previous = out / "2025-09"
    previous.mkdir(parents=True)
    (previous / "index.html").write_text("previous publication", encoding="utf-8")

    result = _nrd_run("params/monthly.yaml", "--data", str(data), "--period", "2025-09", "--out", str(out),
                      "--quiet")
    shown = result.stdout + result.stderr
    assert result.returncode == 2, shown
    assert "capital_mobilized.csv" in shown and "mười tỷ" in shown and "Lũy kế huy động" in shown
    assert " 6 " in shown or "│ 6 " in shown  # the row number as the user sees it
    assert "Traceback" not in shown
    # nothing ran and nothing already published was touched
    assert (previous / "index.html").read_text(encoding="utf-8") == "previous publication"
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".nrd-run")) == ["2025-09"]


def _with_one_bad_row(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(DEMO, data, ignore=shutil.ignore_patterns(".cache"))
    lines = (data / "capital_mobilized.csv").read_text(encoding="utf-8").splitlines()
    period, source, _ = lines[5].split(",", 2)
    lines[5] = f"{period},{source},mười tỷ"
    (data / "capital_mobilized.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return data


def test_accept_errors_publishes_without_the_bad_rows_with_a_banner_and_exits_1(tmp_path):
    from _browser import open_page, require_chromium

    data = _with_one_bad_row(tmp_path)
    out = tmp_path / "out"
    result = _nrd_run("params/monthly.yaml", "--data", str(data), "--period", "2025-09", "--out", str(out),
                      "--only", "capital_disbursement", "--only", "data_quality", "--accept-errors", "--quiet")
    shown = result.stdout + result.stderr
    assert result.returncode == 1, shown
    assert "1 input row(s) with errors left out" in shown and "Traceback" not in shown
    publication = out / "2025-09"
    manifest = __import__("json").loads((publication / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["excluded_rows"] == 1
    assert {e["stem"]: e["status"] for e in manifest["reports"]} == {"capital_disbursement": "ok",
                                                                       "data_quality": "ok"}
    banner = "Cảnh báo: 1 dòng dữ liệu có lỗi đã bị loại khỏi báo cáo này"
    require_chromium()
    index = open_page(publication / "index.html")
    assert banner in index.visible_text
    page_html = (publication / "index.html").read_text(encoding="utf-8")
    assert page_html.index(banner) < page_html.index("Số liệu chính")
    assert 'href="html/data_quality.html"' in page_html and (publication / "html" / "data_quality.html").is_file()
    for stem in ("capital_disbursement", "data_quality"):
        page = open_page(publication / "html" / f"{stem}.html")
        assert banner in page.visible_text, stem
        assert page.page_errors == [] and page.remote_requests == []
        assert 'class="nrd-banner"' in (publication / "html" / f"{stem}.html").read_text(encoding="utf-8")
    quality = (publication / "html" / "data_quality.html").read_text(encoding="utf-8")
    assert "mười tỷ" in quality  # the excluded row is named where the banner points


def test_a_clean_run_has_no_banner(tmp_path):
    out = tmp_path / "out"
    result = _nrd_run("params/monthly.yaml", "--period", "2025-09", "--out", str(out), "--only", "data_quality",
                      "--accept-errors", "--quiet")
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'class="nrd-banner"' not in (out / "2025-09" / "html" / "data_quality.html").read_text(encoding="utf-8")
    assert 'class="banner"' not in (out / "2025-09" / "index.html").read_text(encoding="utf-8")


def _broken(tmp_path: Path, how: str) -> Path:
    """A copy of the demo with capital_mobilized.csv broken: a renamed required header (the whole table
    dropped) or random bytes (unreadable)."""
    data = tmp_path / f"data-{how}"
    shutil.copytree(DEMO, data, ignore=shutil.ignore_patterns(".cache"))
    path = data / "capital_mobilized.csv"
    if how == "header":
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("Lũy kế huy động (triệu đồng)", "Huy động", 1), encoding="utf-8")
    else:
        path.write_bytes(bytes(range(256)) * 7 + b"\x00\xff\xfe" * 100)
    return data


def _small_plan(tmp_path: Path) -> Path:
    plan = tmp_path / "plan.yaml"
    plan.write_text(f"dataset: {DEMO}\nperiod: '2025-09'\nlanguages: [vi]\nnotebooks: {ROOT / 'notebooks'}\n"
                    "reports:\n  - notebook: province_overview\n  - notebook: capital_disbursement\n"
                    "  - notebook: data_quality\n", encoding="utf-8")
    return plan


def _manifest(publication: Path) -> dict:
    import json

    return json.loads((publication / "manifest.json").read_text(encoding="utf-8"))


def test_a_partial_accept_errors_run_keeps_no_page_made_from_other_data(tmp_path):
    """--only into a clean publication: the clean pages outside the selection are not kept beside the
    banner, and the data-quality report is run again (it names the broken table), so every page of the
    publication carries the banner and its link is true."""
    plan, out = _small_plan(tmp_path), tmp_path / "out"
    clean = _nrd_run(str(plan), "--out", str(out), "--quiet")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    data = _broken(tmp_path, "header")
    result = _nrd_run(str(plan), "--data", str(data), "--out", str(out), "--only", "province_overview",
                      "--accept-errors", "--quiet")
    shown = result.stdout + result.stderr
    assert result.returncode == 1, shown
    assert shown.strip().splitlines()[-1] == "exit 1: rows_excluded"
    assert "1 report(s) of the last publication not kept" in shown
    publication = out / "2025-09"
    manifest = _manifest(publication)
    assert {e["stem"]: e["status"] for e in manifest["reports"]} == {"province_overview": "ok", "data_quality": "ok"}
    assert manifest["dropped_reports"] == ["capital_disbursement"]
    assert manifest["exit_code"] == 1 and manifest["exit_reasons"] == ["rows_excluded"]
    assert manifest["failed_reports"] == 0
    pages = sorted((publication / "html").glob("*.html"))
    assert [p.name for p in pages] == ["data_quality.html", "province_overview.html"]
    for page in pages:
        assert 'class="nrd-banner"' in page.read_text(encoding="utf-8"), page.name
    assert "capital_mobilized" in (publication / "html" / "data_quality.html").read_text(encoding="utf-8")
    assert "capital_disbursement" not in (publication / "index.html").read_text(encoding="utf-8")
    # the next clean partial run does not keep the pages of the broken data either
    again = _nrd_run(str(plan), "--out", str(out), "--only", "capital_disbursement", "--quiet")
    assert again.returncode == 0, again.stdout + again.stderr
    manifest = _manifest(publication)
    assert [e["stem"] for e in manifest["reports"]] == ["capital_disbursement"]
    assert sorted(manifest["dropped_reports"]) == ["data_quality", "province_overview"]
    assert manifest["exit_reasons"] == [] and manifest["excluded_rows"] == 0


def test_a_table_dropped_whole_is_counted_and_named_and_workbooks_carry_the_note(tmp_path):
    from openpyxl import load_workbook

    data = _broken(tmp_path, "header")
    rows = len((data / "capital_mobilized.csv").read_text(encoding="utf-8").splitlines()) - 1
    out = tmp_path / "out"
    result = _nrd_run(str(_small_plan(tmp_path)), "--data", str(data), "--out", str(out), "--only",
                      "province_overview", "--accept-errors", "--quiet")
    shown = result.stdout + result.stderr
    assert result.returncode == 1, shown
    assert f"published with {rows} input row(s) with errors left out" in shown
    assert f"table capital_mobilized left out whole ({rows} rows)" in shown
    publication = out / "2025-09"
    manifest = _manifest(publication)
    assert manifest["excluded_rows"] == rows == 490
    assert manifest["excluded_tables"] == {"capital_mobilized": rows}
    banner = "Cảnh báo: 490 dòng dữ liệu có lỗi đã bị loại khỏi báo cáo này, gồm cả bảng «Huy động vốn» (490 dòng)"
    page = (publication / "html" / "province_overview.html").read_text(encoding="utf-8")
    assert banner in page and 'href="data_quality.html"' in page
    assert (publication / "html" / "data_quality.html").is_file()  # added to the --only selection
    assert banner in (publication / "index.html").read_text(encoding="utf-8")
    workbook = load_workbook(publication / "xlsx" / "province_overview.xlsx")
    assert workbook.sheetnames[0] == "Chỉ tiêu" and workbook.sheetnames[-1] == "Ghi chú"
    assert workbook.active.title == "Ghi chú"
    assert banner in workbook["Ghi chú"]["A2"].value and "html/data_quality.html" in workbook["Ghi chú"]["A2"].value
    assert banner in workbook.properties.description


def test_an_unreadable_file_is_named_on_the_banner_and_in_the_reports_error(tmp_path):
    data = _broken(tmp_path, "bytes")
    out = tmp_path / "out"
    result = _nrd_run(str(_small_plan(tmp_path)), "--data", str(data), "--out", str(out), "--only",
                      "capital_disbursement", "--accept-errors", "--quiet")
    shown = result.stdout + result.stderr
    assert result.returncode == 1, shown
    publication = out / "2025-09"
    manifest = _manifest(publication)
    assert manifest["excluded_tables"] == {"capital_mobilized": None}
    statuses = {e["stem"]: (e["status"], e["error"] or "") for e in manifest["reports"]}
    assert statuses["data_quality"][0] == "ok" and statuses["capital_disbursement"][0] == "failed"
    # the report needing the table says the file is there but unreadable, not "not found"
    error = statuses["capital_disbursement"][1]
    assert "UnreadableTableError" in error and "capital_mobilized.csv" in error and "could not be read" in error
    assert "not found" not in error
    assert manifest["exit_reasons"] == ["reports_failed", "rows_excluded"] and manifest["failed_reports"] == 1
    assert shown.strip().splitlines()[-1] == "exit 1: reports_failed, rows_excluded"
    assert "published with input rows with errors left out; table capital_mobilized left out whole (its file " \
           "could not be read)" in shown
    index = (publication / "index.html").read_text(encoding="utf-8")
    assert "gồm cả bảng «Huy động vốn» (không đọc được tệp, chưa rõ số dòng)" in index


def test_an_unreadable_table_raises_unreadable_table_error(tmp_path):
    from nrd.errors import MissingTableError, UnreadableTableError
    from nrd.io import read_dataset

    ds = read_dataset(_broken(tmp_path, "bytes"), use_cache=False)
    try:
        ds.table("capital_mobilized")
    except UnreadableTableError as error:
        assert isinstance(error, MissingTableError)  # callers catching the old error still catch it
        assert "capital_mobilized.csv" in str(error) and "could not be read" in str(error)
    else:
        raise AssertionError("no error for an unreadable table")


def test_exit_reasons_tell_the_two_causes_of_exit_1_apart():
    from nrd.run.model import Exclusions, Job, JobResult, RunResult

    job = Job("r", Path("r.ipynb"), {}, "vi", "other", None, "r")
    ok, failed = JobResult(job, "ok", "x"), JobResult(job, "failed", "x")
    assert RunResult(Path("p"), "2025-09", [ok]).exit_reasons == []
    assert RunResult(Path("p"), "2025-09", [failed]).exit_reasons == ["reports_failed"]
    both = RunResult(Path("p"), "2025-09", [failed], exclusions=Exclusions(errors=1, rows=1))
    assert both.exit_reasons == ["reports_failed", "rows_excluded"] and both.exit_code == 1
    assert Exclusions.from_manifest(Exclusions(2, 490, (("capital_mobilized", 490),)).as_manifest()) == \
        Exclusions(2, 490, (("capital_mobilized", 490),))


def test_the_child_and_the_run_write_the_same_workbook_with_the_note(tmp_path):
    """With nrd-fork the report's child writes the workbook, note included: the bytes of the run's own."""
    from openpyxl import load_workbook

    from nrd.run.batch import execute_run, prepare_run
    from nrd.run.export import write_workbook
    from nrd.run.title_block import workbook_note

    prepared = prepare_run(_small_plan(tmp_path), data=_with_one_bad_row(tmp_path), only=["province_overview"],
                           accept_errors=True)
    assert prepared.exclusions.rows == 1 and [j.stem for j in prepared.jobs] == ["province_overview", "data_quality"]
    note = workbook_note(prepared.exclusions, prepared.quality_pages)
    assert note.startswith("Cảnh báo: 1 dòng dữ liệu có lỗi") and "html/data_quality.html" in note
    result = execute_run(prepared, out=tmp_path / "out", workers=1, engine="nrd-fork", force=True)
    assert [r.status for r in result.results] == ["ok", "ok"]
    for job in prepared.jobs:
        expected = write_workbook(prepared.tables_for_job(job), tmp_path / f"{job.stem}.xlsx", title=job.stem,
                                  note=note)
        written = result.publication / "xlsx" / f"{job.stem}.xlsx"
        assert written.read_bytes() == expected.read_bytes(), job.stem
        assert load_workbook(written)["Ghi chú"]["A2"].value == note

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

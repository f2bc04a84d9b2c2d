"""Rendered reports opened in headless Chromium: offline, no errors, images decoded, title visible.

One screenshot per report kind goes to test-artifacts/ (gitignored) for a human look.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from _browser import ARTIFACTS, missing, open_page, require_chromium
from nrd.run.execute import notebook_parameters
from nrd.run.render import render_report

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "data" / "sample_report.ipynb"
DEMO_DATA = ROOT / "data" / "demo"
GENERATED_ON = "2025-10-05"
REPORT_KINDS = ["province_overview", "commune_scorecard", "department_brief", "ocop_portfolio",
                "capital_disbursement", "works_projects", "appraisal_inspection", "data_quality"]


def _check_in_browser(html_path: Path, screenshot_name: str) -> None:
    page_html = html_path.read_text(encoding="utf-8")
    assert html_path.stat().st_size < 400_000
    title = html.unescape(re.search(r"<h1>(.*?)</h1>", page_html, re.S).group(1)).strip()
    assert page_html.count('http-equiv="Content-Security-Policy"') == 1  # under its policy: any violation
    page = open_page(html_path, screenshot=ARTIFACTS / f"{screenshot_name}.png")  # is a console error
    assert page.console_errors == [] and page.page_errors == []
    assert page.remote_requests == []
    assert page.broken_images == []
    assert all(image["src"].startswith("data:image/") for image in page.images)
    assert title and title in page.visible_text
    assert page.screenshot.stat().st_size > 10_000


@pytest.mark.browser
@pytest.mark.slow
def test_sample_report_in_browser(tmp_path):
    require_chromium()
    result = render_report(SAMPLE, period="2025-09", parameters={"unit_code": "37001"}, out_dir=tmp_path,
                           generated_on=GENERATED_ON)
    assert result.ok, result.error
    _check_in_browser(result.html_path, "sample_report")
    page = open_page(result.html_path)
    assert len(page.images) == 1 and page.images[0]["natural_width"] > 100
    assert "Báo cáo tổng hợp Nông thôn mới" in page.visible_text
    assert "<script>alert(1)</script>" in page.visible_text  # the hostile name is shown, not run
    assert "Mục lục" in page.visible_text


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("kind", REPORT_KINDS)
def test_report_notebook_in_browser(kind, tmp_path):
    """Each real report notebook, run with its own defaults on the demo data."""
    notebook = ROOT / "notebooks" / f"{kind}.ipynb"
    if not notebook.is_file():
        missing(f"{notebook.relative_to(ROOT)} is not written yet")
    if not DEMO_DATA.is_dir():
        missing("data/demo is missing (run `make demo-data`)")
    require_chromium()
    declared = notebook_parameters(notebook)
    period = declared["period"]["default"].strip("\"'")
    result = render_report(notebook, period=period, out_dir=tmp_path, data_dir=DEMO_DATA,
                           generated_on=GENERATED_ON)
    assert result.ok, result.error
    _check_in_browser(result.html_path, kind)

"""Open a local HTML file in headless Chromium and report what a reader's browser would see.

Reusable by every area's tests::

    from tests._browser import open_page  # or: from _browser import open_page
    page = open_page(path, screenshot="test-artifacts/x.png")
    assert page.console_errors == [] and page.remote_requests == [] and page.broken_images == []

Uses Debian's chromium (Playwright's own download does not work here), a fresh profile per call and
flags that stop Chromium's own background traffic, so any request seen comes from the page.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

#: Debian's chromium wherever PATH has it (``NRD_CHROMIUM`` names another binary).
CHROMIUM = os.environ.get("NRD_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser") or ""
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@dataclass
class PageReport:
    """What loading one page produced."""

    url: str
    title: str = ""
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    remote_requests: list[str] = field(default_factory=list)  # every request whose URL is not file:/data:
    images: list[dict] = field(default_factory=list)  # {src (first 60 chars), natural_width, complete}
    visible_text: str = ""
    screenshot: Path | None = None

    @property
    def broken_images(self) -> list[dict]:
        return [image for image in self.images if not image["complete"] or image["natural_width"] <= 0]


def chromium_available() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return bool(CHROMIUM) and Path(CHROMIUM).exists()


def strict() -> bool:
    """In CI (``.ci/run`` sets ``NRD_REQUIRE_BROWSER=1``) a missing browser, notebook or dataset fails."""
    return os.environ.get("NRD_REQUIRE_BROWSER", "") not in ("", "0")


def missing(reason: str, *, module: bool = False) -> None:
    """Skip with ``reason`` on a developer's machine; fail in CI, where a skip would hide a broken set-up."""
    if strict():
        pytest.fail(f"{reason} (NRD_REQUIRE_BROWSER is set: a missing prerequisite is a failure)",
                    pytrace=False)
    pytest.skip(reason, allow_module_level=module)


def require_chromium() -> None:
    """Skip (fail in CI) the calling test with the fix when chromium or playwright is missing."""
    if not chromium_available():
        missing(f"needs playwright and chromium on PATH (found {CHROMIUM or 'none'}; run `make browser`)")


def open_page(
    html_path: str | Path,
    *,
    screenshot: str | Path | None = None,
    full_page: bool = True,
    viewport: tuple[int, int] = (1100, 1400),
    timeout_ms: int = 15000,
) -> PageReport:
    """Load ``html_path`` from ``file://`` in a fresh headless Chromium and collect the evidence.

    Args:
        html_path: the local page.
        screenshot: where to save a PNG screenshot (folder created); ``None`` for none.
        full_page: screenshot the whole page rather than the viewport.
        viewport: window size in CSS pixels.
        timeout_ms: load timeout.
    """
    from playwright.sync_api import sync_playwright

    url = Path(html_path).resolve().as_uri()
    report = PageReport(url=url)
    profile = tempfile.mkdtemp(prefix="nrd-chromium-")
    try:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                profile,
                executable_path=CHROMIUM,
                headless=True,
                args=CHROMIUM_ARGS,
                viewport={"width": viewport[0], "height": viewport[1]},
                offline=False,
            )
            try:
                page = context.new_page()
                page.on("console", lambda msg: msg.type == "error" and report.console_errors.append(msg.text))
                page.on("pageerror", lambda error: report.page_errors.append(str(error)))

                def _request(request):
                    if not request.url.startswith(("file:", "data:")):
                        report.remote_requests.append(request.url)

                context.on("request", _request)
                page.goto(url, wait_until="load", timeout=timeout_ms)
                report.title = page.title()
                report.images = page.eval_on_selector_all(
                    "img",
                    "els => els.map(e => ({src: e.getAttribute('src').slice(0, 60),"
                    " natural_width: e.naturalWidth, complete: e.complete}))",
                )
                report.visible_text = page.inner_text("body")
                if screenshot is not None:
                    target = Path(screenshot)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(target), full_page=full_page)
                    report.screenshot = target
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return report


def rendered_report_page(notebook: str | Path, tmp_path: Path, *, period: str, data_dir: str | Path, lang: str,
                         images: int, headings: list[str], generated_on: str = "2026-11-03") -> str:
    """Render one report notebook, open its page in Chromium, check it is clean (no console or page
    error, no remote request, no broken image), has ``images`` images and shows every heading of
    ``headings``; its visible text."""
    from nrd.run.render import render_report

    require_chromium()
    result = render_report(notebook, period=period, out_dir=tmp_path, data_dir=data_dir, lang=lang,
                           generated_on=generated_on)
    assert result.ok, result.error
    page = open_page(result.html_path)
    assert page.console_errors == [] and page.page_errors == [] and page.remote_requests == []
    assert page.broken_images == [] and len(page.images) == images
    for heading in headings:
        assert heading in page.visible_text, heading
    return page.visible_text

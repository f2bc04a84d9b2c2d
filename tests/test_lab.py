"""The notebooks the way an analyst opens them: a real JupyterLab (``make lab``'s settings), Chromium, the UI's
"Run All Cells", the ``Python (nrd)`` kernel.

JupyterLab runs headless on a free port with a token, on a copy of the project (the notebooks copied, the
data and params linked), so saving the executed notebook touches nothing committed. For each notebook: open
it, check the kernel it picked and the outline (JupyterLab's table of contents lists the Markdown headings,
before anything ran), run all cells through the menu, wait for the kernel to go idle with every cell run,
then check what the analyst sees (no error, the title block, figures) and, saved to disk, that no output is
an error.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from _browser import CHROMIUM, CHROMIUM_ARGS, require_chromium

ROOT = Path(__file__).resolve().parents[1]
#: The report the issue names, a report with figures, the scratch notebook.
LAB_NOTEBOOKS = ["commune_scorecard", "province_overview", "explore"]
START_TIMEOUT_S = 90
RUN_TIMEOUT_MS = 240_000

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def markdown_headings(nb) -> list[str]:
    """The ``#`` headings of a notebook's Markdown cells, in order (what JupyterLab's outline lists)."""
    found = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            found += [m.group(2).strip() for m in re.finditer(r"^(#{1,6})\s+(.+)$", cell.source, re.M)]
    return found


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """``jupyter lab`` on a copy of the project: (base URL, token, project folder). Stopped at the end."""
    require_chromium()
    project = tmp_path_factory.mktemp("lab") / "project"
    (project / "notebooks").mkdir(parents=True)
    for name in LAB_NOTEBOOKS:
        shutil.copy(ROOT / "notebooks" / f"{name}.ipynb", project / "notebooks")
    for folder in ("data", "params"):
        (project / folder).symlink_to(ROOT / folder, target_is_directory=True)
    home = project.parent / "home"
    env = {**os.environ, "HOME": str(home), "JUPYTER_CONFIG_DIR": str(home / "config"),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"), "NRD_PROJECT_DIR": str(project)}
    port, token = _free_port(), secrets.token_hex(16)
    log = (project.parent / "lab.log").open("wb")
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("jupyter")), "lab", "--no-browser", f"--ServerApp.port={port}",
         "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={project}",
         "--ServerApp.port_retries=0", "--allow-root", "--LabApp.news_url=None",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         "--MultiKernelManager.default_kernel_name=nrd"],
        cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"jupyter lab did not start: {(project.parent / 'lab.log').read_text()[-2000:]}")
            time.sleep(0.5)
        yield base, token, project
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _run_in_lab(base: str, token: str, name: str, code_cells: int, screenshot: Path, lab_log: Path) -> dict:
    """Open ``notebooks/<name>.ipynb`` (``code_cells`` code cells), run all cells from the Run menu, save;
    what the page showed."""
    from playwright.sync_api import sync_playwright

    profile = Path(screenshot.parent / f"profile-{name}")
    seen: dict = {}
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000})
        try:
            page = context.new_page()
            page.goto(f"{base}/lab/tree/notebooks/{name}.ipynb?reset&token={token}", timeout=60_000)
            page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
            if not page.locator(".jp-TableOfContents-tree").is_visible():  # a restored workspace may show it
                page.click(".lm-TabBar-tab[data-id='table-of-contents']", timeout=10_000)
            page.wait_for_selector(".jp-TableOfContents-tree .jp-tocItem", timeout=20_000)
            seen["outline_before"] = [t.strip() for t in page.locator(
                ".jp-TableOfContents-tree .jp-tocItem-content").all_inner_texts()]
            # the count comes from the file: JupyterLab renders a long notebook's cells lazily, so the page may
            # not hold them all yet (counting them here made a slow machine wait for 10 of 13 cells forever)
            _run_all_cells(page)
            try:
                page.wait_for_function(
                    """(n) => {
                      const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
                        .map(e => e.textContent.trim());
                      const status = document.querySelector('.jp-Notebook-ExecutionIndicator');
                      return prompts.length === n && prompts.every(p => /^\\[\\d+\\]:$/.test(p))
                        && status && status.getAttribute('data-status') === 'idle';
                    }""", arg=code_cells, timeout=RUN_TIMEOUT_MS, polling=500)
            except Exception:
                page.screenshot(path=str(screenshot.with_name(f"{name}-timeout.png")))
                state = page.evaluate("""() => ({
                  prompts: [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(e => e.textContent.trim()),
                  status: document.querySelector('.jp-Notebook-ExecutionIndicator')?.getAttribute('data-status'),
                  kernel: document.querySelector('.jp-KernelName')?.textContent,
                  dialogs: [...document.querySelectorAll('.jp-Dialog')].map(e => e.textContent.slice(0, 300)),
                  errors: [...document.querySelectorAll('.jp-OutputArea-output')].map(e => e.textContent)
                          .filter(t => /Error|Traceback/.test(t)).map(t => t.slice(0, 500))})""")
                pytest.fail(f"{name}: the cells did not all run within {RUN_TIMEOUT_MS // 1000} s in JupyterLab; "
                            f"{code_cells} code cells; page state {json.dumps(state, ensure_ascii=False)}; "
                            f"lab log: {lab_log.read_text(errors='replace')[-3000:]}")
            seen["code_cells"] = code_cells
            seen["kernel"] = page.inner_text(".jp-NotebookPanel-toolbar .jp-KernelName")
            # textContent, not innerText: cells off screen are not rendered (content-visibility) but are there
            seen["errors"] = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
                                          ).all_text_contents()
            seen["images"] = page.locator(".jp-OutputArea-output img").count()
            seen["title_blocks"] = page.locator(".jp-OutputArea-output .nrd-title-block").all_text_contents()
            seen["text"] = page.locator(".jp-NotebookPanel").text_content()
            seen["outline_after"] = [t.strip() for t in page.locator(
                ".jp-TableOfContents-tree .jp-tocItem-content").all_inner_texts()]
            page.keyboard.press("Control+s")
            page.wait_for_selector(".jp-NotebookPanel .jp-mod-dirty", state="detached", timeout=20_000)
            page.screenshot(path=str(screenshot))
        finally:
            context.close()
    shutil.rmtree(profile, ignore_errors=True)
    return seen


#: True once a cell has been queued or run: its prompt is ``[*]:`` or ``[n]:``.
_STARTED = """() => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
    .some(e => /^\\[(\\*|\\d+)\\]:$/.test(e.textContent.trim()))"""


def _run_all_cells(page) -> None:
    """Run > Run All Cells; clicked again once if no cell was queued (a menu opened while the page was
    still settling can swallow the click, which the run's wait would only report minutes later)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(2):
        page.click(".lm-MenuBar-itemLabel:text-is('Run')")
        page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
        try:
            page.wait_for_function(_STARTED, timeout=30_000, polling=250)
            return
        except PlaywrightTimeout:
            if attempt:
                raise
            page.keyboard.press("Escape")


def executed_cells(project: Path, name: str) -> list:
    return [c for c in nbformat.read(project / "notebooks" / f"{name}.ipynb", as_version=4).cells
            if c.cell_type == "code"]


@pytest.mark.parametrize("name", LAB_NOTEBOOKS)
def test_notebook_runs_all_cells_in_jupyterlab(lab, name, tmp_path):
    base, token, project = lab
    committed = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    headings = markdown_headings(committed)
    assert len(headings) >= 4, "the outline needs the notebook's title and its sections as Markdown headings"
    code_cells = sum(c.cell_type == "code" for c in committed.cells)
    seen = _run_in_lab(base, token, name, code_cells, tmp_path / f"{name}.png", project.parent / "lab.log")
    assert seen["kernel"] == "Python (nrd)"
    assert seen["outline_before"] == headings  # the outline is there before anything runs
    assert seen["outline_after"] == headings  # and running adds no duplicate from the heading outputs
    assert seen["errors"] == [] and "Traceback" not in seen["text"]
    assert "No renderer could be found" not in seen["text"]
    executed_images = sum("image/png" in o.get("data", {}) for c in executed_cells(project, name) for o in c.outputs)
    assert seen["images"] == executed_images  # every figure the kernel drew is on screen
    assert seen["images"] >= 1  # the scorecard's criteria met by month, the overview's charts, explore's chart
    executed = nbformat.read(project / "notebooks" / f"{name}.ipynb", as_version=4)
    outputs = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs]
    assert [o for o in outputs if o.output_type == "error"] == []
    assert all(c.execution_count for c in executed.cells if c.cell_type == "code")
    if name != "explore":
        assert len(seen["title_blocks"]) == 1 and seen["title_blocks"][0].strip()
        meta = [o for o in outputs if "application/vnd.nrd.report+json" in o.get("data", {})]
        assert len(meta) == 1
        assert json.loads(json.dumps(meta[0]["data"]["application/vnd.nrd.report+json"]))["title"] \
            in seen["title_blocks"][0]

"""The payload corpus (``_payloads.py``) through the real export path, loaded in headless Chromium.

Every payload goes into one notebook four ways (a ``text/html`` output, a Markdown cell, a ``text/markdown``
output, a raw HTML cell), beside a real styled table and a PNG figure; ``export_html`` writes the page.
Each layer is checked on its own, so that one cannot hide a hole in the other:

- the page as published (sanitizer + CSP): no handler ran, no request left the page, no CSP violation
  (the sanitizer left nothing for the policy to block), the table and figure still look as they should;
  no fragment element carries a class of the page's chrome (a fake banner), and the chrome (title block,
  contents, footer, the cells' wrappers) is styled exactly as without the fragments' stylesheets;
- the same page with its CSP ``<meta>`` removed (the sanitizer alone): the same, plus Chromium's own DOM
  holds only allow-listed elements, no ``on*`` attribute, no script URL, no ``url()``/``@import``;
- every raw payload, unsanitized, under the report CSP alone: no handler ran, no subresource was fetched.

"No handler ran": payloads run ``top.PWNED=1``; "no request": a local HTTP server records every hit and
Playwright every request but the page's own.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell

from _browser import CHROMIUM, CHROMIUM_ARGS, require_chromium
from _payloads import payloads
from nrd.run.meta import report_meta_bundle
from nrd.present.tables import Col, styled_table
from nrd.run.html import export_html
from nrd.run.index import render_index
from nrd.run.sanitize import ALLOWED_TAGS, FRAGMENT_CLASSES, REPORT_CSP

pytestmark = [pytest.mark.browser]

PNG_1PX = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082")).decode()
_CSP_META = re.compile(r'<meta[^>]*http-equiv="Content-Security-Policy"[^>]*>')

# Chromium's DOM after load: what the sanitizer let through, as the browser parsed it.
_DOM_CHECK = """([allowed, fragmentClasses]) => {
  const bad = [];
  // what the fragments hold (outputs, Markdown, raw cells beside the cells in <main>): no chrome class
  const fragments = ".jp-OutputArea-output *, .jp-RenderedMarkdown *, main > :not(.jp-Cell), "
      + "main > :not(.jp-Cell) *";
  for (const el of document.querySelectorAll(fragments)) {
    for (const c of el.classList) {
      if (/^(nrd-|jp-|toc-)/i.test(c) && !fragmentClasses.includes(c)) bad.push("class " + c);
    }
  }
  if (document.querySelector(".nrd-banner")) bad.push("banner");  // the corpus page has no real one
  const clean = (v) => v.replace(/[\\u0000-\\u0020]/g, "").toLowerCase();
  for (const el of document.querySelectorAll("main *")) {
    const tag = el.tagName.toLowerCase();
    if (!allowed.includes(tag) || el.namespaceURI !== "http://www.w3.org/1999/xhtml") bad.push("tag " + tag);
    for (const a of el.attributes) {
      const v = clean(a.value);
      if (a.name.startsWith("on")) bad.push("handler " + tag + " " + a.name);
      if (/(script|vbscript):/.test(v) || v.includes("127.0.0.1")) bad.push("url " + tag + " " + a.name);
      if (a.name === "src" && !/^data:image\\/(png|jpeg);base64,/.test(v)) bad.push("src " + tag);
      if (a.name === "href" && !v.startsWith("#")) bad.push("href " + tag);
      if (a.name === "style" && /url\\(|image-set|expression/.test(v)) bad.push("style " + tag);
    }
  }
  for (const el of document.querySelectorAll("script, iframe, object, embed, base, link, form, svg, math, "
      + "meta[http-equiv]:not([http-equiv='Content-Security-Policy'])")) bad.push("page " + el.tagName);
  for (const sheet of document.styleSheets) {
    if (sheet.href) { bad.push("sheet " + sheet.href); continue; }
    for (const rule of sheet.cssRules) {
      if (/url\\(|@import|image-set|@font-face/i.test(rule.cssText)) bad.push("css " + rule.cssText.slice(0, 60));
      if (sheet.ownerNode.closest("main") && /~|:has\\(|\\+\\s*[.#*a-z]/i.test(rule.selectorText || ""))
        bad.push("selector " + rule.selectorText);
    }
  }
  return bad;
}"""
# The page's chrome as the reader sees it; compared with and without the fragments' <style> elements.
_CHROME_STYLE = """() => {
  const chrome = document.querySelectorAll("body > header, body > header *, nav.nrd-toc, nav.nrd-toc *, "
      + "body > footer, main, main > .jp-Cell, .jp-Cell-inputWrapper, .jp-Cell-outputWrapper, .jp-OutputArea, "
      + ".jp-OutputArea-child, .jp-OutputArea-output, .jp-RenderedMarkdown");
  const seen = (sheetsOn) => {
    for (const style of document.querySelectorAll("main style")) style.disabled = !sheetsOn;
    return Array.from(chrome, (el) => {
      const s = getComputedStyle(el);
      return [s.display, s.visibility, s.opacity, s.color, s.backgroundColor, s.position, s.transform,
              s.marginTop, s.height === "0px" ? "0" : "h"].join("|");
    });
  };
  const withSheets = seen(true), without = seen(false);
  seen(true);
  return {count: chrome.length, changed: withSheets.map((v, i) => v === without[i] ? null : [i, v, without[i]])
      .filter(Boolean)};
}"""
_CLICK_ALL = """() => {
  for (const el of document.querySelectorAll("a, area, button, input, summary")) {
    el.dispatchEvent(new MouseEvent("click", {bubbles: true, cancelable: true}));
  }
}"""


@pytest.fixture(scope="module")
def beacon():
    """A local HTTP server recording every path requested: ``(base URL, hits)``."""
    hits: list[str] = []

    class Recorder(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            hits.append(self.path)
            self.send_response(204)
            self.end_headers()

        do_POST = do_GET

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", hits
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser():
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _load(browser, path, *, click=True, settle_ms=400, inspect=True, context=None):
    """Load ``path`` and collect: marker, requests but the page's own (and which of them the browser
    blocked before sending), console errors, final URL (without its #fragment)."""
    own_context = context is None
    context = context or browser.new_context()
    page = context.new_page()
    url = path.resolve().as_uri()
    seen = {"requests": [], "console": [], "subresources": [], "blocked": []}

    def _request(request):
        if request.url != url and not request.url.startswith("data:"):
            seen["requests"].append(request.url)
            if request.resource_type != "document":
                seen["subresources"].append(request.url)

    def _failed(request):
        if (request.failure or "").lower() in {"csp", "net::err_blocked_by_csp"}:  # refused before sending
            seen["blocked"].append(request.url)

    page.on("request", _request)
    page.on("requestfailed", _failed)
    page.on("console", lambda message: message.type == "error" and seen["console"].append(message.text))
    try:
        page.goto(url, wait_until="load")
        page.wait_for_timeout(settle_ms)
        if inspect:
            seen["dom"] = page.evaluate(_DOM_CHECK, [sorted(ALLOWED_TAGS), sorted(FRAGMENT_CLASSES)])
            seen["chrome"] = page.evaluate(_CHROME_STYLE)
            seen["table_align"] = page.evaluate(
                "() => { const td = document.querySelector('table.nrd-table td.col1');"
                " return td ? getComputedStyle(td).textAlign : null; }")
            seen["image_width"] = page.evaluate(
                "() => { const i = document.querySelector('.jp-RenderedImage img'); return i ? i.naturalWidth : 0; }")
        if click:
            page.evaluate(_CLICK_ALL)
            page.wait_for_timeout(settle_ms)
        seen["pwned"] = page.evaluate("() => window.PWNED === 1")
        seen["url"] = page.url.split("#", 1)[0]
    finally:
        page.close()
        if own_context:
            context.close()
    seen["sent"] = [r for r in seen["subresources"] if r not in seen["blocked"]]
    return seen


def _corpus_notebook(corpus):
    table = styled_table(pd.DataFrame({"name": ["Xã Gia Viễn"], "n": [1234]}),
                         [Col("name", "Tên"), Col("n", "Số", "int")])
    cells = [new_code_cell("meta", outputs=[new_output("display_data", data=report_meta_bundle(title="Corpus"))]),
             new_code_cell("table", outputs=[new_output("display_data", data={"text/html": table})]),
             new_code_cell("figure", outputs=[new_output("display_data", data={"image/png": PNG_1PX})])]
    for name, payload in corpus:
        cells += [
            new_markdown_cell(f"### {name}\n\n{payload}\n"),
            new_code_cell(name, outputs=[new_output("display_data", data={"text/html": payload})]),
            new_code_cell(name, outputs=[new_output("display_data", data={"text/markdown": payload})]),
            new_raw_cell(payload, metadata={"raw_mimetype": "text/html"}),
        ]
    nb = new_notebook(cells=cells)
    for index, cell in enumerate(nb.cells):
        cell.id = f"c{index}"
        if cell.cell_type == "code":
            cell.execution_count = index
    return nb


@pytest.fixture(scope="module")
def corpus_page(beacon, tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    ipynb = folder / "corpus.ipynb"
    nbformat.write(_corpus_notebook(payloads(beacon[0])), ipynb)
    published = export_html(ipynb, folder / "corpus.html", generated_on="2025-10-05")
    again = export_html(ipynb, folder / "again.html", generated_on="2025-10-05")
    assert published.read_bytes() == again.read_bytes()
    return published


def test_published_page_runs_nothing_and_fetches_nothing(browser, beacon, corpus_page):
    base, hits = beacon
    hits.clear()
    page_html = corpus_page.read_text(encoding="utf-8")
    assert page_html.count("Content-Security-Policy") == 1 and f'content="{REPORT_CSP}"' in page_html.replace(
        "&#x27;", "'").replace("&#39;", "'")
    seen = _load(browser, corpus_page)
    assert not seen["pwned"]
    assert hits == [] and seen["requests"] == []
    assert seen["url"] == corpus_page.resolve().as_uri()
    assert seen["console"] == []  # not even a CSP violation: the sanitizer left nothing to block
    assert seen["dom"] == []
    assert seen["chrome"]["count"] > 100 and seen["chrome"]["changed"] == []  # no fragment restyles the page
    assert seen["table_align"] == "right" and seen["image_width"] == 1  # the report still looks the same


def test_sanitizer_alone_holds_without_the_csp(browser, beacon, corpus_page, tmp_path):
    base, hits = beacon
    hits.clear()
    bare = tmp_path / "no-csp.html"
    text, count = _CSP_META.subn("", corpus_page.read_text(encoding="utf-8"))
    assert count == 1
    bare.write_text(text, encoding="utf-8")
    seen = _load(browser, bare)
    assert not seen["pwned"]
    assert hits == [] and seen["requests"] == []
    assert seen["url"] == bare.resolve().as_uri()
    assert seen["dom"] == []
    assert seen["chrome"]["count"] > 100 and seen["chrome"]["changed"] == []
    assert seen["table_align"] == "right" and seen["image_width"] == 1


def test_report_csp_alone_blocks_scripts_and_fetches(browser, beacon, tmp_path):
    """Unsanitized payloads under the report CSP: nothing runs, no subresource is fetched (top-level
    navigations — a refresh, a link — are not the CSP's to stop; the sanitizer removes them)."""
    base, hits = beacon
    failures, requests, refused = {}, [], set()
    context = browser.new_context()
    page = context.new_page()
    page.on("request", lambda r: r.resource_type != "document" and r.url.startswith("file:") and requests.append(r.url))
    page.on("requestfailed", lambda r: r.failure == "csp" and refused.add(r.url))
    try:
        for name, payload in payloads(base):
            hits.clear()
            requests.clear()
            path = tmp_path / f"{name}.html"
            path.write_text(f'<!DOCTYPE html><html><head><meta charset="utf-8"><meta http-equiv='
                            f'"Content-Security-Policy" content="{REPORT_CSP}"></head><body>{payload}</body></html>',
                            encoding="utf-8")
            page.goto(path.as_uri(), wait_until="load")
            page.wait_for_timeout(60)
            page.evaluate(_CLICK_ALL)
            page.wait_for_timeout(60)
            pwned = page.evaluate("() => window.PWNED === 1")
            fetched = [h for h in hits if h not in {"/meta-refresh", "/form"}]  # navigations: not the CSP's
            local = [r for r in requests if r not in refused]  # the file system has no server to ask
            if pwned or fetched or local:
                failures[name] = {"pwned": pwned, "hits": fetched, "files": local}
    finally:
        context.close()
    assert failures == {}


def test_index_search_script_runs_under_its_hash_and_a_changed_script_does_not(browser, tmp_path):
    from types import SimpleNamespace
    from pathlib import Path
    import datetime as dt

    from nrd.run.plan import Job

    def result(key):
        job = Job("commune_scorecard", Path("commune_scorecard.ipynb"), {}, "vi", "communes", key,
                  f"commune_scorecard-{key}")
        return SimpleNamespace(job=job, status="ok", html=f"html/{key}.html", ipynb=None, xlsx=None, error=None)

    html = render_index(period="2025-09", results=[result("13504"), result("13507")],
                        generated_at=dt.datetime(2025, 10, 3, 8, 30),
                        key_labels={"13504": "Xã Gia Viễn", "13507": "Xã Đại Hoàng"})
    index = tmp_path / "index.html"
    index.write_text(html, encoding="utf-8")
    tampered = tmp_path / "tampered.html"
    tampered.write_text(html.replace("function fold(s) {", "function fold(s) { "), encoding="utf-8")
    visible = {}
    for path in (index, tampered):
        context = browser.new_context()
        page = context.new_page()
        console = []
        page.on("console", lambda message: message.type == "error" and console.append(message.text))
        page.goto(path.as_uri(), wait_until="load")
        page.fill("#search-communes", "dai hoang")
        visible[path.name] = (page.eval_on_selector_all("#list-communes li", "els => els.filter(e => !e.hidden)"
                                                        ".map(e => e.dataset.search)"), console)
        context.close()
    shown, errors = visible["index.html"]
    assert shown == [json.loads(json.dumps("xa dai hoang (13507) 13507"))] and errors == []
    shown, errors = visible["tampered.html"]
    assert len(shown) == 2 and any("Content Security Policy" in e for e in errors)

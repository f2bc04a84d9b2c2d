"""The allow-list sanitizer (nh3) and CSS filter (tinycss2) without a browser; the pages' CSP.

The same payload corpus is loaded in Chromium by ``test_sanitize_browser.py``.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from _payloads import PAYLOADS, payloads
from nrd.present.tables import Col, styled_table
from nrd.run.css_filter import PAGE_CLASS_PREFIXES, clean_style_attribute, clean_stylesheet
from nrd.run.index import render_index
from nrd.run.plan import Job
from nrd.run.sanitize import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    FRAGMENT_CLASSES,
    REPORT_CSP,
    content_security_policy,
    sanitize_fragment,
    script_hash,
)

BEACON = "http://127.0.0.1:9"
_TAG = re.compile(r"<([a-zA-Z][^\s/>]*)([^>]*)>")
_ATTRIBUTE = re.compile(r'\s([^\s=/>]+)(?:="([^"]*)")?')
_STYLE_TEXT = re.compile(r"<style\b[^>]*>(.*?)</style>", re.S)


def _violations(clean: str) -> list[str]:
    """What in sanitized output is not on the allow-list. Sound because nh3 escapes every ``<`` of text and
    attribute values, and the CSS filter leaves none in a ``<style>`` element: each ``<x`` is a real tag."""
    found = []
    for tag, attributes in _TAG.findall(clean):
        tag = tag.lower()
        if tag not in ALLOWED_TAGS:
            found.append(f"tag {tag}")
        allowed = ALLOWED_ATTRIBUTES["*"] | ALLOWED_ATTRIBUTES.get(tag, set())
        for name, value in _ATTRIBUTE.findall(attributes):
            if name.lower() not in allowed:
                found.append(f"attribute {tag} {name}")
            squashed = re.sub(r"[\x00-\x20]", "", value).lower()
            if "script:" in squashed or "127.0.0.1" in squashed or "url(" in squashed:
                found.append(f"value {tag} {name}={value!r}")
            if name.lower() == "class":
                found += [f"class {tag} {c}" for c in value.split()
                          if c.lower().startswith(PAGE_CLASS_PREFIXES) and c not in FRAGMENT_CLASSES]
    for css in _STYLE_TEXT.findall(clean):
        if re.search(r"url\(|@import|image-set|expression|\\|<", css, re.I):
            found.append(f"style {css!r}")
        # selectors leaving the fragment: siblings, :has(), the page's chrome
        if re.search(r"~|:has\(|\+\s*[.#*a-z]|[.#](?:nrd-|jp-|toc-)", css, re.I):
            found.append(f"selector {css!r}")
    return found


@pytest.mark.parametrize("name,payload", payloads(BEACON), ids=[name for name, _ in PAYLOADS])
def test_every_payload_leaves_only_allowed_markup(name, payload):
    clean = sanitize_fragment(payload)
    assert _violations(clean) == []
    assert sanitize_fragment(clean) == clean  # stable: sanitizing the output changes nothing


def test_the_reports_own_tables_survive_unchanged_in_substance():
    frame = pd.DataFrame({"name": ["Xã Gia Viễn", "<b>x</b>"], "n": [1234, 5]})
    table = styled_table(frame, [Col("name", "Tên"), Col("n", "Số", "int")], caption="Bảng")
    clean = sanitize_fragment(table)
    for selector in re.findall(r"^(#T_\S+(?: \S+)?)\s*\{", table, re.M):
        assert selector in clean
    for declaration in re.findall(r"^\s+([a-z-]+: [^;]+);", table, re.M):
        assert declaration in clean
    assert '<table id="T_' in clean and 'class="nrd-table"' in clean and "<caption>Bảng</caption>" in clean
    assert "&lt;b&gt;x&lt;/b&gt;" in clean and '<td class="data row0 col1">1.234</td>' in clean


def test_headings_spans_classes_lists_and_images_are_kept():
    png = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgAAACAAAB4iG8MwAAAABJRU5ErkJggg=="
    fragment = (f'<h2 id="ket-qua">Kết quả</h2><p class="nrd-note"><span class="nrd-tag" style="color: #c53030">'
                f'[R]</span> a</p><ul class="nrd-assumptions"><li>x</li></ul><img src="{png}" width="40">'
                '<a href="#ket-qua">lên</a>')
    assert sanitize_fragment(fragment) == fragment


@pytest.mark.parametrize("style,expected", [
    ("color: red; font-weight: 600", "color: red; font-weight: 600"),
    ("background:url(http://x/a.png);color:red", "color: red"),
    ("background:\\75rl(http://x/a.png)", ""),
    ("background:u\\rl(http://x/a.png)", ""),
    ("background-image:image-set('a.png' 1x)", ""),
    ("background-image:-webkit-image-set(url(a.png) 1x)", ""),
    ("width:expression(alert(1))", ""),
    ("behavior:url(x.htc)", ""),
    ("font-family:'\\3c/style\\3e'", ""),
    ("color:rgb(1, 2, 3) !important", "color: rgb(1, 2, 3) !important"),
    ("position:fixed;top:0", ""),
])
def test_style_attribute_filter(style, expected):
    assert clean_style_attribute(style) == expected


def test_stylesheet_filter_drops_every_at_rule_and_url():
    sheet = ("@import 'a.css'; @\\69mport url(b.css); @IMPORT url(c.css); @font-face{src:url(f)} "
             "@media print{.p{color:red}} .p{color:blue;background:URL(x)} .q{background:\\75rl(x)} .r{}")
    assert clean_stylesheet(sheet) == ".p {\n  color: blue;\n}\n"


def test_a_fragment_stylesheet_cannot_reach_the_page_around_it():
    sheet = ("body{display:none} *{color:red} h1, .x{color:red} .nrd-banner{display:none} .jp-Cell{opacity:0} "
             ".toc-h2{display:none} :root{color:red} #T_nrd1 td, .dataframe thead th{text-align:right} "
             ".x{margin:-900px 0 0 0}")
    assert clean_stylesheet(sheet) == "#T_nrd1 td, .dataframe thead th {\n  text-align: right;\n}\n"
    assert clean_style_attribute("margin-top:-40em;color:red") == "color: red"


@pytest.mark.parametrize("sheet", [
    "#x ~ * {display:none}", "#x + * {display:none}", ".a:has(+ .nrd-banner) {display:none}",
    ".a:has(~ *) {opacity:0}", ".a:HAS(.b) {color:red}", ".a .nrd-banner {display:none}",
    ".a > .jp-Cell {display:none}", ".a:not(.nrd-toc) {display:none}", "#x:is(.b ~ *) {opacity:0}",
    ".a #nrd-x, .b #jp-y {color:red}", ".ok {color:red} .ok, .a~.b {color:red}",
])
def test_every_part_of_a_selector_is_checked_not_only_its_start(sheet):
    """The first token (``#x``, ``.a``) is the fragment's own; what follows still must not reach the page."""
    assert clean_stylesheet(sheet) in ("", ".ok {\n  color: red;\n}\n")


def test_selectors_that_stay_inside_the_fragment_are_kept():
    sheet = ("#T_nrd1 tr:nth-child(2n + 1) td, #T_nrd1 td:hover, .a > .b, .a:not(.b) td, .a:is(.b, .c) "
             "{color: red}")
    assert clean_stylesheet(sheet) == f"{sheet.split(' {')[0]} {{\n  color: red;\n}}\n"


def test_a_fragment_cannot_pass_for_the_pages_chrome():
    """``<div class="nrd-banner">`` would look like the data-quality banner: page classes are taken off a
    fragment's elements; the content classes of ``nrd.present`` stay, and a class list with neither is
    kept byte for byte."""
    assert sanitize_fragment('<div class="nrd-banner" role="alert">giả</div>') == "<div>giả</div>"
    assert sanitize_fragment('<p class="note NRD-Banner jp-Cell toc-h2 nrd-note">x</p>') == \
        '<p class="note nrd-note">x</p>'
    assert sanitize_fragment('<span class=" a  b ">x</span>') == '<span class=" a  b ">x</span>'
    assert sanitize_fragment('<table class="nrd-table"><tr><td class="nrd-tag">1</td></tr></table>') == \
        '<table class="nrd-table"><tbody><tr><td class="nrd-tag">1</td></tr></tbody></table>'


def test_the_fragment_classes_are_every_page_class_nrd_present_emits():
    """A class ``nrd.present`` writes into a report's HTML must be in ``FRAGMENT_CLASSES`` (else the
    sanitizer would take it off every page), and the list names nothing else."""
    emitted = set()
    for source in (Path(__file__).resolve().parents[1] / "lib" / "nrd" / "present").rglob("*.py"):
        for classes in re.findall(r"""class=\\?["']([^"'{]*)""", source.read_text(encoding="utf-8")):
            emitted |= {c for c in classes.split() if c.startswith(PAGE_CLASS_PREFIXES)}
    assert emitted == set(FRAGMENT_CLASSES)


def test_csp_of_report_and_index_pages():
    assert REPORT_CSP == ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
                          "base-uri 'none'; form-action 'none'")
    assert script_hash("") == "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
    assert "script-src 'sha256-" in content_security_policy(["x"])


def test_index_page_allows_exactly_its_own_script_by_hash():
    job = Job("commune_scorecard", Path("commune_scorecard.ipynb"), {}, "vi", "communes", "13504",
              "commune_scorecard-13504")
    results = [SimpleNamespace(job=job, status="ok", html="html/a.html", ipynb=None, xlsx=None, error=None)] * 2
    page = render_index(period="2025-09", results=results, generated_at=dt.datetime(2025, 10, 3, 8, 30))
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert len(scripts) == 1 and "addEventListener" in scripts[0]
    policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page).group(1)
    assert policy.replace("&#39;", "'") == content_security_policy([scripts[0]])
    assert page.index("Content-Security-Policy") < page.index("<style>") < page.index("<script>")


def test_the_analyst_is_told_what_was_left_out(caplog):
    with caplog.at_level("WARNING", logger="nrd"):
        sanitize_fragment('<table><tr><td onclick="x()">1</td></tr></table><iframe src="a"></iframe><svg></svg>')
    assert "left out what a page may not hold: iframe, svg, on* handlers" in caplog.text
    caplog.clear()
    with caplog.at_level("WARNING", logger="nrd"):
        sanitize_fragment(styled_table(pd.DataFrame({"a": [1]}), [Col("a", "A", "int")]))
    assert caplog.text == ""  # a report's own table is not worth a warning

"""nrd.run.html on hand-built notebooks (no kernel): template, title block, TOC, sanitizing, determinism."""

from __future__ import annotations

import base64
import datetime as dt
import re

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from nrd.errors import UsageError
from nrd.present.formats import fmt_period as format_period
from nrd.run.html import export_html, prepare_notebook, render_page, resolve_generated_on
from nrd.run.sanitize import REPORT_CSP, sanitize_fragment
from nrd.run.meta import REPORT_META_MIME, report_meta_bundle

HOSTILE = "<script>alert(1)</script>"
# a 1x1 PNG, enough for the template's image block
PNG_1PX = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
    )
).decode()


def _notebook(*cells, metadata=None):
    nb = new_notebook(cells=list(cells), metadata=metadata or {})
    for index, cell in enumerate(nb.cells):
        cell.id = f"c{index}"
    return nb


def _code(*outputs, source="x = 1"):
    cell = new_code_cell(source)
    cell.execution_count = 7
    cell.outputs = list(outputs)
    return cell


def _display(data):
    return new_output("display_data", data=data)


def _meta_output(**fields):
    return _display(report_meta_bundle(**fields))


@pytest.fixture()
def report_nb():
    return _notebook(
        new_markdown_cell("Intro paragraph."),
        _code(_meta_output(title="Tổng hợp Nông thôn mới", subtitle="Toàn tỉnh", unit="Tỉnh Ninh Bình",
                           period="2025-09", as_of="2025-10-03", lang="vi"),
              source="import pandas as pd\nshow_meta()"),
        new_markdown_cell("## Kết quả đạt chuẩn\n\nText."),
        _code(new_output("execute_result", data={"text/html": "<table><tr><td>1</td></tr></table>",
                                                 "text/plain": "x"}, execution_count=7),
              source="frame"),
        new_markdown_cell("### Biểu đồ"),
        _code(_display({"image/png": PNG_1PX, "text/plain": "<Figure>"})),
        _code(new_output("stream", name="stderr", text="FutureWarning: noise\n")),
        new_markdown_cell("## Phụ lục"),
    )


def _page(nb, **kwargs):
    kwargs.setdefault("generated_on", "2025-10-05")
    return render_page(nb, name="province_overview", **kwargs)


def _body(page):
    return page.split("<main>", 1)[1]


def test_page_has_no_code_inputs_prompts_or_scripts(report_nb):
    page = _page(report_nb)
    assert "<main>" in page
    assert "import pandas" not in page and "show_meta" not in page
    assert "<code" not in page and "jp-InputArea-editor" not in page and "highlight" not in page
    assert "In&nbsp;[" not in page and "Out[" not in page and "In [" not in page
    assert "<script" not in page.lower()
    assert "FutureWarning" not in page  # stderr noise is not for readers


def test_page_carries_the_csp_first_in_its_head(report_nb):
    page = _page(report_nb)
    head = page.split("</head>", 1)[0]
    metas = re.findall(r"<meta[^>]*>", head)
    assert 'charset="utf-8"' in metas[0] and 'http-equiv="Content-Security-Policy"' in metas[1]
    policy = re.search(r'content="([^"]+)"', metas[1]).group(1).replace("&#x27;", "'").replace("&#39;", "'")
    assert policy == REPORT_CSP and "script-src" not in policy
    assert head.index("Content-Security-Policy") < head.index("<style")


def test_image_metadata_cannot_inject_attributes():
    output = _display({"image/png": PNG_1PX})
    output.metadata = {"image/png": {"width": "1 onerror=alert(1)", "height": 40}}
    broken = _display({"image/png": 'x" onerror="alert(1)'})
    page = _page(_notebook(_code(output), _code(broken)))
    images = re.findall(r"<img[^>]*>", _body(page))
    assert len(images) == 2 and "onerror" not in page
    assert 'height="40"' in images[0] and "width" not in images[0] and "src" not in images[1]


def test_a_chart_keeps_its_own_text_alternative_escaped():
    """``show_figure(fig, alt=...)`` puts the chart's own description in the image metadata; the page uses it
    (escaped) instead of the generic one."""
    output = _display({"image/png": PNG_1PX})
    output.metadata = {"image/png": {"alt": 'Số tiêu chí đạt "19" & trung vị'}}
    plain = _display({"image/png": PNG_1PX})
    images = re.findall(r"<img[^>]*>", _body(_page(_notebook(_code(output), _code(plain)))))
    assert len(images) == 2 and 'alt="Số tiêu chí đạt &quot;19&quot; &amp; trung vị"' in images[0]
    assert 'alt="Biểu đồ của báo cáo' in images[1]


def test_svg_outputs_show_their_png_and_no_svg_markup():
    both = _display({"image/svg+xml": '<svg onload="alert(1)"><circle r="5"/></svg>', "image/png": PNG_1PX})
    page = _page(_notebook(_code(both)))
    assert "<svg" not in page and "onload" not in page
    assert f"data:image/png;base64,{PNG_1PX}" in page


def test_page_has_no_external_urls(report_nb):
    page = _page(report_nb)
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert "@import" not in page
    assert "http://" not in page and "https://" not in page


def test_title_block_reads_the_metadata_output_and_drops_it(report_nb):
    page = _page(report_nb)
    header = page.split("<header", 1)[1].split("</header>", 1)[0]
    assert "<h1>Tổng hợp Nông thôn mới</h1>" in header
    assert "Tỉnh Ninh Bình" in header and "Toàn tỉnh" in header
    assert "tháng 9/2025" in header
    assert "03/10/2025" in header  # data as-of
    assert "05/10/2025" in header  # generated on
    assert REPORT_META_MIME not in page and "as_of" not in page
    assert "<title>Tổng hợp Nông thôn mới — Tỉnh Ninh Bình — 2025-09</title>" in page


def test_title_and_meta_arguments_override_the_notebook(report_nb):
    page = _page(report_nb, title="Bảng điểm", meta={"unit": "Xã Gia Viễn"})
    assert "<h1>Bảng điểm</h1>" in page and "Xã Gia Viễn" in page


def test_without_metadata_the_title_falls_back_to_the_notebook_name():
    page = _page(_notebook(new_markdown_cell("## A")), lang="en")
    assert "<h1>Report province overview</h1>" in page


def test_lang_attribute_and_labels_follow_the_language(report_nb):
    assert '<html lang="vi">' in _page(report_nb)
    english = _page(report_nb, lang="en")
    assert '<html lang="en">' in english and "September 2025" in english and "Contents" in english
    french = _page(report_nb, lang="fr")
    assert '<html lang="fr">' in french and "septembre 2025" in french and "Sommaire" in french


def test_unknown_language_is_a_usage_error(report_nb):
    with pytest.raises(UsageError, match="expected one of vi, en, fr"):
        _page(report_nb, lang="de")


def test_toc_lists_h2_and_h3_in_order_with_working_anchors(report_nb):
    page = _page(report_nb)
    toc = page.split('<nav class="nrd-toc"', 1)[1].split("</nav>", 1)[0]
    entries = re.findall(r'<li class="toc-(h[23])"><a href="#([^"]+)">([^<]+)</a>', toc)
    assert [(level, text) for level, _, text in entries] == [
        ("h2", "Kết quả đạt chuẩn"), ("h3", "Biểu đồ"), ("h2", "Phụ lục")]
    body = _body(page)
    for _, anchor, _ in entries:
        assert f'id="{anchor}"' in body
    assert "anchor-link" not in page  # the ¶ links would print


def test_toc_numbers_headings_without_ids():
    nb = _notebook(_code(_display({"text/html": "<h2>Bảng A</h2><h2>Bảng A</h2>"})))
    page = _page(nb)
    assert '<a href="#section-1">Bảng A</a>' in page and '<a href="#section-2">Bảng A</a>' in page
    assert '<h2 id="section-1">' in page and '<h2 id="section-2">' in page


def test_images_are_inline_png(report_nb):
    images = re.findall(r'<img[^>]*src="([^"]+)"', _page(report_nb))
    assert images == [f"data:image/png;base64,{PNG_1PX}"]


@pytest.mark.parametrize("lang", ["vi", "en", "fr"])
def test_every_image_has_a_text_alternative_in_the_page_language(report_nb, lang):
    from nrd.present.i18n import t

    nb = _notebook(*report_nb.cells, _code(_display({"text/html": '<p>x <img src="data:image/png;base64,'
                                                                   f'{PNG_1PX}"> <img alt="kept" src="data:image/png;base64,{PNG_1PX}"></p>'})))
    alts = re.findall(r'<img[^>]*\balt="([^"]*)"', _page(nb, lang=lang))
    assert alts == [t("page.figure_alt", lang), t("page.figure_alt", lang), "kept"]
    assert "No description has been provided" not in _page(nb, lang=lang)
    assert len(re.findall(r"<img\b", _page(nb, lang=lang))) == 3


def test_css_is_small_with_print_rules(report_nb):
    page = _page(report_nb)
    css = "".join(re.findall(r"<style[^>]*>(.*?)</style>", page, re.S))
    assert len(css) < 6000
    assert "@page{size:A4" in css and "break-before:page" in css and "break-inside:avoid" in css


def test_escaped_values_stay_text_and_raw_scripts_are_removed():
    escaped = _display({"text/html": "<table><tr><td>&lt;script&gt;alert(1)&lt;/script&gt;</td></tr></table>"})
    unescaped = _display({"text/html": f'<table id="T_x"><tr><td class="data">{HOSTILE}</td>'
                                       '<td onclick="steal()">ok</td></tr></table>'})
    page = _page(_notebook(_code(escaped), _code(unescaped)))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script" not in page.lower() and "alert(1)</" not in page and "onclick" not in page
    # the sanitizer keeps the table itself, its ids and classes (nh3 adds the implied tbody)
    assert '<table id="T_x"><tbody><tr><td class="data"></td><td>ok</td></tr></tbody></table>' in page


def test_sanitize_keeps_styled_table_and_local_links_drops_remote_ones():
    styled = ('<style type="text/css">#T_a_row0_col0 {background-color: #f1f1f1;}'
              '@import url("https://evil.example/x.css");</style>'
              '<table id="T_a"><thead><tr><th class="col_heading level0 col0">Sản phẩm</th></tr></thead>'
              '<tbody><tr><td id="T_a_row0_col0" class="data row0 col0" style="color: red">Chè &amp; "trà"</td>'
              '</tr></tbody></table><a href="#top">lên</a><a href="https://evil.example">x</a>'
              '<img src="http://evil.example/p.png"><iframe src="https://evil.example"><p>in</p></iframe>'
              '<a href="javascript:alert(1)">j</a><p style="background:url(http://evil.example/b.png)">b</p>')
    clean = sanitize_fragment(styled)
    assert "#T_a_row0_col0 {\n  background-color: #f1f1f1;\n}" in clean
    assert '<td id="T_a_row0_col0" class="data row0 col0" style="color: red">Chè &amp; "trà"</td>' in clean
    assert '<a href="#top">lên</a>' in clean
    assert "evil.example/x.css" not in clean.split("@import")[0] and "@import" not in clean
    assert not re.search(r"(src|href)=\"(https?:|javascript:)", clean)
    assert "<iframe" not in clean and "<p>in</p>" not in clean
    assert "url(http" not in clean


def test_prepare_notebook_does_not_mutate_its_input(report_nb):
    before = nbformat.writes(report_nb)
    _, meta = prepare_notebook(report_nb)
    assert nbformat.writes(report_nb) == before
    assert meta["title"] == "Tổng hợp Nông thôn mới" and meta["as_of"] == "2025-10-03"


def test_notebook_metadata_is_read_below_the_output():
    nb = _notebook(_code(_meta_output(title="From output")),
                   metadata={"nrd": {"title": "From metadata", "unit": "Xã Yên Mô"}})
    _, meta = prepare_notebook(nb)
    assert meta == {"title": "From output", "unit": "Xã Yên Mô"}


def test_meta_bundle_rejects_unknown_fields_and_formats_dates():
    assert report_meta_bundle(as_of=dt.date(2025, 10, 3), unit=None) == {REPORT_META_MIME: {"as_of": "2025-10-03"}}
    with pytest.raises(TypeError, match="titel"):
        report_meta_bundle(titel="x")


def test_same_notebook_gives_the_same_bytes(report_nb, tmp_path):
    ipynb = tmp_path / "r.ipynb"
    nbformat.write(report_nb, ipynb)
    first = export_html(ipynb, tmp_path / "a.html", generated_on="2025-10-05").read_bytes()
    second = export_html(ipynb, tmp_path / "b.html", generated_on="2025-10-05").read_bytes()
    assert first == second
    assert not re.search(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}", first)  # no uuid4 ids


def test_papermill_metadata_never_reaches_the_page(report_nb):
    report_nb.metadata["papermill"] = {"start_time": "2025-10-05T01:02:03.456789", "duration": 2.5,
                                       "parameters": {"unit_code": "37001"}}
    for cell in report_nb.cells:
        cell.metadata["papermill"] = {"start_time": "2025-10-05T01:02:03.456789", "duration": 0.123456}
    page = _page(report_nb)
    assert "01:02:03" not in page and "0.123456" not in page and "T01" not in page


def test_generated_on_sources(monkeypatch):
    monkeypatch.delenv("NRD_GENERATED_ON", raising=False)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert resolve_generated_on("2025-10-05") == dt.date(2025, 10, 5)
    assert resolve_generated_on() == dt.date.today()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1759622400")  # 2025-10-05T00:00:00Z
    assert resolve_generated_on() == dt.date(2025, 10, 5)
    monkeypatch.setenv("NRD_GENERATED_ON", "2025-11-01")
    assert resolve_generated_on() == dt.date(2025, 11, 1)
    with pytest.raises(UsageError, match="YYYY-MM-DD"):
        resolve_generated_on("05/10/2025")


def test_format_period():
    assert format_period("2025-09", "vi") == "tháng 9/2025"
    assert format_period("2026-02", "en") == "February 2026"
    assert format_period("2026-02", "fr") == "février 2026"


def test_toc_nests_h3_under_their_h2(report_nb):
    toc = _page(report_nb).split('<nav class="nrd-toc"', 1)[1].split("</nav>", 1)[0]
    compact = re.sub(r'<a href="#[^"]+">', "<a>", toc).replace("\n", "")
    assert ('<ol><li class="toc-h2"><a>Kết quả đạt chuẩn</a><ol><li class="toc-h3"><a>Biểu đồ</a></li></ol></li>'
            '<li class="toc-h2"><a>Phụ lục</a></li></ol>') in compact


def test_cells_tagged_for_the_notebook_only_are_left_out():
    title_cell = new_markdown_cell("# Tiêu đề trong notebook")
    title_cell.metadata["tags"] = ["nrd-notebook-only"]
    page = _page(_notebook(title_cell, new_markdown_cell("Đoạn văn.")))
    assert "Tiêu đề trong notebook" not in page and "Đoạn văn." in page


@pytest.mark.parametrize("lang", ["vi", "en", "fr"])
def test_title_block_dates_read_alike_in_every_language(lang):
    # A notebook's as-of date (already formatted, or ISO) and the generated-on date are both day-first:
    # an English page does not show "30/09/2025" beside "5 October 2025".
    for as_of in ("30/09/2025", "2025-09-30"):
        nb = _notebook(_code(_meta_output(title="T", period="2025-09", as_of=as_of)))
        header = _page(nb, lang=lang).split("<header", 1)[1].split("</header>", 1)[0]
        assert "30/09/2025" in header and "05/10/2025" in header
        assert "October" not in header and "octobre" not in header


def test_run_clock_is_reproducible_when_a_build_date_is_set(monkeypatch):
    from nrd.run.title_block import run_clock

    monkeypatch.delenv("NRD_GENERATED_ON", raising=False)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert abs((run_clock() - dt.datetime.now()).total_seconds()) < 5
    given = dt.datetime(2026, 1, 2, 3, 4, 5)
    assert run_clock(given) == given
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1759667400")  # 2025-10-05T12:30:00Z
    assert run_clock() == dt.datetime(2025, 10, 5, 12, 30)
    monkeypatch.setenv("NRD_GENERATED_ON", "2025-11-01")
    assert run_clock() == dt.datetime(2025, 11, 1, 0, 0)
    monkeypatch.setenv("NRD_GENERATED_ON", "")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    with pytest.raises(UsageError):
        run_clock()

"""The report notebooks run top to bottom in a real kernel (papermill) and show the figures the engine computes.

Each notebook variant runs once (module-scoped fixtures); the tests below only read the executed notebooks.
The default runs compute their indicator table in the kernel and run from another working directory; the
parameterised runs read a table precomputed here (``indicators_path``) the way ``nrd run`` passes it.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import nbformat
import pytest

from _browser import missing

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
DEMO = ROOT / "data" / "demo"
REPORTS = ["province_overview", "commune_scorecard", "department_brief", "ocop_portfolio",
           "capital_disbursement", "works_projects", "appraisal_inspection", "data_quality"]
#: Report notebooks with an outline of Markdown headings and every view bound to a name (issue 13).
OUTLINED = REPORTS
META_MIME = "application/vnd.nrd.report+json"
#: Calls a show call may take inline: not views, the names of the input tables a dataset lacks.
NOT_VIEWS = {"absent_tables"}
NOTEBOOK_ONLY = "nrd-notebook-only"
PERIOD = "2025-09"
DEPARTMENT_PERIOD = "2025-03"  # so_xd has communes to act on then (all criteria are met by 2025-09)

pytestmark = pytest.mark.slow


def _execute(name: str, out_dir: Path, **parameters) -> nbformat.NotebookNode:
    """Run a notebook in the ``nrd`` kernel from ``out_dir``: outside the project, so the notebook finds its
    default inputs (``../data/demo``, ``../params/targets.yaml``) through ``NRD_PROJECT_DIR``."""
    from unittest import mock

    try:
        import papermill
    except ImportError:
        missing("needs papermill (make install)")
    out = out_dir / f"{name}-{len(list(out_dir.glob('*.ipynb')))}.ipynb"
    with mock.patch.dict(os.environ, {"NRD_PROJECT_DIR": str(ROOT)}):
        papermill.execute_notebook(str(NOTEBOOKS / f"{name}.ipynb"), str(out), parameters=parameters,
                                   kernel_name="nrd", cwd=str(out_dir), progress_bar=False)
    return nbformat.read(out, as_version=4)


def _outputs(nb) -> list[dict]:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


def _html(nb) -> str:
    return "\n".join(o.get("data", {}).get("text/html", "") for o in _outputs(nb))


def _all_text(nb) -> str:
    parts = []
    for output in _outputs(nb):
        parts.append(output.get("text", "") if isinstance(output.get("text"), str) else "".join(output.get("text", [])))
        for mime, value in output.get("data", {}).items():
            if not mime.startswith("image/"):
                parts.append(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
    return "\n".join(parts)


def _meta(nb) -> dict:
    found = [o["data"][META_MIME] for o in _outputs(nb) if META_MIME in o.get("data", {})]
    assert len(found) == 1
    value = found[0]
    return json.loads(value) if isinstance(value, str) else value


def _errors(nb) -> list[dict]:
    return [o for o in _outputs(nb) if o["output_type"] == "error"]


def _images(nb) -> int:
    return sum(1 for o in _outputs(nb) if "image/png" in o.get("data", {}))


def _cell_html(nb, marker: str) -> str:
    """The HTML outputs of the code cell whose source contains ``marker``."""
    cells = [c for c in nb.cells if c.cell_type == "code" and marker in c.source]
    assert len(cells) == 1, marker
    return "\n".join(o.get("data", {}).get("text/html", "") for o in cells[0].outputs)


@pytest.fixture(scope="module")
def demo():
    from nrd.io import read_dataset

    return read_dataset(DEMO, use_cache=False)  # a cached read has the personal columns blank


@pytest.fixture(scope="module")
def indicators_path(demo, tmp_path_factory) -> Path:
    """The indicator table a run would precompute, covering every period the variant runs need."""
    from nrd import periods
    from nrd.indicators import build_indicator_table

    path = tmp_path_factory.mktemp("run") / "indicators.parquet"
    build_indicator_table(demo, periods.period_range("2024-03", PERIOD)).to_parquet(path, index=False)
    return path


@pytest.fixture(scope="module")
def default_runs(tmp_path_factory) -> dict[str, nbformat.NotebookNode]:
    out = tmp_path_factory.mktemp("defaults")  # not notebooks/: data_dir resolves relative to notebooks/
    return {name: _execute(name, out) for name in REPORTS}


@pytest.fixture(scope="module")
def variant_runs(demo, indicators_path, tmp_path_factory) -> dict[str, nbformat.NotebookNode]:
    out = tmp_path_factory.mktemp("variants")
    units = demo.units
    commune = units[units["unit_type"] == "commune"].iloc[-1]
    ward = units[units["unit_type"] == "ward"].iloc[0]
    common = {"indicators_path": str(indicators_path)}
    return {
        "commune_en": _execute("commune_scorecard", out, unit_code=str(commune["unit_code"]), lang="en", **common),
        "ward": _execute("commune_scorecard", out, unit_code=str(ward["unit_code"]), **common),
        "department_fr": _execute("department_brief", out, department="so_xd", lang="fr",
                                  period=DEPARTMENT_PERIOD, **common),
        "overview_en": _execute("province_overview", out, period="2025-06", lang="en", **common),
    }


# ---- committed notebooks -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", REPORTS)
def test_committed_notebook_is_clean_thin_and_parameterised(name):
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "nrd"
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    lines = tagged[0].source.splitlines()
    for line in lines:
        assert re.fullmatch(r"\w+: \w+ = .+  # .+", line), line
    assert 'indicators_path: str = ""  # indicator table precomputed by nrd run (Parquet); blank: compute here' in lines
    assert sum(c.cell_type == "code" for c in nb.cells) >= 3  # the loop below checks real cells
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
            assert not re.search(r"^\s*(def|class) |groupby|\.loc\[|\bfor\b .* in ", cell.source, re.M), cell.source
        else:  # narrative in the report comes from code in the report language; markdown is for analysts
            assert NOTEBOOK_ONLY in cell.metadata.get("tags", []), cell.source
    assert nb.cells[0].source.startswith("# ")


def _headings(nb) -> list[tuple[int, str]]:
    return [(len(m.group(1)), m.group(2).strip()) for c in nb.cells if c.cell_type == "markdown"
            for m in re.finditer(r"^(#{1,6})\s+(.+)$", c.source, re.M)]


def _calls(source: str) -> list:
    import ast

    return [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call)]


def _name(node) -> str:
    import ast

    return node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""


@pytest.mark.parametrize("name", OUTLINED)
def test_outline_lists_every_section_as_a_notebook_only_heading(name):
    """JupyterLab's outline lists Markdown headings before anything runs: each ``rp.section`` of the report
    has a heading cell (the Vietnamese label, at the same level), tagged so the page leaves it out."""
    import ast

    from nrd.present.i18n import t

    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    assert nb.metadata["kernelspec"] == {"display_name": "Python (nrd)", "language": "python", "name": "nrd"}
    headings = _headings(nb)
    assert headings[0][0] == 1
    expected = []
    for cell in nb.cells:
        for call in _calls(cell.source) if cell.cell_type == "code" else []:
            if _name(call.func) == "section" and isinstance(call.args[0], ast.Constant):
                level = next((k.value.value for k in call.keywords if k.arg == "level"), 2)
                if "{" not in t(call.args[0].value, "vi"):
                    expected.append((level, t(call.args[0].value, "vi")))
    assert len(expected) >= 4
    assert [h for h in headings[1:] if h in expected] == expected


@pytest.mark.parametrize("name", OUTLINED)
def test_every_view_is_bound_to_a_name(name):
    """No view is computed inside the call that shows it: ``position = ind.capital_position(ds, period)``, then
    ``sx.show_capital_position(position, ...)``. So a show call takes no ``ind``/``rp`` call as an argument
    (but the names of absent tables), never the indicator table ``table`` itself (``headlines = rp.headlines(table, ...)``,
    ``groups = ind.group_results(table, ...)`` first), and what it shows first is a name bound to a computed
    view (or a parameter); a show call's value never ends a cell unbound (``;``)."""
    import ast

    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    parameters = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    bound = {t.id for n in ast.walk(ast.parse(parameters.source)) if isinstance(n, ast.AnnAssign)
             for t in [n.target]}
    shows = 0
    for cell in nb.cells:
        if cell.cell_type != "code" or cell is parameters:
            continue
        for statement in ast.parse(cell.source).body:
            for call in [n for n in ast.walk(statement) if isinstance(n, ast.Call)]:
                if not _name(call.func).startswith("show_"):
                    continue
                shows += 1
                arguments = [*call.args, *(k.value for k in call.keywords)]
                inline = [ast.unparse(a) for a in arguments
                          if isinstance(a, ast.Call) and isinstance(a.func, ast.Attribute)
                          and _name(a.func.value) in ("ind", "rp") and _name(a.func) not in NOT_VIEWS]
                assert inline == [], f"{name}: bind {inline} to a name first"
                assert "table" not in [_name(a) for a in arguments if isinstance(a, ast.Name)], (
                    f"{name}: {ast.unparse(call)} computes its view from the indicator table; bind it first")
                first = call.args[0] if call.args else None
                if isinstance(first, ast.Name):
                    assert first.id in bound, f"{name}: {ast.unparse(call)} shows {first.id}, bound nowhere before"
            if isinstance(statement, ast.Assign):
                bound |= {t.id for t in statement.targets if isinstance(t, ast.Name)}
        last = ast.parse(cell.source).body[-1:] if cell.source.strip() else []
        if last and isinstance(last[0], ast.Expr) and _name(getattr(last[0].value, "func", None)).startswith("show_"):
            assert cell.source.rstrip().endswith(";"), cell.source
    assert shows >= 5


# ---- default runs ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", REPORTS)
def test_notebook_runs_with_defaults_from_another_cwd(default_runs, name):
    nb = default_runs[name]
    assert _errors(nb) == []
    meta = _meta(nb)
    assert meta["lang"] == "vi" and meta["period"] == "tháng 9/2025"
    html = _html(nb)
    assert html.count("<h2") >= 3
    assert "&lt;script" not in html and "<script" not in html


@pytest.mark.parametrize("name", REPORTS)
def test_no_cell_value_reaches_the_page(default_runs, name):
    """``show_*`` return the frame they showed; a report's cells end the call with ``;`` (or bind it), so
    no frame is echoed as a cell's value."""
    assert [o for o in _outputs(default_runs[name]) if o["output_type"] == "execute_result"] == []


@pytest.mark.parametrize("name", REPORTS)
def test_notebook_only_cells_leave_the_page_byte_identical(default_runs, name, tmp_path):
    """The analyst's cells (Markdown headings and notes tagged ``nrd-notebook-only``) never change the page:
    the executed notebook with and without them exports to the same bytes."""
    from nrd.run.html import export_html

    nb = default_runs[name]
    assert any(NOTEBOOK_ONLY in c.metadata.get("tags", []) for c in nb.cells)
    without = nbformat.from_dict(json.loads(json.dumps(nb)))
    without.cells = [c for c in without.cells if NOTEBOOK_ONLY not in c.metadata.get("tags", [])]
    pages = []
    for label, notebook in (("with", nb), ("without", without)):
        path = tmp_path / f"{label}.ipynb"
        nbformat.write(notebook, path)
        pages.append(export_html(path, tmp_path / f"{label}.html", lang="vi", meta={"period": PERIOD},
                                 generated_on="2025-10-05").read_bytes())
    assert pages[0] == pages[1] and b"<h2" in pages[0]


def test_province_overview_has_every_section_with_targets(default_runs, demo):
    from nrd.indicators import compare, compute_indicators, load_targets

    nb = default_runs["province_overview"]
    html = _html(nb)
    for heading in ("Các chỉ tiêu chính", "Kết quả đạt chuẩn theo thời gian", "Tiêu chí đạt theo xã",
                    "Ma trận xã × tiêu chí", "Sản phẩm OCOP", "Huy động, kế hoạch và giải ngân vốn",
                    "Danh sách cần theo dõi", "Giả định và nguồn số liệu"):
        assert f">{heading}</h" in html, heading
    assert _images(nb) >= 6
    table = compute_indicators(demo, PERIOD)
    statuses = compare(table, PERIOD, load_targets(ROOT / "params" / "targets.yaml"))["status"]
    shown = {"met": "Đã đạt", "on_track": "Đúng tiến độ", "behind": "Chậm tiến độ"}
    assert set(statuses) & set(shown)  # the loop below checks at least one status
    for status in set(statuses) & set(shown):
        assert f">{shown[status]}<" in html, status
    assert "tỷ đồng" in html and "điểm %" in html  # units of money and of share changes


def test_ocop_portfolio_shows_no_personal_data(default_runs, demo):
    entities = demo.table("ocop_entities")
    assert len(entities) > 10
    assert entities["phone"].notna().all() and entities["representative"].notna().any()  # the check can fail
    everything = "\n".join(_all_text(default_runs[name]) for name in REPORTS)
    leaked = [v for column in ("phone", "representative") for v in entities[column].dropna().astype(str)
              if v and v in everything]
    assert leaked == []
    html = _html(default_runs["ocop_portfolio"])
    for heading in ("Theo hạng sao", "Theo nhóm sản phẩm", "Theo đơn vị", "Theo loại hình chủ thể",
                    "Sản phẩm mới được công nhận", "Giấy chứng nhận hết hạn trong 180 ngày",
                    "Chu kỳ đánh giá theo giai đoạn", "Ứng viên 5 sao so với mục tiêu"):
        assert f">{heading}</h" in html, heading


def test_capital_and_data_quality_show_their_views(default_runs, demo):
    from nrd.indicators import submission_grid, watch_lists

    capital = _html(default_runs["capital_disbursement"])
    behind = watch_lists(demo, PERIOD)["capital_behind"]
    assert f"{len(behind)} dòng vốn" in capital
    assert ">2024<" in capital and ">2025<" in capital  # every plan year, each as of P
    assert _images(default_runs["capital_disbursement"]) >= 3
    quality = _html(default_runs["data_quality"])
    grid = submission_grid(demo, [PERIOD])
    unreported = int((~grid["submitted"]).sum())
    assert unreported > 0  # the demo has communes that did not report: the loop below checks each
    assert f"{unreported}/{len(grid)} xã chưa gửi báo cáo tháng này" in quality
    for code in grid.loc[~grid["submitted"], "unit_code"]:
        assert f">{code}<" in quality


# ---- parameterised runs ------------------------------------------------------------------------------------


def test_province_overview_in_english_shows_the_engine_recognized_count(variant_runs, demo):
    from nrd.indicators import compute_indicators

    nb = variant_runs["overview_en"]
    assert _errors(nb) == []
    table = compute_indicators(demo, "2025-06")
    row = table[(table["indicator"] == "nra.recognized_share") & (table["unit_code"] == demo.province_code)].iloc[0]
    headline = _cell_html(nb, "section.headlines")
    assert f"({int(row['numerator'])}/{int(row['denominator'])})" in headline
    assert ">Headline figures</h2>" in headline and "billion VND" in headline
    assert _meta(nb)["period"] == "June 2025"


def test_commune_scorecard_in_english_lists_every_criterion(variant_runs, demo):
    from nrd.indicators import commune_profile

    nb = variant_runs["commune_en"]
    assert _errors(nb) == []
    units = demo.units
    commune = units[units["unit_type"] == "commune"].iloc[-1]
    meta = _meta(nb)
    assert meta["unit"] == commune["name"] and meta["title"] == "Commune scorecard"
    html = _html(nb)
    assert ">Each criterion of the set in force</h2>" in html
    profile = commune_profile(demo, PERIOD, str(commune["unit_code"]))
    assert len(profile.criteria) >= 10  # every criterion of the set in force
    for name in profile.criteria["name_en"]:
        assert name in html
    assert _images(nb) == 1  # the criteria met by month against the median commune, described in English
    alts = [o.get("metadata", {}).get("image/png", {}).get("alt", "") for o in _outputs(nb)
            if "image/png" in o.get("data", {})]
    assert alts[0].startswith(f"Line chart: criteria met by {commune['name']} month by month")
    assert "Dashed line: the median of the province" in html


def test_commune_scorecard_for_a_ward_says_criteria_do_not_apply(variant_runs, demo):
    nb = variant_runs["ward"]
    assert _errors(nb) == []
    ward = demo.units[demo.units["unit_type"] == "ward"].iloc[0]
    html = _html(nb)
    assert f"{ward['name']} là phường: bộ tiêu chí xã nông thôn mới không áp dụng" in html
    assert "Từng tiêu chí của bộ tiêu chí đang áp dụng" not in html
    assert ">Sản phẩm OCOP của xã</h2>" in html
    assert _images(nb) == 0  # no criteria met by month either


def test_department_brief_in_french_lists_exactly_the_lagging_communes(variant_runs, demo):
    from nrd.indicators import department_view
    from nrd.reference import load_departments

    nb = variant_runs["department_fr"]
    assert _errors(nb) == []
    meta = _meta(nb)
    assert meta["unit"] == load_departments().set_index("department").loc["so_xd", "name_fr"]
    assert meta["period"] == "mars 2025"
    lagging = department_view(demo, DEPARTMENT_PERIOD, "so_xd").lagging
    assert len(lagging) > 0
    shown = re.findall(r"<td[^>]*>(\d{5})</td>", _cell_html(nb, "section.department_act_on"))
    assert sorted(shown) == sorted(lagging["unit_code"])
    html = _html(nb)
    assert ">Critères dont il a la charge</h2>" in html and ">Tendance sur 12 mois</h2>" in html
    assert re.search(r"\d+,\d\u00a0% \(\d+/\d+\)", html), "shares carry their numerator and denominator"
    assert _images(nb) == 2


# ---- the latest month: the 2026-2030 phase, in vi/en/fr; the office's own reference files -------------------

LATEST = "2026-10"
OFFICE_DEPARTMENTS = {"1": "so_xd", "2": "so_ct", "3": "so_nnmt", "4": "so_gddt", "5": "so_vhttdl", "6": "so_nnmt",
                      "7": "so_khcn", "8": "so_nnmt", "9": "so_noivu", "10": "cong_an"}


@pytest.fixture(scope="module")
def office_dataset(tmp_path_factory) -> Path:
    """The demo with the office's assignment of the ten criteria and three indicators of the set in force."""
    import shutil

    folder = tmp_path_factory.mktemp("office") / "demo"
    shutil.copytree(DEMO, folder, ignore=shutil.ignore_patterns(".cache"))
    (folder / "reference" / "criteria_departments.csv").write_text(
        'Bộ tiêu chí,Tiêu chí,Chỉ tiêu,"Sở, ngành",Vai trò,Số quyết định\n'
        + "".join(f"qd51_2025,{c},,{d},chủ trì,77/QĐ-UBND\n" for c, d in OFFICE_DEPARTMENTS.items()),
        encoding="utf-8")
    (folder / "reference" / "criteria_indicators.csv").write_text(
        "Bộ tiêu chí,Tiêu chí,Chỉ tiêu,Tên chỉ tiêu,Đơn vị tính,Ngưỡng nhóm 1,Ngưỡng nhóm 2,Ngưỡng nhóm 3\n"
        "qd51_2025,2,2.1,Đường xã được nhựa hóa hoặc bê tông hóa,%,100%,100%,95%\n"
        "qd51_2025,2,2.2,Đường thôn được cứng hóa,%,100%,98%,90%\n"
        "qd51_2025,3,3.1,Thu nhập bình quân đầu người,triệu đồng/người/năm,≥ 95,≥ 85,≥ 70\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def phase_runs(demo, office_dataset, tmp_path_factory) -> dict[str, nbformat.NotebookNode]:
    out = tmp_path_factory.mktemp("phase")
    recognitions = demo.table("recognitions")
    pilot = str(recognitions.loc[recognitions["level"] == "modern", "unit_code"].iloc[0])
    return {
        "overview_vi": _execute("province_overview", out, period=LATEST),
        "commune_en": _execute("commune_scorecard", out, period=LATEST, unit_code=pilot, lang="en"),
        "department_fr": _execute("department_brief", out, period=LATEST, department="so_ct", lang="fr",
                                  data_dir=str(office_dataset)),
        "pilot": pilot,
    }


def test_province_overview_of_the_latest_month_leads_with_the_current_phase(phase_runs, demo):
    from nrd.indicators import compute_indicators, group_results

    nb = phase_runs["overview_vi"]
    assert _errors(nb) == []
    table = compute_indicators(demo, LATEST)
    province = table[table["unit_code"] == demo.province_code].set_index("indicator")
    headline = _cell_html(nb, "rp.report_headlines(\"province_overview\"")
    order = [headline.index(label) for label in ("Tỷ lệ xã đạt tất cả tiêu chí",
                                                  "Tỷ lệ xã đạt chuẩn NTM theo bộ tiêu chí hiện hành",
                                                  "Tỷ lệ xã đạt NTM hiện đại")]
    assert order == sorted(order)
    for indicator in ("criteria.all_met_share", "nra.recognized_phase_share", "nra.modern_share"):
        num, den = province.loc[indicator, ["numerator", "denominator"]]
        assert f"({int(num)}/{int(den)})" in headline, indicator
    assert "NTM nâng cao" not in headline and "NTM kiểu mẫu" not in headline  # no 2021-2025 tier, no old target
    assert ">65,0% (12/2030)<" in headline and "giai đoạn 2026-2030" in headline
    assert "chuyển bộ tiêu chí từ kỳ tháng 2/2026" in headline
    groups = _cell_html(nb, "px.show_commune_groups")
    results = list(group_results(table, LATEST, demo.province_code).itertuples())
    assert len(results) >= 2  # the office's groups of communes
    for result in results:
        assert f"({int(result.all_met)}/{int(result.communes)})" in groups
    previous = _cell_html(nb, "px.show_previous_phase")
    assert ">Kết quả giai đoạn 2021-2025</h2>" in previous and "Tỷ lệ xã đạt NTM nâng cao" in previous
    assert "Mục tiêu" not in previous
    notes = _cell_html(nb, "rp.show_assumptions")
    assert "0/47 chỉ tiêu" in notes and "reference/commune_groups.csv: phân nhóm 97 xã" in notes
    assert "Nhóm (1, 2, 3) của từng xã" not in notes  # replaced by the office's classification


def test_commune_scorecard_of_the_latest_month_shows_both_phases(phase_runs, demo):
    from nrd.indicators import phase_comparison

    nb = phase_runs["commune_en"]
    assert _errors(nb) == []
    comparison = phase_comparison(demo, LATEST, phase_runs["pilot"]).set_index("phase")
    names = {"advanced": "Advanced NRA", "model": "Model NRA", "nra": "NRA standard"}
    html = _cell_html(nb, "px.show_commune_phase")
    assert ">This phase and the previous one</h2>" in html and "Modern NRA" in html
    assert names[comparison.loc["previous", "tier"]] in html and "19/19" in html
    assert f"{int(comparison.loc['current', 'met'])}/10" in html
    assert html.index("2026-2030 phase") < html.index("2021-2025 phase")
    assert "highest tier of the phase (Modern NRA)" in _html(nb)


def test_department_brief_routes_and_thresholds_from_the_office_files(phase_runs, office_dataset):
    from nrd.io import read_dataset

    nb = phase_runs["department_fr"]
    assert _errors(nb) == []
    html = _html(nb)
    assert "a la charge de 1 critères du référentiel Décision 51/2025/QĐ-TTg" in html
    assert "Infrastructures socio-économiques" in html  # criterion 2, assigned to so_ct by the office
    thresholds = _cell_html(nb, "ind.indicator_thresholds")
    assert "Seuil, groupe 3" in thresholds and ">95%<" in thresholds and "Đường thôn được cứng hóa" in thresholds
    notes = _cell_html(nb, "rp.show_assumptions")
    assert "3/47 indicateurs disponibles" in notes and "reference/criteria_departments.csv" in notes
    assert "(décision 77/QĐ-UBND)" in notes
    assert "Le service pilote de chaque critère est supposé" not in notes  # the office's decision replaces it
    ds = read_dataset(office_dataset)
    assert ds.errors == [] and ds.criteria_set_for(LATEST).department_of("10") == "cong_an"


def test_nbval_lax_runs_every_notebook_without_error(tmp_path):
    """The same notebooks through nbval (``--nbval-lax``: every cell must run; outputs are not compared)."""
    import subprocess
    import sys

    try:
        import nbval  # noqa: F401
    except ImportError:
        missing("needs nbval (make install)")
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "--nbval-lax", "-p", "no:cacheprovider",
                           "--rootdir", str(tmp_path), *[str(NOTEBOOKS / f"{n}.ipynb") for n in REPORTS]],
                          cwd=NOTEBOOKS, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:]
    assert re.search(r"\b\d+ passed", done.stdout) and "failed" not in done.stdout


# ---- the scratch notebook ----------------------------------------------------------------------------------


def test_explore_is_a_clean_scratch_notebook_outside_the_plan():
    """explore.ipynb is the analyst's space: not a registered report, not in the monthly plan, and exempt from
    the thin-notebook rule above (its questions use groupby, pivots and .loc) — but committed clean."""
    import yaml

    from nrd.reports import REPORTS as REGISTRY

    nb = nbformat.read(NOTEBOOKS / "explore.ipynb", as_version=4)
    assert "explore" not in REGISTRY.names() and "explore" not in REPORTS
    assert "explore" not in (ROOT / "params" / "monthly.yaml").read_text(encoding="utf-8")
    assert yaml.safe_load((ROOT / "params" / "monthly.yaml").read_text(encoding="utf-8"))
    assert nb.metadata["kernelspec"]["name"] == "nrd"
    assert all(c.outputs == [] and c.execution_count is None for c in nb.cells if c.cell_type == "code")
    assert len(_headings(nb)) >= 6 and _headings(nb)[0][0] == 1
    assert sum("parameters" in c.metadata.get("tags", []) for c in nb.cells) == 1


def test_explore_runs_on_the_demo(demo, tmp_path):
    from nrd.indicators import criteria_matrix

    nb = _execute("explore", tmp_path, export_to=str(tmp_path / "explore.xlsx"))
    assert _errors(nb) == []
    assert _images(nb) >= 1
    before, now = criteria_matrix(demo, "2024-03"), criteria_matrix(demo, "2024-09")  # the notebook's defaults
    pairs = before.merge(now, on=["unit_code", "criterion"], suffixes=("_before", "_now"))
    lost = pairs[(pairs["status_before"] == "met") & (pairs["status_now"] != "met")]
    assert len(lost) > 0  # the question has an answer on the demo
    shown = _cell_html(nb, "lost = changes[")
    assert all(f">{name}<" in shown for name in lost["name_now"])
    assert shown.count("<tr") == len(lost) + 1  # the header row and one row per lost criterion
    assert (tmp_path / "explore.xlsx").stat().st_size > 0

"""nrd.run.execute / nrd.run.render / ``nrd render`` with a real kernel on tests/data/sample_report.ipynb."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from typer.testing import CliRunner

from nrd.cli import app
from nrd.errors import ReportError, UsageError
from nrd.run.execute import coerce_parameters, execute_notebook, notebook_parameters
from nrd.run.render import render_report, report_name

SAMPLE = Path(__file__).parent / "data" / "sample_report.ipynb"
GENERATED_ON = "2025-10-05"


@pytest.fixture(scope="module")
def rendered_twice(tmp_path_factory):
    """The sample rendered twice from scratch (two kernels), as a department would run it."""
    results = []
    for run in ("first", "second"):
        out = tmp_path_factory.mktemp(run)
        results.append(render_report(SAMPLE, period="2025-09", parameters={"unit_code": "01234"}, out_dir=out,
                                     lang="vi", data_dir=out, generated_on=GENERATED_ON))
    return results


@pytest.mark.slow
def test_render_report_writes_page_and_executed_notebook(rendered_twice):
    result = rendered_twice[0]
    assert result.status == "ok" and result.error is None, result.error
    assert result.name == "sample_report-01234"
    assert result.html_path.name == "sample_report-01234.html" and result.html_path.is_file()
    assert result.ipynb_path.is_file() and result.duration_s > 0


@pytest.mark.slow
def test_unit_code_reaches_the_kernel_as_a_string(rendered_twice):
    page = rendered_twice[0].html_path.read_text(encoding="utf-8")
    assert "Xã Gia Viễn (01234)" in page  # the notebook formats unit_code into its title block


@pytest.mark.slow
def test_same_inputs_give_byte_identical_html(rendered_twice):
    first, second = (result.html_path.read_bytes() for result in rendered_twice)
    assert first == second


@pytest.mark.slow
def test_page_is_small_offline_and_without_code(rendered_twice):
    page = rendered_twice[0].html_path.read_text(encoding="utf-8")
    assert len(page.encode("utf-8")) < 400_000
    assert "<code" not in page and "import seaborn" not in page and "display_report_meta" not in page
    assert "In&nbsp;[" not in page and "Out[" not in page
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert "@import" not in page and "<script" not in page.lower()
    assert re.search(r'<img[^>]*src="data:image/png;base64,', page)
    assert '<html lang="vi">' in page


@pytest.mark.slow
def test_hostile_product_name_is_text(rendered_twice):
    page = rendered_twice[0].html_path.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    assert "Rượu &amp;" in page


@pytest.mark.slow
def test_title_block_and_toc(rendered_twice):
    page = rendered_twice[0].html_path.read_text(encoding="utf-8")
    header = page.split("<header", 1)[1].split("</header>", 1)[0]
    assert "<h1>Báo cáo tổng hợp Nông thôn mới</h1>" in header
    assert "tháng 9/2025" in header and "03/10/2025" in header and "05/10/2025" in header
    toc = page.split('<nav class="nrd-toc"', 1)[1].split("</nav>", 1)[0]
    assert re.findall(r">([^<>]+)</a>", toc) == ["Tổng quan tiến độ", "Biểu đồ tỷ lệ đạt", "Sản phẩm OCOP",
                                                      "Ghi chú"]


@pytest.mark.slow
def test_data_dir_is_passed_as_an_absolute_path(rendered_twice):
    executed = nbformat.read(rendered_twice[0].ipynb_path, as_version=4)
    injected = next(c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert f'data_dir = "{rendered_twice[0].ipynb_path.parent.resolve()}"' in injected.source
    assert 'period = "2025-09"' in injected.source and 'unit_code = "01234"' in injected.source


@pytest.mark.slow
def test_failing_notebook_raises_report_error_and_keeps_the_evidence(tmp_path):
    output = tmp_path / "failed.ipynb"
    with pytest.raises(ReportError, match="ValueError: lỗi có chủ đích") as caught:
        execute_notebook(SAMPLE, {"fail": True}, output)
    assert caught.value.notebook_path == output and output.is_file()
    executed = nbformat.read(output, as_version=4)
    assert any(o.get("output_type") == "error" for c in executed.cells if c.cell_type == "code" for o in c.outputs)
    assert any("An Exception was encountered" in c.source for c in executed.cells if c.cell_type == "markdown")


@pytest.mark.slow
def test_cli_render_failure_exits_1_with_the_cause_and_coerces_parameters(tmp_path):
    old_page = tmp_path / "sample_report-01234.html"
    old_page.write_text("stale page of an earlier run")
    result = CliRunner().invoke(app, ["render", str(SAMPLE), "--period", "2025-9", "-p", "unit_code", "01234",
                                      "-p", "fig_dpi", "60", "-p", "fail", "yes", "--out", str(tmp_path)])
    assert result.exit_code == 1, result.output
    assert "ValueError: lỗi có chủ đích" in result.output
    assert not old_page.exists()
    executed = nbformat.read(tmp_path / "sample_report-01234.ipynb", as_version=4)
    injected = next(c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert 'unit_code = "01234"' in injected.source  # text stays text
    assert "fig_dpi = 60\n" in injected.source + "\n" and "fail = True" in injected.source


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-p", "unitcode", "1"], "has no parameter unitcode"),
        (["-p", "fig_dpi", "high"], "fig_dpi='high': expected int"),
        (["-p", "fail", "maybe"], "expected bool"),
        (["-p", "period", "2025-10"], "use --period"),
        (["-p", "unit_code"], "needs a NAME and a VALUE"),
        (["--lang", "de"], "expected one of vi, en, fr"),
        (["--period", "2025-13"], "bad period"),
    ],
)
def test_cli_usage_errors_exit_2_before_running(tmp_path, args, message):
    base = ["render", str(SAMPLE), "--period", "2025-09", "--out", str(tmp_path)]
    result = CliRunner().invoke(app, base + args)
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())
    assert not list(tmp_path.iterdir())


def test_cli_missing_notebook(tmp_path):
    result = CliRunner().invoke(app, ["render", str(tmp_path / "nope.ipynb"), "--period", "2025-09",
                                      "--out", str(tmp_path)])
    assert result.exit_code == 2 and "notebook not found" in result.output


def test_notebook_parameters_reads_the_tagged_cell():
    declared = notebook_parameters(SAMPLE)
    assert list(declared) == ["period", "data_dir", "lang", "unit_code", "fig_dpi", "fail"]
    assert declared["fig_dpi"]["inferred_type_name"] == "int"


def test_coerce_keeps_text_unless_the_default_is_typed():
    declared = {
        "unit_code": {"inferred_type_name": "None", "default": '"01234"'},
        "department": {"inferred_type_name": "str", "default": '"agri"'},
        "top_n": {"inferred_type_name": "None", "default": "10"},
        "ratio": {"inferred_type_name": "float", "default": "0.5"},
        "draft": {"inferred_type_name": "None", "default": "False"},
        "optional": {"inferred_type_name": "None", "default": "None"},
    }
    raw = {"unit_code": "00123", "department": "12", "top_n": "5", "ratio": "1", "draft": "có", "optional": "007",
           "undeclared": "0042"}
    assert coerce_parameters(raw, declared) == {
        "unit_code": "00123", "department": "12", "top_n": 5, "ratio": 1.0, "draft": True, "optional": "007",
        "undeclared": "0042"}


def test_render_report_rejects_bad_input_before_running(tmp_path):
    with pytest.raises(UsageError, match="notebook not found"):
        render_report(tmp_path / "missing.ipynb", period="2025-09", out_dir=tmp_path)
    with pytest.raises(UsageError, match="bad period"):
        render_report(SAMPLE, period="Q3", out_dir=tmp_path)
    assert not list(tmp_path.iterdir())


def test_report_name_appends_the_key_parameter():
    assert report_name("notebooks/commune_scorecard.ipynb", {"unit_code": "37001"}) == "commune_scorecard-37001"
    assert report_name("notebooks/department_brief.ipynb", {"department": "agri"}) == "department_brief-agri"
    assert report_name("notebooks/province_overview.ipynb", {"period": "2025-09"}) == "province_overview"

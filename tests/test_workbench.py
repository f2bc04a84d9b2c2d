"""The analyst's workbench: ``nrd.open`` and its views, the ``nrd`` kernel, the nbstripout filter, ``make lab``'s
settings."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import nrd
from nrd.errors import UsageError

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
PERIOD = "2025-09"


@pytest.fixture(scope="module")
def ds():
    return nrd.open(DEMO)


def test_open_returns_the_dataset_with_its_views(ds):
    import nrd.indicators as ind

    assert ds.province_code == "37" and len(ds.units) == 129 and ds.table("ocop_products").shape[0] > 0
    assert "capital_position" in dir(ds.views) and "build_indicator_table" not in dir(ds.views)
    pd.testing.assert_frame_equal(ds.views.capital_position(PERIOD), ind.capital_position(ds.dataset, PERIOD))
    assert ds.views.watch_lists(PERIOD).keys() == ind.watch_lists(ds.dataset, PERIOD).keys()
    assert {"project_portfolio", "open_dossiers", "unit_pipelines"} <= set(dir(ds.views))  # new views join by themselves
    with pytest.raises(AttributeError, match="the views are: .*active_products"):
        ds.views.no_such_view  # noqa: B018
    assert "province 37" in repr(ds) and "129 units" in repr(ds)


def test_indicators_of_a_range_of_periods_is_the_tidy_table(ds):
    from nrd.indicators import TABLE_COLUMNS, compute_indicators

    table = ds.indicators("2025-07..2025-09")
    assert list(table.columns) == TABLE_COLUMNS
    assert sorted(table["period"].unique()) == ["2025-07", "2025-08", "2025-09"]
    one = compute_indicators(ds.dataset, PERIOD)
    mine = table[table["period"] == PERIOD].reset_index(drop=True)
    pd.testing.assert_frame_equal(mine[TABLE_COLUMNS], one[TABLE_COLUMNS].reset_index(drop=True))
    assert set(ds.indicators()["period"]) == {ds.latest_period}
    with pytest.raises(UsageError, match="backwards"):
        ds.indicators("2025-09..2025-01")


def test_compare_puts_two_periods_side_by_side(ds):
    from nrd.indicators import indicator_value

    both = ds.compare("2025-03", PERIOD, indicators="nra.", unit_code="37")
    row = both.set_index("indicator").loc["nra.recognized"]
    before = indicator_value(ds.indicators("2025-03"), "nra.recognized", "37")
    after = indicator_value(ds.indicators(PERIOD), "nra.recognized", "37")
    assert (row["value_before"], row["value_after"], row["change"]) == (before, after, after - before)
    assert both["indicator"].str.startswith("nra.").all() and set(both["unit_code"]) == {"37"}


def test_a_view_exports_to_excel_never_into_the_data_folder(ds, tmp_path):
    from openpyxl import load_workbook

    position = ds.views.capital_position(PERIOD)
    path = ds.to_excel({"capital": position}, tmp_path / "position.xlsx")
    sheet = load_workbook(path)["capital"]
    assert [c.value for c in sheet[1]] == list(position.columns)
    assert sheet.cell(row=2, column=3).value == position.iloc[0]["plan_mvnd"]  # numbers stay numbers
    with pytest.raises(UsageError, match="inside the data folder"):
        ds.to_excel(position, DEMO / "position.xlsx")
    assert not (DEMO / "position.xlsx").exists()


def test_report_needs_the_project_notebooks(ds, tmp_path, monkeypatch):
    monkeypatch.delenv("NRD_PROJECT_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError, match="NRD_PROJECT_DIR"):
        ds.report("commune_scorecard", PERIOD, unit_code="13504", out=tmp_path)


def test_adhoc_outputs_land_in_the_project_outputs_folder_from_any_cwd(ds, tmp_path, monkeypatch):
    """JupyterLab runs a notebook in notebooks/: the default ``out`` of ``ds.report`` (and ``output_path``) is
    the project's top-level outputs/adhoc, absolute, never notebooks/outputs."""
    import nrd.run.render

    project = tmp_path / "project"
    for folder in ("notebooks", "params"):
        (project / folder).mkdir(parents=True)
    (project / "notebooks" / "commune_scorecard.ipynb").write_text("{}", encoding="utf-8")
    monkeypatch.delenv("NRD_PROJECT_DIR", raising=False)
    monkeypatch.chdir(project / "notebooks")
    asked = {}
    monkeypatch.setattr(nrd.run.render, "render_report", lambda notebook, **kw: asked.update(kw, notebook=notebook))
    ds.report("commune_scorecard", PERIOD, unit_code="13504")
    assert asked["out_dir"] == project.resolve() / "outputs" / "adhoc" and asked["out_dir"].is_dir()
    assert asked["notebook"] == project.resolve() / "notebooks" / "commune_scorecard.ipynb"
    assert ds.output_path("x.xlsx") == project.resolve() / "outputs" / "adhoc" / "x.xlsx"
    ds.report("commune_scorecard", PERIOD, unit_code="13504", out="mine")
    assert asked["out_dir"] == project.resolve() / "notebooks" / "mine"  # an explicit path: from the cwd
    assert not (project / "notebooks" / "outputs").exists()
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError, match="NRD_PROJECT_DIR"):
        ds.output_path("x.xlsx")


def test_an_outputs_folder_anywhere_is_git_ignored():
    ignored = subprocess.run(["git", "check-ignore", "--no-index", "notebooks/outputs/adhoc/a.html",
                              "outputs/adhoc/a.html", "outputs/README.md", "notebooks/explore.ipynb"],
                             cwd=ROOT, capture_output=True, text=True).stdout.split()
    assert ignored == ["notebooks/outputs/adhoc/a.html", "outputs/adhoc/a.html"]
    explore = (ROOT / "notebooks" / "explore.ipynb").read_text(encoding="utf-8")
    assert "../outputs" not in explore and "ds.output_path(" in explore  # the API's folder, not a relative one


def test_the_nrd_kernel_runs_this_environment():
    from jupyter_client.kernelspec import KernelSpecManager

    from nrd.run.kernels import report_kernel_name

    spec = KernelSpecManager().get_kernel_spec("nrd")
    assert spec.display_name == "Python (nrd)" and spec.language == "python"
    assert Path(spec.argv[0]).resolve() == Path(sys.executable).resolve()
    assert report_kernel_name() == "nrd"


def _with_outputs(name: str = "data_quality") -> tuple[str, str]:
    """A committed notebook with an output and an execution count added: (its JSON, the first code cell's id)."""
    executed = json.loads((ROOT / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8"))
    code = next(c for c in executed["cells"] if c["cell_type"] == "code")
    code["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["0901234567\n"]}]
    code["execution_count"] = 3
    return json.dumps(executed, indent=1, ensure_ascii=False) + "\n", code["id"]


def test_notebooks_are_stripped_of_outputs_when_staged():
    """``make install`` configures nbstripout as the filter ``.gitattributes`` names for notebooks, required."""
    attributes = subprocess.run(["git", "check-attr", "filter", "notebooks/province_overview.ipynb"], cwd=ROOT,
                                capture_output=True, text=True, check=True).stdout
    assert attributes.strip().endswith("filter: nbstripout")
    config = lambda key: subprocess.run(["git", "config", key], cwd=ROOT, capture_output=True,  # noqa: E731
                                        text=True).stdout.strip()
    assert config("filter.nbstripout.clean"), "no nbstripout filter configured: run `make install`"
    assert config("filter.nbstripout.required") == "true", "an old filter (outputs passed through): make git-filters"
    # the environment's nbstripout on PATH, as in an activated environment (a worktree has no .venv of its own)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    executed, cell_id = _with_outputs()
    stripped = subprocess.run(config("filter.nbstripout.clean"), shell=True, cwd=ROOT, input=executed,
                              capture_output=True, text=True, check=True, env=env).stdout
    cell = next(c for c in json.loads(stripped)["cells"] if c["cell_type"] == "code")
    assert cell["outputs"] == [] and cell["execution_count"] is None and cell["id"] == cell_id
    committed = (ROOT / "notebooks" / "data_quality.ipynb").read_text(encoding="utf-8")
    again = subprocess.run(config("filter.nbstripout.clean"), shell=True, cwd=ROOT, input=committed,
                           capture_output=True, text=True, check=True, env=env).stdout
    assert again == committed  # a committed notebook passes through unchanged: no spurious diffs


def test_the_filter_finds_nbstripout_or_refuses_outputs(tmp_path):
    """In a fresh repository with the project's Makefile and .gitattributes: before ``make git-filters`` git
    works as usual; after it, staging strips outputs with the checkout's .venv nbstripout or the one on PATH,
    and without any nbstripout a notebook with outputs is refused (a clean one still stages)."""
    repo = tmp_path / "clone"
    (repo / "notebooks").mkdir(parents=True)
    for name in ("Makefile", ".gitattributes"):
        shutil.copy(ROOT / name, repo / name)
    shutil.copy(ROOT / "notebooks" / "data_quality.ipynb", repo / "notebooks")
    bare = {**os.environ, "PATH": "/usr/bin:/bin", "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
            "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    assert shutil.which("nbstripout", path=bare["PATH"]) is None
    git = lambda *args, env=bare: subprocess.run(["git", *args], cwd=repo, capture_output=True,  # noqa: E731
                                                 text=True, env=env)
    notebook = repo / "notebooks" / "data_quality.ipynb"
    assert git("init", "-q").returncode == 0 and git("add", ".").returncode == 0
    assert git("commit", "-qm", "clone").returncode == 0
    notebook.touch()  # a fresh clone, no filter configured yet: status and checkout work
    assert git("status", "--short").returncode == 0 and git("checkout", "--", ".").returncode == 0
    subprocess.run(["make", "-s", "git-filters"], cwd=repo, check=True, env=bare)
    assert git("config", "filter.nbstripout.required").stdout.strip() == "true"
    notebook.touch()
    assert git("add", str(notebook)).returncode == 0  # a clean notebook stages without nbstripout
    executed, _ = _with_outputs()
    notebook.write_text(executed, encoding="utf-8")
    refused = git("add", str(notebook))
    assert refused.returncode != 0 and "nbstripout not found" in refused.stderr
    assert git("diff", "--cached", "--quiet").returncode == 0  # nothing was staged

    def staged_outputs() -> list:
        blob = json.loads(git("show", ":notebooks/data_quality.ipynb").stdout)
        return [o for c in blob["cells"] if c["cell_type"] == "code" for o in c["outputs"]]

    on_path = {**bare, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{bare['PATH']}"}  # the conda route
    assert git("add", str(notebook), env=on_path).returncode == 0 and staged_outputs() == []
    assert git("diff", "--cached", "--quiet").returncode == 0  # stripped, it is the committed notebook again
    (repo / ".venv" / "bin").mkdir(parents=True)
    (repo / ".venv" / "bin" / "nbstripout").symlink_to(Path(sys.executable).parent / "nbstripout")
    notebook.write_text(executed.replace("0901234567", "0907654321"), encoding="utf-8")
    assert git("add", str(notebook)).returncode == 0 and staged_outputs() == []  # the checkout's .venv


def test_lab_settings_turn_off_the_news_and_list_markdown_headings():
    settings = json.loads((Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json")
                          .read_text(encoding="utf-8"))
    assert settings["@jupyterlab/apputils-extension:notification"] == {"fetchNews": "false",
                                                                       "checkForUpdates": False}
    assert settings["@jupyterlab/toc-extension:registry"]["includeOutput"] is False
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "--LabApp.news_url=None" in makefile and "NRD_PROJECT_DIR=$(CURDIR)" in makefile
    assert "--MultiKernelManager.default_kernel_name=nrd" in makefile  # a new notebook gets Python (nrd) too


@pytest.mark.slow
def test_one_report_for_one_commune_from_a_notebook(ds, tmp_path):
    """docs/analysts.md's first recipe: the same page the monthly run writes, for one commune."""
    result = ds.report("commune_scorecard", PERIOD, unit_code="13504", out=tmp_path / "adhoc")
    assert result.ok, result.error
    assert result.html_path == (tmp_path / "adhoc" / "commune_scorecard-13504.html").resolve()
    assert result.html_path.is_absolute() and result.ipynb_path.is_absolute()
    page = result.html_path.read_text(encoding="utf-8")
    assert ds.dataset.units.set_index("unit_code").loc["13504", "name"] in page and "<h2" in page

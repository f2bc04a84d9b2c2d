"""The ``nrd-warm`` papermill engine: registration, isolation between reports, equivalence with papermill.

Real kernels throughout: the isolation notebooks change global state in one report and look for it in
the next; the equivalence tests render the real report notebooks on the demo data with both engines.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from nrd.errors import UsageError
from nrd.run import warm
from nrd.run.execute import execute_notebook
from nrd.run.render import render_report

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
NOTEBOOKS = ROOT / "notebooks"
PERIOD = "2025-09"
GENERATED_ON = "2025-10-05"

# Each report prints what it finds, then changes every kind of global state a report can change.
PROBE = """
import json, os, sys, warnings
import matplotlib as mpl, pandas as pd
print(json.dumps({
    "leak": globals().get("leak"),
    "titlesize": str(mpl.rcParams["axes.titlesize"]),
    "max_rows": pd.get_option("display.max_rows"),
    "cwd": os.getcwd(),
    "env": os.environ.get("NRD_WARM_TEST"),
    "path_tail": sys.path[-1],
    "filters": len(warnings.filters),
}))
leak = marker
mpl.rcParams["axes.titlesize"] = 31
pd.set_option("display.max_rows", 7)
os.environ["NRD_WARM_TEST"] = marker
sys.path.append("/nowhere-" + marker)
warnings.simplefilter("ignore")
os.chdir("/")
"""
FIGURE = "import matplotlib.pyplot as plt\nfig, ax = plt.subplots(figsize=(2, 1))\nax.plot([1, 2, 3]);"
FRAME = "pd.DataFrame({'a': [1, 2]})"


def _probe_notebook(path: Path) -> Path:
    nb = new_notebook(
        cells=[
            new_code_cell('marker = "none"', metadata={"tags": ["parameters"]}),
            new_code_cell(PROBE),
            new_code_cell(FIGURE),
            new_code_cell(FRAME),
        ]
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def _seen(executed: Path) -> dict:
    nb = nbformat.read(executed, as_version=4)
    return json.loads(nb.cells[2].outputs[0].text)


def _outputs(executed: Path) -> list:
    """Cell sources, execution counts and outputs: what a report shows, without papermill's timings."""
    nb = nbformat.read(executed, as_version=4)
    return [(c.cell_type, c.source, c.get("execution_count"), c.get("outputs")) for c in nb.cells]


@pytest.fixture(scope="module")
def warm_thread():
    """Run callables on one dedicated thread (one warm kernel), then stop that kernel."""
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(max_workers=1)
    ident = pool.submit(threading.get_ident).result()
    yield pool
    pool.submit(warm.discard_kernel).result()
    pool.shutdown()
    assert ident not in warm._KERNELS


def test_engine_is_registered_in_papermill_and_as_entry_point():
    from importlib.metadata import entry_points

    from papermill.engines import papermill_engines

    assert papermill_engines.get_engine("nrd-warm") is warm.engine_class()
    names = {ep.name: ep.value for ep in entry_points(group="papermill.engine")}
    assert names.get("nrd-warm") == "nrd.run.warm:WarmEngine"
    # a fresh interpreter that imports papermill first finds the engine through the entry point
    code = "from papermill.engines import papermill_engines as e; print(e.get_engine('nrd-warm').__name__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "WarmEngine"


def test_unknown_engine_is_a_usage_error(tmp_path):
    from nrd.run.engines import check_engine

    with pytest.raises(UsageError, match="not a papermill engine"):
        check_engine("no-such-engine")
    assert check_engine("nbclient") is None
    assert check_engine("nrd-warm") == "nrd-warm"


def test_a_report_changing_global_state_does_not_affect_the_next(tmp_path, warm_thread):
    notebook = _probe_notebook(tmp_path / "probe.ipynb")
    fresh = execute_notebook(notebook, {"marker": "fresh"}, tmp_path / "fresh.ipynb")
    baseline = _seen(fresh)
    assert baseline["leak"] is None and baseline["cwd"] == str(tmp_path)

    seen = []
    for marker in ("one", "two", "three"):
        out = tmp_path / f"warm-{marker}.ipynb"
        warm_thread.submit(execute_notebook, notebook, {"marker": marker}, out, engine_name="nrd-warm").result()
        seen.append(_seen(out))
        # same outputs as a fresh kernel: a real PNG, the HTML table, execution counts from 1
        assert _outputs(out)[2:] == _outputs(fresh)[2:]
        nb = nbformat.read(out, as_version=4)
        assert "image/png" in nb.cells[3].outputs[0].data
        assert "text/html" in nb.cells[4].outputs[0].data
    # every report, including the ones after a report that changed everything, saw the fresh state
    assert seen == [baseline] * 3
    # and they really ran in the same kernel process
    pids = warm_thread.submit(lambda: warm.kernel_for_this_thread().pid).result()
    assert pids in warm.kernel_pids()


def test_error_cells_match_papermill_and_the_kernel_survives(tmp_path, warm_thread):
    nb = new_notebook(
        cells=[
            new_code_cell("value = 1", metadata={"tags": ["parameters"]}),
            new_code_cell("raise ValueError(f'bad value {value}')"),
            new_code_cell("print('never')"),
        ]
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    failing = tmp_path / "failing.ipynb"
    nbformat.write(nb, failing)
    results = {}
    for name, engine in (("standard", None), ("warm", "nrd-warm")):
        out = tmp_path / f"{name}.ipynb"
        with pytest.raises(Exception, match="ValueError"):
            warm_thread.submit(execute_notebook, failing, {"value": 3}, out, engine_name=engine).result()
        executed = nbformat.read(out, as_version=4)
        error = [o for c in executed.cells for o in c.get("outputs", []) if o.output_type == "error"]
        assert error and error[0].ename == "ValueError" and error[0].evalue == "bad value 3"
        # papermill's banner cell saying where the error is
        assert "papermill-error-cell-tag" in json.dumps(executed.cells[0].metadata) or any(
            "papermill-error-cell" in " ".join(c.metadata.get("tags", [])) for c in executed.cells
        )
        results[name] = [(c.source, c.get("outputs")) for c in executed.cells]
    assert results["warm"] == results["standard"]
    # the same warm kernel then runs a good report
    probe = _probe_notebook(tmp_path / "probe.ipynb")
    warm_thread.submit(execute_notebook, probe, {"marker": "after"}, tmp_path / "after.ipynb",
                       engine_name="nrd-warm").result()
    assert _seen(tmp_path / "after.ipynb")["leak"] is None


@pytest.mark.parametrize(
    ("notebook", "parameters", "lang"),
    [
        ("commune_scorecard", {"unit_code": "13504"}, "vi"),
        ("department_brief", {"department": "so_xd"}, "en"),
        ("province_overview", {}, "vi"),
    ],
)
def test_real_reports_render_byte_identical_html_with_both_engines(tmp_path, warm_thread, notebook, parameters,
                                                                   lang):
    path = NOTEBOOKS / f"{notebook}.ipynb"
    standard = render_report(path, period=PERIOD, parameters=parameters, out_dir=tmp_path / "standard",
                             lang=lang, data_dir=DEMO, generated_on=GENERATED_ON)
    # a report that leaves state behind runs first in the warm kernel
    probe = _probe_notebook(tmp_path / "probe.ipynb")
    warm_thread.submit(execute_notebook, probe, {"marker": "dirty"}, tmp_path / "dirty.ipynb",
                       engine_name="nrd-warm").result()
    warmed = warm_thread.submit(
        render_report, path, period=PERIOD, parameters=parameters, out_dir=tmp_path / "warm", lang=lang,
        data_dir=DEMO, generated_on=GENERATED_ON, engine_name="nrd-warm",
    ).result()
    # the shipped reports run: a failing one would make the comparison below vacuous
    assert standard.ok and warmed.ok, (standard.error, warmed.error)
    assert _outputs(warmed.ipynb_path) == _outputs(standard.ipynb_path)
    assert warmed.html_path.read_bytes() == standard.html_path.read_bytes()

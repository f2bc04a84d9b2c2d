"""The ``nrd-fork`` papermill engine: registration and fallback, isolation by construction, equivalence.

Real processes throughout: the fork server is started for real and forks a child per report; the
equivalence tests render every report notebook on the demo data in vi, en and fr with papermill's standard
engine (a fresh kernel) and with ``nrd-fork``, and compare the HTML byte for byte.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from nrd.run import engines, fork
from nrd.run.execute import execute_notebook
from nrd.run.render import render_report

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
NOTEBOOKS = ROOT / "notebooks"
PERIOD = "2025-09"
GENERATED_ON = "2025-10-05"

# Prints what the report finds, then changes global state, a cached reference frame and a module.
PROBE = """
import json, os, sys
import matplotlib as mpl, pandas as pd
import nrd.periods
from nrd.reference import catalogs
print(json.dumps({
    "leak": globals().get("leak"),
    "titlesize": str(mpl.rcParams["axes.titlesize"]),
    "max_rows": pd.get_option("display.max_rows"),
    "cwd": os.getcwd(),
    "env": os.environ.get("NRD_FORK_TEST"),
    "path_tail": sys.path[-1],
    "cached_frame": str(catalogs._departments().iloc[0, 0]),
    "patched_module": getattr(nrd.periods, "PATCHED", None),
    "patched_pandas": pd.DataFrame.sum.__name__,
    "modules_added": "nrd_fork_probe_module" in sys.modules,
}))
leak = marker
mpl.rcParams["axes.titlesize"] = 31
pd.set_option("display.max_rows", 7)
os.environ["NRD_FORK_TEST"] = marker
sys.path.append("/nowhere-" + marker)
catalogs._departments().iloc[0, 0] = "HACKED-" + marker
nrd.periods.PATCHED = marker
pd.DataFrame.sum = lambda self, *args, **kwargs: "patched"
sys.modules["nrd_fork_probe_module"] = sys
os.chdir("/")
"""
FIGURE = "import matplotlib.pyplot as plt\nfig, ax = plt.subplots(figsize=(2, 1))\nax.plot([1, 2, 3]);"
FRAME = "pd.DataFrame({'a': [1, 2]})"
SHOW = "from IPython.display import display, HTML\ndisplay(HTML('<b>shown</b>'))\nprint('out')\n'last'"


def _notebook(path: Path, *sources: str) -> Path:
    nb = new_notebook(
        cells=[new_code_cell('marker = "none"', metadata={"tags": ["parameters"]})]
        + [new_code_cell(s) for s in sources]
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def _outputs(executed: Path) -> list:
    """Cell sources, execution counts and outputs: what a report shows, without papermill's timings."""
    nb = nbformat.read(executed, as_version=4)
    return [(c.cell_type, c.source, c.get("execution_count"), c.get("outputs")) for c in nb.cells]


@pytest.fixture
def fork_thread():
    """Run callables on one dedicated thread (one fork server), then stop that server."""
    pool = ThreadPoolExecutor(max_workers=1)
    ident = pool.submit(threading.get_ident).result()
    yield pool
    pool.submit(fork.discard_server).result()
    pool.shutdown()
    assert ident not in fork._SERVERS


def test_engine_is_registered_in_papermill_and_as_entry_point():
    from importlib.metadata import entry_points

    from papermill.engines import papermill_engines

    assert engines.check_engine("nrd-fork") == "nrd-fork"
    assert papermill_engines.get_engine("nrd-fork") is fork.engine_class()
    names = {ep.name: ep.value for ep in entry_points(group="papermill.engine")}
    assert names.get("nrd-fork") == "nrd.run.fork:ForkEngine"
    code = "from papermill.engines import papermill_engines as e; print(e.get_engine('nrd-fork').__name__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ForkEngine"
    assert engines.keeps_workers("nrd-fork")
    assert engines.engine_arguments("nrd-fork", "/tmp")[1] == {"nrd_cwd": str(Path("/tmp").resolve())}


def test_without_fork_the_run_falls_back_to_the_warm_engine_and_says_so(monkeypatch, caplog):
    monkeypatch.setattr(fork, "available", lambda: False)
    monkeypatch.setattr(engines, "_WARNED", set())
    with caplog.at_level(logging.WARNING):
        assert engines.check_engine("nrd-fork") == "nrd-warm"
    assert "nrd-fork cannot run on this platform" in caplog.text and "using nrd-warm" in caplog.text
    assert engines.keeps_workers("nrd-fork")


def test_nothing_a_report_changes_reaches_the_next_one(tmp_path, fork_thread):
    notebook = _notebook(tmp_path / "probe.ipynb", PROBE, FIGURE, FRAME, SHOW)
    fresh = execute_notebook(notebook, {"marker": "fresh"}, tmp_path / "fresh.ipynb")
    baseline = json.loads(nbformat.read(fresh, as_version=4).cells[2].outputs[0].text)
    assert baseline["leak"] is None and baseline["cwd"] == str(tmp_path)
    assert not baseline["cached_frame"].startswith("HACKED") and baseline["patched_pandas"] == "sum"

    seen = []
    for marker in ("one", "two", "three"):
        out = tmp_path / f"fork-{marker}.ipynb"
        fork_thread.submit(execute_notebook, notebook, {"marker": marker}, out, engine_name="nrd-fork").result()
        report = json.loads(nbformat.read(out, as_version=4).cells[2].outputs[0].text)
        seen.append(report)
        # the figure, the frame, display() + print + the last expression: what a fresh kernel records
        assert _outputs(out)[3:] == _outputs(fresh)[3:]
    # every report, including those after a report that changed everything, saw the server's pristine state
    assert seen == [seen[0]] * 3
    assert {k: seen[0][k] for k in baseline if k != "path_tail"} == {
        k: v for k, v in baseline.items() if k != "path_tail"
    }
    # and the same server process served them all
    assert len(fork.server_pids()) == 1


def test_error_cells_match_papermill_and_the_server_survives(tmp_path, fork_thread):
    failing = _notebook(tmp_path / "failing.ipynb", "raise ValueError(f'bad value {marker}')", "print('never')")
    results, raised_types = {}, {}
    for name, engine in (("standard", None), ("fork", "nrd-fork")):
        out = tmp_path / f"{name}.ipynb"
        with pytest.raises(Exception, match="ValueError") as raised:
            fork_thread.submit(execute_notebook, failing, {"marker": "x"}, out, engine_name=engine).result()
        cause = raised.value.__cause__  # nrd-fork: papermill ran in the child; its exception comes back as text
        raised_types[name] = (type(raised.value), str(cause).split(":")[0] if name == "fork" else
                              f"{type(cause).__module__}.{type(cause).__name__}")
        executed = nbformat.read(out, as_version=4)
        assert any("papermill-error-cell-tag" in c.metadata.get("tags", []) for c in executed.cells)
        assert executed.metadata.papermill.exception is True
        results[name] = [(c.source, c.get("execution_count"), c.get("outputs")) for c in executed.cells]
    assert raised_types["fork"] == raised_types["standard"]
    standard_errors = [o for _, _, outs in results["standard"] for o in outs or [] if o.output_type == "error"]
    fork_errors = [o for _, _, outs in results["fork"] for o in outs or [] if o.output_type == "error"]
    assert [(e.ename, e.evalue) for e in fork_errors] == [(e.ename, e.evalue) for e in standard_errors]
    assert [(s, n) for s, n, _ in results["fork"]] == [(s, n) for s, n, _ in results["standard"]]
    # the same server then runs a good report
    probe = _notebook(tmp_path / "probe.ipynb", PROBE)
    fork_thread.submit(execute_notebook, probe, {"marker": "after"}, tmp_path / "after.ipynb",
                       engine_name="nrd-fork").result()
    assert json.loads(nbformat.read(tmp_path / "after.ipynb", as_version=4).cells[2].outputs[0].text)["leak"] is None


REPORTS = [
    ("commune_scorecard", {"unit_code": "13504"}),
    ("department_brief", {"department": "so_xd"}),
    ("province_overview", {}),
    ("capital_disbursement", {}),
    ("ocop_portfolio", {}),
    ("works_projects", {}),
    ("appraisal_inspection", {}),
    ("data_quality", {}),
]


@pytest.mark.parametrize("lang", ["vi", "en", "fr"])
def test_every_report_renders_byte_identical_html_with_papermill_and_fork(tmp_path, fork_thread, lang):
    for notebook, parameters in REPORTS:
        path = NOTEBOOKS / f"{notebook}.ipynb"
        common = dict(period=PERIOD, parameters=parameters, lang=lang, data_dir=DEMO, generated_on=GENERATED_ON)
        standard = render_report(path, out_dir=tmp_path / "standard", **common)
        forked = fork_thread.submit(render_report, path, out_dir=tmp_path / "fork", engine_name="nrd-fork",
                                    **common).result()
        assert (forked.status, forked.error is None) == (standard.status, standard.error is None), forked.error
        assert standard.ok, standard.error
        assert _outputs(forked.ipynb_path) == _outputs(standard.ipynb_path), notebook
        assert forked.html_path.read_bytes() == standard.html_path.read_bytes(), notebook

"""Executors of a run (threads, Dask) and the indicator table shared with the reports.

The Dask test starts a real LocalCluster (2 worker processes) and runs the demo plan on a sample of
communes, then checks the pages against a local run of the same reports.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from nrd.errors import UsageError
from nrd.run.batch import ReportRenderer, indicator_tables, run_plan
from nrd.run.execute import declared_parameters
from nrd.run.executors import LocalExecutor, make_executor, render_task

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
PLAN = ROOT / "params" / "monthly.yaml"
PERIOD = "2025-09"


def test_make_executor_rejects_unknown_kinds_and_a_scheduler_for_local():
    with pytest.raises(UsageError, match="expected one of local, dask"):
        make_executor("spark")
    with pytest.raises(UsageError, match="--scheduler needs --executor dask"):
        make_executor("local", scheduler="tcp://127.0.0.1:8786")
    assert make_executor("local", workers=3).workers == 3


def test_unreachable_scheduler_is_a_usage_error():
    with pytest.raises(UsageError, match="cannot reach the Dask scheduler"):
        make_executor("dask", scheduler="tcp://127.0.0.1:9")


def test_render_task_turns_any_error_into_an_outcome(tmp_path):
    def broken(job, work, generated_on):
        raise RuntimeError(f"broken {job} in {work.name} on {generated_on}")

    outcome = render_task(4, broken, "job-a", str(tmp_path / "w"), "2025-10-01")
    assert outcome.index == 4 and outcome.rendered is None
    assert outcome.error == "RuntimeError: broken job-a in w on 2025-10-01"
    assert (tmp_path / "w").is_dir()


def test_local_executor_yields_every_task_once():
    executor = LocalExecutor(2)
    outcomes = list(executor.run(lambda job, work, day: (job, day), [(n, f"/tmp/x{n}", "d") for n in range(5)]))
    executor.close()
    assert sorted(o.index for o in outcomes) == list(range(5))
    assert all(o.rendered == (o.index, "d") for o in outcomes)


def test_renderer_pickles_for_dask_workers():
    renderer = ReportRenderer("nrd-warm", "/shared/indicators.parquet")
    assert pickle.loads(pickle.dumps(renderer)) == renderer


def test_shared_indicator_table_covers_thirteen_months_and_its_last_month_is_the_period_table():
    from nrd.indicators import compute_indicators
    from nrd.io import read_dataset

    ds = read_dataset(DEMO)
    history, current = indicator_tables(ds, PERIOD)
    assert sorted(history["period"].unique())[0] == "2024-09"
    assert history["period"].nunique() == 13
    expected = compute_indicators(ds, PERIOD).reset_index(drop=True)
    pd.testing.assert_frame_equal(current, expected)


@pytest.mark.slow
def test_dask_local_cluster_runs_the_demo_plan_like_the_local_executor(tmp_path):
    units = ["13456", "13474"]
    runs = {}
    for executor in ("dask", "local"):
        result = run_plan(PLAN, data=DEMO, period=PERIOD, out=tmp_path / executor, only=["commune_scorecard"],
                          unit=units, workers=2, executor=executor, force=True)
        assert result.exit_code == 0, [r.error for r in result.results]
        runs[executor] = result
    pages = {e: {r.job.stem: (runs[e].publication / r.html).read_bytes()
                 for r in runs[e].results} for e in runs}
    assert sorted(pages["dask"]) == [f"commune_scorecard-{u}" for u in units]
    assert pages["dask"] == pages["local"]
    # the reports received the run's shared indicator table when the notebook declares the parameter
    notebook = runs["dask"].publication / runs["dask"].results[0].ipynb
    injected = [c.source for c in nbformat.read(notebook, as_version=4).cells
                if "injected-parameters" in c.metadata.get("tags", [])]
    assert "indicators_path" in declared_parameters(str(ROOT / "notebooks" / "commune_scorecard.ipynb"))
    assert len(injected) == 1 and "indicators_path" in injected[0]
    manifest = (runs["dask"].publication / "manifest.json").read_text()
    assert '"executor": "dask"' in manifest


def test_the_indicator_table_is_passed_only_to_notebooks_that_declare_it(tmp_path):
    """A notebook without an ``indicators_path`` parameter is not given one (papermill would inject it as a
    new variable the notebook never reads); one that declares it is."""
    from nrd.run.model import Job

    plain = tmp_path / "plain.ipynb"
    cell = nbformat.v4.new_code_cell('period: str = "2025-09"\ndata_dir: str = ""')
    cell.metadata["tags"] = ["parameters"]
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), plain)
    declaring = ROOT / "notebooks" / "commune_scorecard.ipynb"
    renderer = ReportRenderer(engine_name=None, indicators_path=str(tmp_path / "t.parquet"))
    jobs = {path: Job("x", path, {"period": PERIOD}, "vi", "province", None, "x") for path in (plain, declaring)}
    assert renderer._takes_indicators(jobs[declaring]) is True
    assert renderer._takes_indicators(jobs[plain]) is False
    listed = ReportRenderer(engine_name=None, indicators_path="t.parquet",
                            indicator_notebooks=frozenset({str(declaring)}))
    assert listed._takes_indicators(jobs[declaring]) and not listed._takes_indicators(jobs[plain])

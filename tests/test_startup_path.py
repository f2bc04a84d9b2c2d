"""The one-report path and the data handed to forked reports once (issue 14, start-up cut).

- ``nrd.io.preload``: what a fork server holds is what ``read_dataset`` / ``read_indicator_table`` return
  in its children, and only while the files are unchanged;
- ``nrd.indicators.context.prepare`` is remembered per dataset object, and not once a frame is replaced;
- a report that mutates the held dataset's frames leaves the next report's frames as read;
- ``nrd.console``: which command lines start a fork server first; the run adopts that spare server;
- ``nrd.run.plan.most_jobs``: a run of one report starts one worker.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from nrd.console import wants_fork_server
from nrd.indicators.context import prepare
from nrd.io import preload, read_dataset
from nrd.io.indicator_table import read_indicator_table
from nrd.run import fork
from nrd.run.execute import execute_notebook
from nrd.run.plan import load_plan, most_jobs

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"


@pytest.fixture
def demo_copy(tmp_path):
    folder = tmp_path / "demo"
    shutil.copytree(DEMO, folder)
    return folder


@pytest.fixture(autouse=True)
def _nothing_held():
    preload.release()
    yield
    preload.release()


def test_a_held_dataset_is_returned_until_a_file_changes(demo_copy):
    dataset = read_dataset(demo_copy)
    preload.hold_dataset(demo_copy, dataset)
    assert read_dataset(demo_copy) is dataset
    assert read_dataset(demo_copy, use_cache=False) is not dataset  # an explicit fresh read reads
    assert read_dataset(demo_copy, tables=["ocop_products"]) is not dataset  # another selection
    changed = next(p for p in sorted(demo_copy.iterdir()) if p.suffix == ".csv")
    later = time.time() + 5
    os.utime(changed, (later, later))
    again = read_dataset(demo_copy)
    assert again is not dataset
    assert list(again.tables) == list(dataset.tables)


def test_a_held_indicator_table_is_returned_until_the_file_changes(tmp_path):
    path = tmp_path / "table.parquet"
    frame = read_dataset(DEMO)
    from nrd.indicators import build_indicator_table

    build_indicator_table(frame, ["2025-09"]).to_parquet(path, index=False)
    table = read_indicator_table(path)
    preload.hold_table(path, table)
    assert read_indicator_table(path) is table
    later = time.time() + 5
    os.utime(path, (later, later))
    assert read_indicator_table(path) is not table


def test_prepare_is_remembered_per_dataset_until_a_frame_is_replaced():
    dataset = read_dataset(DEMO)
    first = prepare(dataset)
    assert prepare(dataset) is first
    other = read_dataset(DEMO)
    assert prepare(other) is not first  # another dataset object, its own preparation
    products = dataset.tables["ocop_products"]
    dataset.tables["ocop_products"] = products.iloc[:3].copy()
    replaced = prepare(dataset)
    assert replaced is not first and len(replaced.tables["ocop_products"]) == 3
    assert len(first.tables["ocop_products"]) == len(products)


# A report that reads the demo through the held dataset, prints what it found, then vandalises it.
MUTATOR = """
import json
from nrd.io import preload, read_dataset
ds = read_dataset(data_dir)
products = ds.tables["ocop_products"]
print(json.dumps({"rows": len(products), "first": str(products.iloc[0, 0]), "units": len(ds.units),
                  "held": preload.held_dataset(data_dir) is ds}))
products.iloc[0, 0] = "HACKED"
ds.tables["ocop_products"] = products.iloc[:1]
ds.units.drop(ds.units.index, inplace=True)
"""


def test_reports_read_the_server_held_dataset_and_cannot_change_it_for_the_next(tmp_path):
    nb = new_notebook(cells=[new_code_cell('data_dir = ""', metadata={"tags": ["parameters"]}),
                             new_code_cell(MUTATOR)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook = tmp_path / "mutator.ipynb"
    nbformat.write(nb, notebook)
    expected = read_dataset(DEMO)
    want = {"rows": len(expected.tables["ocop_products"]), "first": str(expected.tables["ocop_products"].iloc[0, 0]),
            "units": len(expected.units), "held": True}  # read once, by the server
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        seen = []
        for run in range(3):
            out = tmp_path / f"run{run}.ipynb"
            pool.submit(execute_notebook, notebook, {"data_dir": str(DEMO.resolve())}, out,
                        engine_name="nrd-fork").result()
            seen.append(json.loads(nbformat.read(out, as_version=4).cells[-1].outputs[0].text))
        assert seen == [want] * 3
    finally:
        pool.submit(fork.discard_server).result()
        pool.shutdown()


def test_report_inputs_are_the_absolute_paths_papermill_recorded():
    nb = new_notebook()
    nb.metadata["papermill"] = {"parameters": {"data_dir": "/data/x", "indicators_path": "rel/t.parquet",
                                               "lang": "vi", "period": "2026-10"}}
    assert fork.report_inputs(nb) == {"data_dir": "/data/x", "period": "2026-10"}
    nb.metadata["papermill"] = {"parameters": {"data_dir": "../data/demo"}}
    assert fork.report_inputs(nb) is None
    assert fork.report_inputs(new_notebook()) is None


@pytest.mark.parametrize("argv, expected", [
    (["run"], True),
    (["run", "params/monthly.yaml", "--only", "commune_scorecard", "--unit", "13504"], True),
    (["run", "--engine", "nrd-fork"], True),
    (["run", "--engine=nrd-warm"], False),
    (["run", "--engine", "nbclient"], False),
    (["run", "--executor", "dask"], False),
    (["run", "--help"], False),
    (["validate", "data/demo"], False),
    ([], False),
])
def test_which_command_lines_start_a_fork_server_first(argv, expected):
    assert wants_fork_server(argv) is expected


def test_the_first_worker_adopts_the_spare_server():
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        fork.start_spare()
        spare_pid = fork._SPARE[0].pid
        server = pool.submit(fork.server_for_this_thread).result()
        assert server.pid == spare_pid and server.alive() and fork._SPARE == []
        assert server.thread_id != threading.get_ident()
    finally:
        pool.submit(fork.discard_server).result()
        pool.shutdown()


def test_an_unused_spare_is_stopped_by_release():
    fork.start_spare()
    spare = fork._SPARE[0]
    fork.release()
    assert fork._SPARE == [] and spare.process.poll() is not None


def test_a_run_of_one_report_starts_one_worker():
    plan = load_plan(ROOT / "params" / "monthly.yaml")
    assert most_jobs(plan, only=("commune_scorecard",), units=("13504",)) == 1
    assert most_jobs(plan, only=("commune_scorecard",), units=("13504", "13531"), languages=("vi", "en")) == 4
    assert most_jobs(plan, only=("province_overview", "commune_scorecard"), units=("13504",)) == 2
    assert most_jobs(plan, only=("commune_scorecard",)) is None  # every commune: not known before the data
    assert most_jobs(plan) is None


def test_prewarm_starts_no_more_workers_than_the_run_has_reports():
    from nrd.run.executors import LocalExecutor

    executor = LocalExecutor(2)
    try:
        executor.prewarm("nrd-fork", limit=1)
        assert executor.workers == 1
        deadline = time.monotonic() + 60
        while not fork.server_pids() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)
        assert len(fork.server_pids()) == 1
    finally:
        executor.close()
    assert fork.server_pids() == []


def _spares_and_servers() -> tuple[int, int]:
    return len(fork._SPARE), len(fork._SERVERS)


def test_dask_workers_start_their_fork_server_while_the_data_is_checked():
    from nrd.run.executors import DaskExecutor

    executor = DaskExecutor(workers=1)
    try:
        executor.prewarm("nrd-fork")
        assert list(executor.client.run(_spares_and_servers).values()) == [(1, 0)]
    finally:
        executor.close()


def test_pages_are_written_by_a_child_of_the_fork_server_with_the_same_bytes(tmp_path, caplog):
    import logging

    from nrd.errors import ReportError
    from nrd.run.engines import page_exporter
    from nrd.run.html import export_html

    assert page_exporter("nrd-fork") is fork.export_page and page_exporter(None) is None
    nb = new_notebook(cells=[new_code_cell('x = ""', metadata={"tags": ["parameters"]}),
                             new_code_cell("from IPython.display import HTML, display\n"
                                           "display(HTML('<b>bonjour</b> <img src=x onerror=alert(1)>'))")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / "page.ipynb")
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        executed = tmp_path / "executed.ipynb"
        pool.submit(execute_notebook, tmp_path / "page.ipynb", {"x": "1"}, executed, engine_name="nrd-fork").result()
        with caplog.at_level(logging.INFO, logger="nrd"):
            pool.submit(fork.export_page, executed, tmp_path / "child.html", lang="fr", title="T",
                        generated_on="2026-11-05").result()
        assert "in a child of the fork server" in caplog.text
        export_html(executed, tmp_path / "here.html", lang="fr", title="T", generated_on="2026-11-05")
        assert (tmp_path / "child.html").read_bytes() == (tmp_path / "here.html").read_bytes()
        assert b"onerror" not in (tmp_path / "child.html").read_bytes()
        with pytest.raises(ReportError, match="missing.ipynb"):
            pool.submit(fork.export_page, tmp_path / "missing.ipynb", tmp_path / "no.html").result()
        assert pool.submit(lambda: fork.server_for_this_thread().alive()).result()  # the server survived
    finally:
        pool.submit(fork.discard_server).result()
        pool.shutdown()

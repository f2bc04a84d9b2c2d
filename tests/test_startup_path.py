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


def _parent(pid: int) -> int:
    with open(f"/proc/{pid}/stat", "rb") as stat:
        return int(stat.read().rsplit(b")", 1)[1].split()[1])


def test_every_worker_s_server_is_forked_from_the_spare_once_it_holds_the_inputs(tmp_path):
    """The spare started first is the template: each worker thread's server is its child, forked after it
    read the run's inputs, so that neither imports nor data are paid twice."""
    probe = "from nrd.io import preload\nprint(len(preload._DATASETS))"
    pool = ThreadPoolExecutor(max_workers=2)
    try:
        fork.start_spare()
        template = fork._SPARE[0]
        inputs = {"data_dir": str(DEMO)}
        servers = [pool.submit(fork.server_for_this_thread, inputs) for _ in range(2)]
        servers = [s.result() for s in servers]
        if servers[0] is servers[1]:  # one thread ran both: ask the other one
            servers[1] = pool.submit(lambda: (time.sleep(0.2), fork.server_for_this_thread(inputs))[1]).result()
        assert len({s.pid for s in servers}) == 2 and template.pid not in {s.pid for s in servers}
        assert all(_parent(s.pid) == template.pid and s.alive() for s in servers)
        assert fork._SPARE == [template]
        # the template held the dataset before forking: a child of the server, asked to hold nothing
        # itself, finds it held
        held = servers[0].run([probe], str(tmp_path), None, None)[0]["outputs"][0]["text"]
        assert int(held) >= 1
    finally:
        fork.release()
    assert template.process.poll() is not None and all(not s.alive() for s in servers)


def test_a_single_worker_process_takes_the_spare_as_its_own_server():
    """A Dask worker of one thread, or a run of one worker: no template beside the one server."""
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        fork.start_spare(single_worker=True)
        spare_pid = fork._SPARE[0].pid
        server = pool.submit(fork.server_for_this_thread).result()
        assert server.pid == spare_pid and server.alive() and fork._SPARE == []
    finally:
        fork.release()
    assert not fork._SINGLE_WORKER  # released with the servers: the next run decides again


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
        while not (fork._SPARE and fork._SPARE[0].ready) and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)
        # the template is ready; the worker's own server is forked with its first report, not before
        assert len(fork._SPARE) == 1 and fork._SPARE[0].ready and fork.server_pids() == []
    finally:
        executor.close()
        fork.release()
    assert fork.server_pids() == [] and fork._SPARE == []


def _spares_and_servers() -> tuple[int, int, bool]:
    return len(fork._SPARE), len(fork._SERVERS), fork._SINGLE_WORKER


def test_dask_workers_start_their_fork_server_while_the_data_is_checked():
    from nrd.run.executors import DaskExecutor

    executor = DaskExecutor(workers=1)
    try:
        executor.prewarm("nrd-fork")
        assert list(executor.client.run(_spares_and_servers).values()) == [(1, 0, True)]  # one thread: it takes the spare
    finally:
        executor.close()


def test_a_report_s_child_writes_its_page_with_the_same_bytes_as_this_process(tmp_path, caplog):
    import logging

    from nrd.run.html import export_html
    from nrd.run.render import render_report

    nb = new_notebook(cells=[new_code_cell('x = ""', metadata={"tags": ["parameters"]}),
                             new_code_cell("from IPython.display import HTML, display\n"
                                           "display(HTML('<b>bonjour</b> <img src=x onerror=alert(1)>'))")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / "page.ipynb")
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        with caplog.at_level(logging.INFO, logger="nrd"):
            result = pool.submit(render_report, tmp_path / "page.ipynb", period="2025-09", parameters={"x": "1"},
                                 out_dir=tmp_path / "out", lang="fr", title="T", generated_on="2026-11-05",
                                 engine_name="nrd-fork").result()
        assert result.ok and result.xlsx_path is None, result.error
        assert "in a child of the fork server" in caplog.text
        export_html(result.ipynb_path, tmp_path / "here.html", lang="fr", title="T", generated_on="2026-11-05",
                    meta={"period": "2025-09", "excluded_rows": None})
        assert result.html_path.read_bytes() == (tmp_path / "here.html").read_bytes()
        assert b"<b>bonjour</b>" in result.html_path.read_bytes()
        assert b"onerror" not in result.html_path.read_bytes()
        assert pool.submit(lambda: fork.server_for_this_thread().alive()).result()  # the server survived
    finally:
        pool.submit(fork.discard_server).result()
        pool.shutdown()


def test_a_run_s_workbooks_are_written_by_the_reports_children_with_the_run_s_bytes(tmp_path, caplog):
    """With nrd-fork each report's child writes its workbook from the shared indicator table: the same
    bytes as the run's own tables; a workbook the child cannot write is written by the run instead."""
    import logging

    from nrd.run.batch import execute_run, prepare_run
    from nrd.run.export import write_workbook
    from nrd.run.render import render_report

    plan = tmp_path / "plan.yaml"
    plan.write_text(f"dataset: {DEMO}\nlanguages: [vi]\nnotebooks: {ROOT / 'notebooks'}\nreports:\n"
                    "  - notebook: commune_scorecard\n    for_each: commune\n    only: ['13504']\n"
                    "  - notebook: department_brief\n    for_each: department\n    only: ['so_xd']\n",
                    encoding="utf-8")
    prepared = prepare_run(plan, period="2025-09")
    assert prepared.standard_workbooks
    with caplog.at_level(logging.INFO, logger="nrd"):
        result = execute_run(prepared, out=tmp_path / "out", workers=1, engine="nrd-fork")
    assert [r.status for r in result.results] == ["ok", "ok"]
    assert caplog.text.count("in a child of the fork server") == 2
    for job in prepared.jobs:
        expected = write_workbook(prepared.tables_for_job(job), tmp_path / f"{job.stem}.xlsx", title=job.stem)
        assert (result.publication / "xlsx" / f"{job.stem}.xlsx").read_bytes() == expected.read_bytes()
    # an indicator table the child cannot read: the page stands, the workbook is left to the run
    job = prepared.jobs[0]
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        with caplog.at_level(logging.WARNING, logger="nrd"):
            rendered = pool.submit(
                render_report, job.notebook, period="2025-09", parameters={"unit_code": job.key},
                out_dir=tmp_path / "alone", data_dir=DEMO, generated_on="2026-11-05", engine_name="nrd-fork",
                workbook={"job": job, "path": str(tmp_path / "alone" / "w.xlsx"),
                          "indicators_path": str(tmp_path / "missing.parquet")}).result()
        assert rendered.ok and rendered.html_path.is_file() and rendered.xlsx_path is None
        assert not (tmp_path / "alone" / "w.xlsx").exists()
        assert "workbook not written with the page" in caplog.text and "missing.parquet" in caplog.text
    finally:
        pool.submit(fork.discard_server).result()
        pool.shutdown()

"""What a national run's worker keeps in memory (issue 14, peak memory per worker).

- the processes that only move reports around (a Dask worker, the run's process before it reads data)
  do not load pandas: period arithmetic is plain integers, the page exporter is imported where it runs;
- the fork server allocates Arrow buffers from the system allocator (which ``malloc_trim`` can give back)
  and freezes its objects before forking, so a child's garbage collections do not copy the server's pages.
"""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from nrd.errors import PeriodError
from nrd.periods import period_range, shift_period
from nrd.run import fork
from nrd.run.execute import execute_notebook


@pytest.mark.parametrize("start", ["1999-01", "2024-12", "2025-02", "2026-10"])
@pytest.mark.parametrize("months", [-25, -13, -12, -1, 0, 1, 11, 12, 14, 37])
def test_period_shifts_agree_with_pandas(start, months):
    expected = pd.Period(start, freq="M") + months
    assert shift_period(start, months) == f"{expected.year:04d}-{expected.month:02d}"


def test_period_ranges_agree_with_pandas():
    for start, end in [("2025-11", "2026-02"), ("2026-03", "2026-03"), ("2019-06", "2026-10")]:
        expected = [f"{p.year:04d}-{p.month:02d}" for p in pd.period_range(start, end, freq="M")]
        assert period_range(start, end) == expected
    with pytest.raises(PeriodError):
        period_range("2026-03", "2026-02")


def test_the_worker_side_of_a_run_does_not_load_pandas():
    code = (
        "import pickle, sys\n"
        "import nrd.run.render, nrd.run.renderer, nrd.run.executors, nrd.run.fork, nrd.run.model\n"
        "from nrd.run.title_block import resolve_generated_on\n"
        "from nrd.periods import shift_period, parse_period\n"
        "resolve_generated_on('2026-11-05'); shift_period('2026-10', -12); parse_period('10/2026')\n"
        "print(sorted(m for m in ('pandas', 'pyarrow', 'matplotlib') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout


PROBE = """
import gc, json, sys, pyarrow
print(json.dumps({"pool": pyarrow.default_memory_pool().backend_name, "frozen": gc.get_freeze_count(),
                  "papermill": "papermill" in sys.modules}))
"""


def test_fork_children_use_the_system_allocator_a_frozen_server_heap_and_its_papermill(tmp_path):
    pool = ThreadPoolExecutor(max_workers=1)
    try:  # the cells alone, as the server runs them for a notebook parameterised elsewhere: no papermill
        results = pool.submit(lambda: fork.server_for_this_thread().run([PROBE], str(tmp_path), None)).result()
    finally:
        pool.submit(fork.discard_server).result()
        pool.shutdown()
    seen = json.loads(results[0]["outputs"][0]["text"])
    assert seen["pool"] == "system"
    assert seen["frozen"] > 10_000  # the server's imports (pandas, matplotlib, IPython) are all frozen
    assert seen["papermill"]  # imported by the server: a child running a whole report does not pay it


def test_a_process_that_runs_reports_on_the_fork_engine_loads_neither_papermill_nor_pandas(tmp_path):
    nb = new_notebook(cells=[new_code_cell('marker = "x"', metadata={"tags": ["parameters"]}),
                             new_code_cell("import pandas as pd\nprint(pd.Series([1, 2]).sum(), marker)")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook = tmp_path / "tiny.ipynb"
    nbformat.write(nb, notebook)
    out = tmp_path / "tiny-out.ipynb"
    code = (
        "import sys\n"
        "from nrd.run.execute import execute_notebook\n"
        "from nrd.run import fork\n"
        f"execute_notebook({str(notebook)!r}, {{'marker': 'y'}}, {str(out)!r}, engine_name='nrd-fork')\n"
        "fork.release()\n"
        "print(sorted(m for m in ('pandas', 'papermill', 'nbformat', 'nbclient') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout
    executed = nbformat.read(out, as_version=4)
    assert executed.metadata.papermill.parameters == {"marker": "y"}
    assert executed.cells[-1].outputs[0].text == "3 y\n"


class OnlyInTheTests:
    """A parameter value the fork server's child cannot unpickle (this test module is not on its path)."""


def test_an_unexpected_failure_in_the_report_child_fails_that_report_and_keeps_the_server(tmp_path):
    from nrd.errors import ReportError

    notebook = tmp_path / "good.ipynb"
    nb = new_notebook(cells=[new_code_cell("marker = 1", metadata={"tags": ["parameters"]}),
                             new_code_cell("print(6 * 7)")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, notebook)
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        with pytest.raises(ReportError, match=r"good.ipynb: could not run: ModuleNotFoundError"):
            pool.submit(execute_notebook, notebook, {"marker": OnlyInTheTests()}, tmp_path / "bad-out.ipynb",
                        engine_name="nrd-fork").result()
        pids = pool.submit(fork.server_pids).result()
        pool.submit(execute_notebook, notebook, {"marker": 2}, tmp_path / "good-out.ipynb",
                    engine_name="nrd-fork").result()
        assert pids and pool.submit(fork.server_pids).result() == pids  # the same server ran the next report
    finally:
        pool.submit(fork.discard_server).result()
        pool.shutdown()
    assert nbformat.read(tmp_path / "good-out.ipynb", as_version=4).cells[-1].outputs[0].text == "42\n"

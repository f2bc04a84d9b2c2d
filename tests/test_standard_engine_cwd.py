"""papermill's standard engine on two threads leaves the process's working folder alone (its ``cwd`` used
to chdir the whole process, and two reports restoring each other's folder left it inside a report folder),
while each kernel still runs in its report's folder."""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from nrd.run.execute import execute_notebook


def _notebook(folder: Path) -> Path:
    folder.mkdir(parents=True)
    nb = new_notebook(cells=[new_code_cell("tag = 'x'", metadata={"tags": ["parameters"]}),
                             new_code_cell("import os, json, time\ntime.sleep(0.5)\nprint(json.dumps(os.getcwd()))")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / "probe.ipynb"
    nbformat.write(nb, path)
    return path


def test_reports_on_two_threads_keep_the_process_folder_and_run_in_their_own(tmp_path):
    here = os.getcwd()
    notebooks = [_notebook(tmp_path / f"nb{i}") for i in range(4)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda p: execute_notebook(p, {"tag": p.parent.name}, p.with_name("out.ipynb")), notebooks))
    assert os.getcwd() == here
    for path in notebooks:
        executed = nbformat.read(path.with_name("out.ipynb"), as_version=4)
        printed = json.loads(executed.cells[-1].outputs[0]["text"])
        assert Path(printed).resolve() == path.parent.resolve()

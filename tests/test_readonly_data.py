"""The office's data folder is read-only to us (issue 12, point 3): ``nrd validate``, ``nrd indicators``,
``nrd run`` of every notebook of the monthly plan (with each engine) and ``notebooks/explore.ipynb``, run
on a read-only copy of the demo owned by another OS user, succeed and leave it unchanged (no file written,
none added or removed even for a moment, no mode changed).

As root (CI) the copy is handed to ``nobody`` and every command runs under ``setpriv`` without the
capabilities that let root write through missing write bits (``CAP_DAC_OVERRIDE``, ``CAP_DAC_READ_SEARCH``,
``CAP_FOWNER``): a write into the folder really fails, which the fixture checks first. The commands stay
uid 0 because the venv may live under ``/root`` (0700). As any other user the missing write bits make a
write fail. The snapshot also holds every entry's ``st_mtime_ns``: a file created and deleted again
changes its directory's. The reader as a second OS user on one folder is tested in ``test_io_cache.py``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml

from _browser import missing

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
NRD = str(Path(sys.executable).parent / "nrd")


#: Run as root without the capabilities that bypass file permissions (inherited by every child process).
DROP_CAPS = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--inh-caps=-all"]
# The precondition, run like every command: creating a file in the folder and changing its mode must fail.
_WRITE_PROBE = """
import errno, os, sys
folder = sys.argv[1]
for attempt in (lambda: open(os.path.join(folder, "probe"), "x"), lambda: os.chmod(folder, 0o777)):
    try:
        attempt()
    except PermissionError as error:
        assert error.errno in (errno.EACCES, errno.EPERM), error
    else:
        sys.exit("the data folder is writable: the test would prove nothing")
"""


def _snapshot(folder: Path) -> dict[str, tuple[str, int, int]]:
    """Every path under ``folder``: its bytes' sha256 (files), its mode and its ``st_mtime_ns`` (a
    directory's changes when an entry is created or removed in it, even one removed again)."""
    return {str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir",
                                         p.stat().st_mode, p.stat().st_mtime_ns)
            for p in sorted([folder, *folder.rglob("*")])}


def _prefix() -> list[str]:
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        missing("as root the read-only proof needs setpriv (util-linux) to drop CAP_DAC_OVERRIDE")
    return DROP_CAPS


@pytest.fixture(scope="module")
def folders():
    base = Path(tempfile.mkdtemp(prefix="nrd-readonly-"))  # pytest's tmp folders are private to root
    base.chmod(0o755)
    data = base / "data"
    shutil.copytree(DEMO, data, ignore=shutil.ignore_patterns(".cache"))
    for path in [data, *data.rglob("*")]:
        path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) | stat.S_IROTH
                   | (stat.S_IXOTH if path.is_dir() else 0))
    if os.geteuid() == 0:
        for path in [data, *data.rglob("*")]:
            os.chown(path, _nobody(), -1, follow_symlinks=False)
    work = base / "work"  # the run's own folders: outputs, cache, home
    work.mkdir()
    work.chmod(0o777)
    plan = yaml.safe_load((ROOT / "params" / "monthly.yaml").read_text(encoding="utf-8"))
    plan["notebooks"] = str(ROOT / "notebooks")
    plan["dataset"] = str(data)
    (base / "plan.yaml").write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    (base / "plan.yaml").chmod(0o644)
    # the kernels' engines on two reports only (a province page and a unit's): the reading is the same
    plan["reports"] = [entry for entry in plan["reports"]
                       if entry["notebook"] in ("province_overview", "commune_scorecard")]
    assert len(plan["reports"]) == 2
    (base / "plan-kernels.yaml").write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    (base / "plan-kernels.yaml").chmod(0o644)
    assert os.geteuid() != 0 or data.stat().st_uid == _nobody() != os.geteuid()
    probe = subprocess.run([*_prefix(), sys.executable, "-c", _WRITE_PROBE, str(data)], capture_output=True,
                           text=True, timeout=60)
    assert probe.returncode == 0, probe.stdout + probe.stderr
    yield {"data": data, "work": work, "plan": base / "plan.yaml", "kernels_plan": base / "plan-kernels.yaml",
           "before": _snapshot(data)}
    for path in [data, *data.rglob("*")]:
        path.chmod(path.stat().st_mode | stat.S_IWUSR)
    shutil.rmtree(base, ignore_errors=True)


def _nobody() -> int:
    import pwd

    return pwd.getpwnam("nobody").pw_uid


def _run(folders, *args: str, timeout: int = 900, command=(NRD,)) -> subprocess.CompletedProcess:
    work = folders["work"]
    env = {**os.environ, "HOME": str(work / "home"), "NRD_CACHE_DIR": str(work / "cache"),
           "MPLCONFIGDIR": str(work / "mpl"), "JUPYTER_RUNTIME_DIR": str(work / "jupyter-runtime"),
           "IPYTHONDIR": str(work / "ipython"), "XDG_CACHE_HOME": str(work / "xdg-cache"),
           "NRD_PROJECT_DIR": str(ROOT)}
    return subprocess.run([*_prefix(), *command, *args], capture_output=True, text=True, timeout=timeout,
                          env=env, cwd=str(work))


def test_validate_indicators_and_a_full_run_leave_a_read_only_folder_unchanged(folders):
    """The default engine (nrd-fork) over the whole plan."""
    from nrd.io import read_dataset
    from nrd.run.batch import for_each_keys

    data, work = folders["data"], folders["work"]
    validated = _run(folders, "validate", str(data))
    assert validated.returncode == 0, validated.stdout[-2000:] + validated.stderr[-2000:]
    table = _run(folders, "indicators", "--data", str(data), "--period", "2026-10",
                 "--out", str(work / "indicators.csv"), "--quiet")
    assert table.returncode == 0, table.stderr[-2000:]
    assert (work / "indicators.csv").stat().st_size > 10_000
    ds = read_dataset(DEMO)
    keys = for_each_keys(ds, ds.latest_period)
    run = _run(folders, "run", str(folders["plan"]), "--out", str(work / "out"), "--unit", keys["commune"][0],
               "--unit", keys["department"][0], "--workers", "2", "--quiet")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert run.stdout == "" and run.stderr == ""  # quiet: nothing but errors, and there are none
    publication = work / "out" / ds.latest_period
    planned = {entry["notebook"] for entry in yaml.safe_load(folders["plan"].read_text(encoding="utf-8"))["reports"]}
    pages = {p.stem.split("-")[0] for p in (publication / "html").glob("*.html")}
    assert planned <= pages, planned - pages  # every notebook of the plan ran
    assert _snapshot(data) == folders["before"]


@pytest.mark.parametrize("engine", ["nrd-warm", "nbclient"])
def test_the_other_engines_leave_a_read_only_folder_unchanged(folders, engine):
    """Kernels (warm or fresh) read the folder too: a province report and one commune's with each."""
    from nrd.io import read_dataset
    from nrd.run.batch import for_each_keys

    ds = read_dataset(DEMO)
    commune = for_each_keys(ds, ds.latest_period)["commune"][0]
    out = folders["work"] / f"out-{engine}"
    run = _run(folders, "run", str(folders["kernels_plan"]), "--out", str(out), "--unit", commune, "--engine", engine,
               "--workers", "2", "--quiet")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    pages = {p.stem.split("-")[0] for p in (out / ds.latest_period / "html").glob("*.html")}
    assert {"province_overview", "commune_scorecard"} <= pages, pages
    assert _snapshot(folders["data"]) == folders["before"]


def test_explore_leaves_a_read_only_folder_unchanged(folders):
    """The analyst's scratch notebook, pointed at the read-only copy (its export goes to the work folder)."""
    work = folders["work"]
    executed, export = work / "explore-run.ipynb", work / "explore.xlsx"
    run = _run(folders, str(ROOT / "notebooks" / "explore.ipynb"), str(executed), "-k", "nrd", "--cwd", str(work),
               "-p", "data_dir", str(folders["data"]), "-p", "export_to", str(export), "--no-progress-bar",
               command=(sys.executable, "-m", "papermill"))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert export.stat().st_size > 0
    assert str(folders["data"]) in executed.read_text(encoding="utf-8")  # the copy was the notebook's input
    assert _snapshot(folders["data"]) == folders["before"]

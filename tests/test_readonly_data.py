"""The office's data folder is read-only to us (issue 12, point 3): ``nrd validate``, ``nrd indicators``
and ``nrd run`` of every notebook of the monthly plan, run on a read-only copy of the demo owned by another
OS user, succeed and leave it byte-for-byte unchanged (no file written, none added, no mode changed).

As root (CI) the copy is handed to ``nobody`` (root's writes would pass the missing write bits, so the
file-by-file comparison is the proof); as any other user the missing write bits also make a write fail.
The reader as a second OS user on one folder is tested in ``test_io_cache.py``.
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

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
NRD = str(Path(sys.executable).parent / "nrd")


def _snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Every path under ``folder``: its bytes' sha256 (files) and its mode."""
    return {str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir",
                                         p.stat().st_mode)
            for p in sorted([folder, *folder.rglob("*")])}


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
    assert os.geteuid() != 0 or data.stat().st_uid == _nobody() != os.geteuid()
    yield {"data": data, "work": work, "plan": base / "plan.yaml", "before": _snapshot(data)}
    for path in [data, *data.rglob("*")]:
        path.chmod(path.stat().st_mode | stat.S_IWUSR)
    shutil.rmtree(base, ignore_errors=True)


def _nobody() -> int:
    import pwd

    return pwd.getpwnam("nobody").pw_uid


def _run(folders, *args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    work = folders["work"]
    env = {**os.environ, "HOME": str(work / "home"), "NRD_CACHE_DIR": str(work / "cache"),
           "MPLCONFIGDIR": str(work / "mpl"), "JUPYTER_RUNTIME_DIR": str(work / "jupyter-runtime"),
           "IPYTHONDIR": str(work / "ipython"), "XDG_CACHE_HOME": str(work / "xdg-cache")}
    return subprocess.run([NRD, *args], capture_output=True, text=True, timeout=timeout,
                          env=env, cwd=str(work))


def test_validate_indicators_and_a_full_run_leave_a_read_only_folder_unchanged(folders):
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

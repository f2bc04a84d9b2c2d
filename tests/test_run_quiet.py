"""``nrd run --quiet`` prints nothing but errors, whatever the engine: no kernel warns about TCP."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NRD = Path(sys.executable).with_name("nrd")


@pytest.mark.parametrize("engine", ["nrd-fork", "nrd-warm", "standard"])
def test_a_quiet_run_prints_nothing_and_leaves_no_kernel_sockets(tmp_path, engine):
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(private_tmp), "NRD_CACHE_DIR": str(tmp_path / "cache")}
    result = subprocess.run(
        [str(NRD), "run", str(ROOT / "params" / "monthly.yaml"), "--data", str(ROOT / "data" / "demo"),
         "--out", str(tmp_path / "out"), "--only", "commune_scorecard", "--unit", "13504", "--quiet",
         "--engine", engine],
        env=env, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert (result.stdout, result.stderr) == ("", "")
    assert list((tmp_path / "out").rglob("*.html")), "the run published nothing"
    assert not list(private_tmp.glob("nrd-kernel-*")), "a kernel's socket folder was left behind"

"""`nrd run` on a dataset with errors: exit 2 with the findings, no report run, the last publication kept."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"


def _nrd_run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200", "NRD_GENERATED_ON": "2026-11-24"}
    return subprocess.run(
        [sys.executable, "-m", "nrd.cli", "run", *args], capture_output=True, text=True, timeout=300, env=env,
        cwd=ROOT,
    )


def test_invalid_data_stops_the_run_and_keeps_the_last_publication(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DEMO, data, ignore=shutil.ignore_patterns(".cache"))
    lines = (data / "capital_mobilized.csv").read_text(encoding="utf-8").splitlines()
    period, source, _ = lines[5].split(",", 2)
    lines[5] = f"{period},{source},mười tỷ"  # not a number: row 6 as the user sees it (header = row 1)
    (data / "capital_mobilized.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    out = tmp_path / "out"
    previous = out / "2025-09"
    previous.mkdir(parents=True)
    (previous / "index.html").write_text("previous publication", encoding="utf-8")

    result = _nrd_run("params/monthly.yaml", "--data", str(data), "--period", "2025-09", "--out", str(out),
                      "--quiet")
    shown = result.stdout + result.stderr
    assert result.returncode == 2, shown
    assert "capital_mobilized.csv" in shown and "mười tỷ" in shown and "Lũy kế huy động" in shown
    assert " 6 " in shown or "│ 6 " in shown  # the row number as the user sees it
    assert "Traceback" not in shown
    # nothing ran and nothing already published was touched
    assert (previous / "index.html").read_text(encoding="utf-8") == "previous publication"
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".nrd-run")) == ["2025-09"]

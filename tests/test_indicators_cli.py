"""``nrd indicators`` end to end: the demo dataset reproduces the published 2025-09 figures; clean errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from _browser import missing
from nrd.cli import app

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "data" / "demo"


@pytest.fixture(scope="module")
def demo_present():
    """Skip without the demo on a developer's machine; in CI (``NRD_REQUIRE_BROWSER``) fail."""
    if not DEMO.is_dir():
        missing("data/demo is absent: run `make demo-data`")


needs_demo = pytest.mark.usefixtures("demo_present")


@pytest.fixture(scope="module")
def demo_run(demo_present, tmp_path_factory):
    out = tmp_path_factory.mktemp("ind") / "indicators.csv"
    result = CliRunner().invoke(app, ["indicators", "--data", str(DEMO), "--period", "2025-09", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out, result.output


@needs_demo
def test_demo_reproduces_the_published_figures(demo_run):
    out, _ = demo_run
    table = pd.read_csv(out, dtype={"unit_code": str, "period": str})
    province = table[table["unit_code"] == "37"].set_index("indicator")
    assert province.loc["nra.recognized", "value"] == 97
    assert province.loc["nra.communes_in_scope", "value"] == 97
    assert province.loc["nra.advanced", "value"] == 65
    assert province.loc["nra.model", "value"] == 4
    assert province.loc["ocop.products_active", "value"] == 980
    assert province.loc["ocop.entities_active", "value"] == 516
    assert province.loc["ocop.registrations_cycle", "value"] == 118  # cycle 2025 registered by 30/09/2025
    assert province.loc["capital.central_allocated_2021_2025", "value"] == 982619
    assert province.loc["capital.mobilized_cumulative", "value"] == 104238000


@needs_demo
def test_csv_and_parquet_agree_and_are_deterministic(demo_run, tmp_path):
    out, output = demo_run
    assert "nra.recognized" in output
    parquet = pd.read_parquet(out.with_suffix(".parquet"))
    assert list(parquet.columns) == ["period", "unit_code", "indicator", "value", "numerator", "denominator"]
    assert len(parquet) == len(pd.read_csv(out))
    again = tmp_path / "again.csv"
    CliRunner().invoke(app, ["indicators", "--data", str(DEMO), "--period", "2025-09", "--out", str(again), "-q"])
    assert again.read_bytes() == out.read_bytes()
    assert "e+" not in out.read_text()  # money is written in full, never in scientific notation


@needs_demo
def test_range_of_periods(tmp_path):
    out = tmp_path / "range.csv"
    result = CliRunner().invoke(app, ["indicators", "--data", str(DEMO), "--from", "2025-07", "--to", "2025-09",
                                      "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert sorted(pd.read_csv(out, dtype={"period": str})["period"].unique()) == ["2025-07", "2025-08", "2025-09"]


def test_bad_period_exits_2(tmp_path):
    result = CliRunner().invoke(app, ["indicators", "--data", str(tmp_path), "--period", "2025-13",
                                      "--out", str(tmp_path / "x.csv")])
    assert result.exit_code == 2
    assert "bad period" in result.output and "Traceback" not in result.output


def test_missing_folder_exits_2(tmp_path):
    result = CliRunner().invoke(app, ["indicators", "--data", str(tmp_path / "nope"), "--period", "2025-09",
                                      "--out", str(tmp_path / "x.csv")])
    assert result.exit_code == 2
    assert "not found" in result.output


def test_format_number_is_fixed():
    from nrd.cli.indicators import format_number

    assert format_number(104238000.0) == "104238000"
    assert format_number(200 / 3) == "66.666667"
    assert format_number(float("nan")) == ""

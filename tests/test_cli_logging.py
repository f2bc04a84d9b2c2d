"""Library warnings reach the user through the CLI's console handler; ``--quiet`` silences them."""

from __future__ import annotations

from nrd.cli import app
from nrd.cli.app import ConsoleLogHandler
from nrd.log import logger
from typer.testing import CliRunner

runner = CliRunner()


def _unreadable_dataset(tmp_path):
    (tmp_path / "criteria_status.xlsx").write_bytes(b"not a workbook")
    return tmp_path


def test_a_library_warning_reaches_the_console(tmp_path):
    result = runner.invoke(app, ["validate", str(_unreadable_dataset(tmp_path)), "--no-cache"])
    assert result.exit_code == 1
    assert "cannot read criteria_status.xlsx" in " ".join(result.stderr.split())  # logged by nrd.io.load, shown by the CLI
    assert not [h for h in logger.handlers if isinstance(h, ConsoleLogHandler)]  # detached after the command


def test_quiet_silences_warnings_but_not_the_result(tmp_path):
    result = runner.invoke(app, ["--quiet", "validate", str(_unreadable_dataset(tmp_path)), "--no-cache"])
    assert result.exit_code == 1
    assert "cannot read" not in result.stderr
    assert "invalid" in result.stdout


def test_verbose_shows_progress_messages(tmp_path):
    (tmp_path / "data").mkdir()
    data = _unreadable_dataset(tmp_path / "data")
    runner.invoke(app, ["validate", str(data)])  # the second read comes from the cache, an INFO record
    quiet, verbose = (runner.invoke(app, [*flags, "validate", str(data)]) for flags in ([], ["--verbose"]))
    assert "read from cache" not in " ".join(quiet.stderr.split())
    assert "read from cache" in " ".join(verbose.stderr.split())  # rich wraps long records

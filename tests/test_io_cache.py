"""The dataset cache: in the user's cache folder, never the data folder; no personal data; failures only warn."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from _browser import missing
from _io_helpers import TODAY, write_valid_dataset
from nrd.io import read_dataset
from nrd.io.cache import cache_root

ROOT = Path(__file__).resolve().parents[1]


def _snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(folder.rglob("*"))}


def _read_only(folder: Path) -> None:
    for path in [folder, *folder.rglob("*")]:
        path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def _writable(folder: Path) -> None:
    for path in [folder, *folder.rglob("*")]:
        path.chmod(path.stat().st_mode | stat.S_IWUSR)


def test_the_cache_lives_outside_the_data_folder_and_holds_no_personal_data(tmp_path, monkeypatch):
    monkeypatch.setenv("NRD_CACHE_DIR", str(tmp_path / "cache"))
    data = write_valid_dataset(tmp_path / "data")
    before = _snapshot(data)
    read_dataset(data, today=TODAY)
    read_dataset(data, today=TODAY)
    assert _snapshot(data) == before
    assert cache_root() == tmp_path / "cache"
    [entities] = list((tmp_path / "cache").glob("*/ocop_entities.arrow"))
    table = pa.ipc.open_file(pa.memory_map(str(entities))).read_all().to_pandas()
    assert table["phone"].isna().all() and table["representative"].isna().all()
    assert b"0912345678" not in b"".join(p.read_bytes() for p in (tmp_path / "cache").rglob("*") if p.is_file())


def test_the_default_cache_is_the_platform_user_cache_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("NRD_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == tmp_path / "xdg" / "nrd" / "datasets"


def test_a_cache_that_cannot_be_written_is_a_warning_and_the_read_succeeds(tmp_path, monkeypatch, caplog):
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder should be", encoding="utf-8")
    monkeypatch.setenv("NRD_CACHE_DIR", str(blocked / "sub"))
    data = write_valid_dataset(tmp_path / "data")
    with caplog.at_level(logging.WARNING, logger="nrd"):
        dataset = read_dataset(data, today=TODAY)
    assert dataset.errors == [] and not dataset.table("criteria_status").empty
    assert any("cannot write the dataset cache" in r.getMessage() for r in caplog.records)


def _failing_writer(error: Exception):
    """A cache writer that writes the first table, then fails like pyarrow or the disk would."""
    from nrd.io import cache

    written = []
    original = cache._write_frame

    def write(frame, path):
        if written:
            raise error
        written.append(path)
        original(frame, path)

    return write, written


@pytest.mark.parametrize("error", [pa.ArrowInvalid("Could not convert 'x' with type str: tried to convert to "
                                                    "int64"), OSError(28, "No space left on device")],
                         ids=["ArrowInvalid", "ENOSPC"])
def test_a_failure_while_caching_is_a_warning_and_the_frames_are_the_fresh_read(tmp_path, monkeypatch, caplog,
                                                                               error):
    from nrd.io import cache
    from nrd.indicators import context

    monkeypatch.setenv("NRD_CACHE_DIR", str(tmp_path / "cache"))
    data = write_valid_dataset(tmp_path / "data")
    fresh = read_dataset(data, today=TODAY, use_cache=False)
    cache_writer = cache._write_frame
    write, written = _failing_writer(error)
    monkeypatch.setattr(cache, "_write_frame", write)
    with caplog.at_level(logging.WARNING, logger="nrd"):
        dataset = read_dataset(data, today=TODAY)
    assert written  # the failure came mid-entry, after a table was written
    assert [r for r in caplog.records if "cannot write the dataset cache" in r.getMessage()
            and str(error.args[-1]) in r.getMessage()]
    assert sorted(dataset.tables) == sorted(fresh.tables)
    for name, frame in fresh.tables.items():
        pd.testing.assert_frame_equal(dataset.tables[name], frame, obj=name)
    assert dataset.findings == fresh.findings
    # nothing half-written is left for the next read to trust
    assert [p for p in (tmp_path / "cache").rglob("*")] == []
    # once the disk is back, the next read caches and reads the same frames
    monkeypatch.setattr(cache, "_write_frame", cache_writer)
    cached = read_dataset(data, today=TODAY)
    assert len(list((tmp_path / "cache").glob("*/meta.json"))) == 1
    for name, frame in fresh.tables.items():
        pd.testing.assert_frame_equal(cached.tables[name], frame, obj=name)
    # the prepared frames (derived from a cached read, stored beside it) fail the same way: computed
    caplog.clear()
    write, written = _failing_writer(error)
    monkeypatch.setattr(cache, "_write_frame", write)
    with caplog.at_level(logging.WARNING, logger="nrd"):
        prepared = context.prepare(cached)
    assert written and [r for r in caplog.records if "cannot write the dataset cache" in r.getMessage()]
    assert len(list((tmp_path / "cache").iterdir())) == 1  # the dataset's entry only, no derived one
    for name, frame in context._prepared_tables(fresh).items():
        pd.testing.assert_frame_equal(prepared.tables[name], frame, obj=name)


def test_a_read_only_data_folder_reads_and_stays_unchanged(tmp_path, monkeypatch):
    monkeypatch.setenv("NRD_CACHE_DIR", str(tmp_path / "cache"))
    data = write_valid_dataset(tmp_path / "data")
    before = _snapshot(data)
    _read_only(data)
    try:
        assert read_dataset(data, today=TODAY).errors == []
        assert read_dataset(data, today=TODAY).errors == []  # from the cache
    finally:
        _writable(data)
    assert _snapshot(data) == before


def test_a_second_os_user_reads_the_same_data_folder(monkeypatch):
    import tempfile

    if os.geteuid() != 0 or shutil.which("setpriv") is None:  # CI runs as root: there it must not skip
        missing("a second OS user needs root and setpriv (util-linux); CI runs as root")
    tmp_path = Path(tempfile.mkdtemp(prefix="nrd-two-users-"))  # pytest's own tmp folders are root-only
    tmp_path.chmod(0o755)
    monkeypatch.setenv("NRD_CACHE_DIR", str(tmp_path / "cache-root"))
    data = write_valid_dataset(tmp_path / "data")
    read_dataset(data, today=TODAY)  # root's cache is written first
    before = _snapshot(data)
    for path in [tmp_path, *tmp_path.rglob("*")]:
        path.chmod(path.stat().st_mode | stat.S_IROTH | (stat.S_IXOTH if path.is_dir() else 0))
    _read_only(data)
    other_cache = Path("/tmp") / f"nrd-cache-nobody-{os.getpid()}"
    code = ("import datetime, sys; from nrd.io import read_dataset; "
            f"d = read_dataset({str(data)!r}, today=datetime.date(2025, 10, 15)); sys.exit(len(d.errors))")
    env = {**os.environ, "NRD_CACHE_DIR": str(other_cache), "HOME": "/tmp"}
    try:
        result = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                                 sys.executable, "-c", code], env=env, capture_output=True, text=True,
                                timeout=120)
    finally:
        _writable(data)
        shutil.rmtree(other_cache, ignore_errors=True)
    after = _snapshot(data)
    shutil.rmtree(tmp_path, ignore_errors=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert after == before


def _mapped_kib() -> int:
    """Resident file-backed memory of this process (kB), from /proc/self/status."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssFile:"):
            return int(line.split()[1])
    raise AssertionError("no RssFile in /proc/self/status")


def test_a_cached_read_maps_its_text_columns_and_its_frames_stay_writable(tmp_path, monkeypatch):
    if not Path("/proc/self/status").is_file():
        missing("needs Linux /proc accounting (RssFile)")
    monkeypatch.setenv("NRD_CACHE_DIR", str(tmp_path / "cache"))
    data = ROOT / "data" / "demo"
    fresh = read_dataset(data)
    allocated = pa.total_allocated_bytes()
    mapped = _mapped_kib()
    cached = read_dataset(data)
    status = cached.tables["criteria_status"]
    text = sum(status[c].array._pa_array.nbytes for c in status.columns if status[c].dtype == "str")
    assert text > 1_000_000
    # the text columns are the cache file's pages, not copies in Arrow's pool
    assert pa.total_allocated_bytes() - allocated < text / 4
    assert (_mapped_kib() - mapped) * 1024 > text / 2
    pd.testing.assert_frame_equal(status, fresh.tables["criteria_status"])
    # a report may still change its frames (pandas copies what it writes; the file is never written)
    before = (tmp_path / "cache").glob("*/criteria_status.arrow").__next__().read_bytes()
    status.loc[status.index[0], "unit_code"] = "HACKED"
    status.loc[status.index[0], "value"] = -1.0
    assert status["unit_code"].iloc[0] == "HACKED" and status["value"].iloc[0] == -1.0
    assert next((tmp_path / "cache").glob("*/criteria_status.arrow")).read_bytes() == before


def test_prepared_frames_are_cached_beside_the_dataset_only_while_its_tables_are_as_read(tmp_path, monkeypatch):
    from nrd.indicators import context

    monkeypatch.setenv("NRD_CACHE_DIR", str(tmp_path / "cache"))
    data = ROOT / "data" / "demo"
    fresh = read_dataset(data)
    assert fresh.as_read()
    computed = context._prepared_tables(fresh)
    first = context.prepare(fresh)  # computes, stores, maps
    entries = sorted(p.name for p in (tmp_path / "cache").iterdir())
    assert len(entries) == 2 and entries[1].startswith(entries[0] + "-prepared-")
    again = context.prepare(read_dataset(data))  # another process' view: mapped from the entry
    for name, frame in computed.items():
        if name == "ocop_entities":  # personal columns are never cached
            frame = frame.assign(phone=pd.NA, representative=pd.NA).astype(frame.dtypes.to_dict())
        pd.testing.assert_frame_equal(first.tables[name], frame)
        pd.testing.assert_frame_equal(again.tables[name], frame)
    # a dataset whose table was replaced is prepared from its own frames, never from the cache
    changed = read_dataset(data)
    changed.tables["criteria_status"] = changed.tables["criteria_status"].iloc[:10]
    assert not changed.as_read()
    assert len(context.prepare(changed).tables["criteria_status"]) <= 10


def test_prune_keeps_the_newest_entries_within_the_size_limit(tmp_path, monkeypatch):
    from nrd.io import cache

    root = tmp_path / "cache"
    for age, megabytes in enumerate([3, 3, 3, 3, 1]):  # age 0 is the newest
        entry = root / f"entry{age}"
        entry.mkdir(parents=True)
        (entry / "t.arrow").write_bytes(b"\0" * (megabytes * 2**20))
        stamp = 1_700_000_000 - age * 60
        os.utime(entry, (stamp, stamp))
    monkeypatch.setenv("NRD_CACHE_MAX_MB", "7")
    cache.prune(root)
    assert sorted(p.name for p in root.iterdir()) == ["entry0", "entry1"]  # 6 MB; the third would be 9
    monkeypatch.setenv("NRD_CACHE_MAX_MB", "1")
    cache.prune(root)
    assert sorted(p.name for p in root.iterdir()) == ["entry0"]  # the newest stays even above the limit
    cache.prune(root, keep=1, max_bytes=10**12)
    assert sorted(p.name for p in root.iterdir()) == ["entry0"]

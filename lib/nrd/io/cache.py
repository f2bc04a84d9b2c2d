"""Cache of validated datasets (Arrow IPC files, memory-mapped), keyed by the sha256 of the inputs and code.

The cache lives in the user's cache folder (``platformdirs.user_cache_dir("nrd")``, or ``NRD_CACHE_DIR``),
never in the office's data folder, which is read-only to us; each OS user (the cron account, an analyst)
has their own. Personal columns (phones, representatives) are never written: a cached read has them blank.
Any failure of the cache is a logged warning and a fresh read, never a crash.

A cache entry is a folder ``<key>/`` holding one Arrow IPC file per table (uncompressed) and ``meta.json``
(findings, files, hashes, stats): findings are cached with the frames, so a cache hit reports exactly what
a fresh read does. Entries are written to a temporary folder and renamed into place (atomic), never
modified after; an unreadable entry is ignored.

Why Arrow IPC rather than Parquet: a cached read maps the files instead of decoding them, and pandas' string
columns are the mapped bytes themselves. Every process of a machine that reads the same entry (the run's
process, each worker's fork server and their report children) then shares one copy of the text columns in
the page cache, which the kernel can also reclaim, instead of each holding its own (national dataset: about
200 MB per process). The files are larger (national: ~220 MB against ~20 MB of Parquet) and a cached read
takes milliseconds. Numeric, date and nullable columns are copied into pandas' own arrays as before, so a
frame stays writable.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import pandas as pd

from nrd.io.findings import finding_from_dict
from nrd.log import logger

CACHE_DIR_ENV = "NRD_CACHE_DIR"
KEEP_ENTRIES = 16  # datasets and what is derived from them (``derived_frames``)
_FORMAT = 2  # 1: Parquet files; 2: Arrow IPC files


def code_fingerprint() -> str:
    """sha256 over the nrd version, the io/contract sources and the reference data (a change invalidates)."""
    import nrd

    package = Path(nrd.__file__).parent
    digest = hashlib.sha256(f"{nrd.__version__}/{_FORMAT}".encode())
    paths = sorted(
        [
            package / "contract.py",
            package / "periods.py",
            *(package / "io").glob("*.py"),
            *(package / "reference").rglob("*.py"),
            *(package / "reference" / "data").rglob("*.*"),
        ]
    )
    for path in paths:
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_key(
    input_hashes: dict[str, str], *, province_code: str, tables: list[str], as_of: str
) -> str:
    """The key of one read: inputs, code, province, tables asked for, the day the future-date rules
    compared against (a date that was in the future yesterday may not be today)."""
    payload = json.dumps(
        {
            "inputs": input_hashes,
            "code": code_fingerprint(),
            "province": province_code,
            "tables": sorted(tables),
            "as_of": as_of,
        },
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def cache_root() -> Path:
    """``NRD_CACHE_DIR`` when set (a setting may point anywhere, the data folder included), else the user's
    cache folder (``~/.cache/nrd/datasets`` on Linux)."""
    configured = os.environ.get(CACHE_DIR_ENV)
    if configured:
        return Path(configured)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("nrd", appauthor=False)) / "datasets"


def cache_roots(data_dir: Path) -> list[Path]:
    """Where entries may live (one root: the data folder is never written to)."""
    return [cache_root()]


def _without_personal(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    from nrd.contract import PERSONAL_COLUMNS

    personal = [c for c in PERSONAL_COLUMNS.get(name, ()) if c in frame.columns]
    return frame.assign(**{c: pd.Series(pd.NA, index=frame.index, dtype=frame[c].dtype) for c in personal})


def _write_frame(frame: pd.DataFrame, path: Path) -> None:
    import pyarrow as pa

    table = pa.Table.from_pandas(frame, preserve_index=False)
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)


def _read_frame(path: Path) -> pd.DataFrame:
    """The frame of one IPC file, its text columns backed by the mapped file (the mapping lives as long as
    any column uses it)."""
    import pyarrow as pa

    with pa.memory_map(str(path)) as source:
        table = pa.ipc.open_file(source).read_all()
    return table.to_pandas()


def _read_frames(folder: Path, names: list[str]) -> dict[str, pd.DataFrame]:
    return {name: _read_frame(folder / f"{name}.arrow") for name in names}


def _cache_errors() -> tuple[type[BaseException], ...]:
    from pyarrow import ArrowException

    return (OSError, ValueError, TypeError, ArrowException)


def load_entry(data_dir: Path, key: str) -> dict | None:
    """The cached read for ``key`` (frames + meta), or ``None`` when absent or unreadable."""
    for root in cache_roots(data_dir):
        folder = root / key
        if not (folder / "meta.json").is_file():
            continue
        try:
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
            frames = _read_frames(folder, meta["tables"])
            meta["findings"] = [finding_from_dict(f) for f in meta["findings"]]
            meta["frames"] = frames
            return meta
        except Exception as error:  # a corrupt entry is only a missed cache
            logger.warning("ignoring unreadable cache entry %s: %s", folder, error)
    return None


def store_entry(data_dir: Path, key: str, frames: dict[str, pd.DataFrame], meta: dict) -> Path | None:
    """Write an entry atomically; returns its folder, or ``None`` when no cache root is writable."""
    # tables in the read's order: a cached read lists them as a fresh one does
    payload = dict(meta, tables=list(frames), findings=[asdict(f) for f in meta["findings"]])
    return _store(key, frames, payload)


def derived_frames(key: str, label: str, compute: Callable[[], dict[str, pd.DataFrame]]) -> dict[str, pd.DataFrame]:
    """Frames computed from the cached dataset ``key`` by ``compute`` (``label`` names the computation and
    its code version): computed once, stored beside the dataset's entry, then mapped like it by every
    process that asks (the run's process, each fork server). A cache failure only means computing."""
    name = f"{key}-{label}"
    for root in cache_roots(None):
        folder = root / name
        if (folder / "meta.json").is_file():
            try:
                meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
                return _read_frames(folder, meta["tables"])
            except Exception as error:  # a corrupt entry is only a missed cache
                logger.warning("ignoring unreadable cache entry %s: %s", folder, error)
    frames = compute()
    folder = _store(name, frames, {"tables": list(frames)})
    if folder is None:
        return frames
    try:
        return _read_frames(folder, list(frames))
    except _cache_errors() as error:
        logger.warning("cannot map the cache entry %s: %s", folder, error)
        return frames


def _store(key: str, frames: dict[str, pd.DataFrame], payload: dict) -> Path | None:
    for root in cache_roots(None):
        folder = root / key
        if folder.is_dir():
            return folder
        temp = None
        try:
            root.mkdir(parents=True, exist_ok=True)
            temp = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=root))
            for name, frame in frames.items():
                _write_frame(_without_personal(name, frame), temp / f"{name}.arrow")
            (temp / "meta.json").write_text(
                json.dumps(payload, ensure_ascii=False, sort_keys=True), encoding="utf-8"
            )
            os.chmod(temp, 0o777 & ~_umask())  # mkdtemp's 0700 would lock out a second reader of a shared root
            os.rename(temp, folder)
            prune(root)
            return folder
        except _cache_errors() as error:  # the read succeeded; only the next one will be slower
            logger.warning("cannot write the dataset cache under %s: %s", root, error)
            if temp is not None:
                shutil.rmtree(temp, ignore_errors=True)
            if folder.is_dir():  # another process won the race: its entry is as good as ours
                return folder
    return None


def _umask() -> int:
    """The process umask, read without setting it (``os.umask`` would race other threads' file creation)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    return 0o022


def prune(root: Path, keep: int = KEEP_ENTRIES, max_bytes: int | None = None) -> None:
    """Remove all but the ``keep`` most recent entries under ``root``, and the older ones beyond
    ``max_bytes`` in all (``NRD_CACHE_MAX_MB``, default ``MAX_MEGABYTES``; the newest entry is always kept).
    A reader racing a removal only misses the cache: an unreadable entry is ignored, and on POSIX a file
    already mapped stays readable until unmapped."""
    if max_bytes is None:
        max_bytes = _max_bytes()
    entries = sorted(
        (p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: (p.stat().st_mtime, p.name),
        reverse=True,
    )
    used = 0
    for index, entry in enumerate(entries):
        used += _entry_bytes(entry)
        if index >= keep or (index > 0 and used > max_bytes):
            shutil.rmtree(entry, ignore_errors=True)


#: The cache's default size limit: a national entry with its prepared frames takes ~350 MB (mapped files
#: are uncompressed), a province's ~20 MB.
MAX_MEGABYTES = 2048
CACHE_MAX_ENV = "NRD_CACHE_MAX_MB"


def _max_bytes() -> int:
    try:
        return int(float(os.environ.get(CACHE_MAX_ENV) or MAX_MEGABYTES) * 2**20)
    except ValueError:
        logger.warning("%s=%r is not a number of megabytes: using %d", CACHE_MAX_ENV,
                       os.environ.get(CACHE_MAX_ENV), MAX_MEGABYTES)
        return MAX_MEGABYTES * 2**20


def _entry_bytes(entry: Path) -> int:
    try:
        return sum(f.stat().st_size for f in entry.iterdir() if f.is_file())
    except OSError:  # removed meanwhile by another process
        return 0

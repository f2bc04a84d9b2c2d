"""Parquet cache of validated datasets, keyed by the sha256 of the input files and of the code.

A cache entry is a folder ``<key>/`` holding one Parquet file per table and ``meta.json`` (findings, files,
hashes, stats): findings are cached with the frames, so a cache hit reports exactly what a fresh read does.
Entries are written to a temporary folder and renamed into place (atomic); an unreadable entry is ignored.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import asdict
from pathlib import Path

import pandas as pd

from nrd.io.findings import finding_from_dict
from nrd.log import logger

CACHE_DIR = ".cache"
KEEP_ENTRIES = 8
_FORMAT = 1


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


def cache_roots(data_dir: Path) -> list[Path]:
    """Where entries may live: ``<data_dir>/.cache/nrd`` first, then the user cache dir."""
    user = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "nrd" / "datasets"
    return [data_dir / CACHE_DIR / "nrd", user]


def load_entry(data_dir: Path, key: str) -> dict | None:
    """The cached read for ``key`` (frames + meta), or ``None`` when absent or unreadable."""
    for root in cache_roots(data_dir):
        folder = root / key
        if not (folder / "meta.json").is_file():
            continue
        try:
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
            frames = {name: pd.read_parquet(folder / f"{name}.parquet") for name in meta["tables"]}
            meta["findings"] = [finding_from_dict(f) for f in meta["findings"]]
            meta["frames"] = frames
            return meta
        except Exception as error:  # a corrupt entry is only a missed cache
            logger.warning("ignoring unreadable cache entry %s: %s", folder, error)
    return None


def store_entry(data_dir: Path, key: str, frames: dict[str, pd.DataFrame], meta: dict) -> Path | None:
    """Write an entry atomically; returns its folder, or ``None`` when no cache root is writable."""
    payload = dict(meta, tables=sorted(frames), findings=[asdict(f) for f in meta["findings"]])
    for root in cache_roots(data_dir):
        folder = root / key
        if folder.is_dir():
            return folder
        temp = None
        try:
            root.mkdir(parents=True, exist_ok=True)
            temp = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=root))
            for name, frame in frames.items():
                frame.to_parquet(temp / f"{name}.parquet", index=False)
            (temp / "meta.json").write_text(
                json.dumps(payload, ensure_ascii=False, sort_keys=True), encoding="utf-8"
            )
            os.rename(temp, folder)
            prune(root)
            return folder
        except OSError as error:
            logger.info("cannot write cache under %s: %s", root, error)
            if temp is not None:
                shutil.rmtree(temp, ignore_errors=True)
            if folder.is_dir():  # another process won the race: its entry is as good as ours
                return folder
    return None


def prune(root: Path, keep: int = KEEP_ENTRIES) -> None:
    """Remove all but the ``keep`` most recent entries under ``root`` (a reader racing a removal only
    misses the cache: an unreadable entry is ignored)."""
    entries = sorted(
        (p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: (p.stat().st_mtime, p.name),
        reverse=True,
    )
    for old in entries[keep:]:
        shutil.rmtree(old, ignore_errors=True)

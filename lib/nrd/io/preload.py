"""Inputs read once by a parent process and inherited by the report processes it forks.

The ``nrd-fork`` engine's server (``nrd.run.fork_server``) reads the run's dataset and its indicator table
once, here, before it forks a child per report; ``read_dataset`` and ``read_indicator_table`` in a child
then return the parent's objects instead of reading again (copy-on-write: a report that mutates a frame
changes its own copy, which dies with it). Nothing is held unless a process asks for it: a kernel, an
analyst's session or the run's own process read as before.

An entry is used only while the files it was read from are unchanged (same names, sizes and modification
times); anything else reads again.
"""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path
from typing import Any

_DATASETS: dict[tuple[str, str], tuple[tuple, Any]] = {}
_TABLES: dict[str, tuple[tuple, Any]] = {}


def folder_signature(folder: Path) -> tuple:
    """Names, sizes and modification times of every file under ``folder`` (hidden entries skipped)."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            stat = os.stat(os.path.join(root, name))
            found.append((os.path.relpath(os.path.join(root, name), folder), stat.st_size, stat.st_mtime_ns))
    return tuple(found)


def file_signature(path: Path) -> tuple:
    stat = os.stat(path)
    return (stat.st_size, stat.st_mtime_ns)


def hold_dataset(data_dir: Path, dataset: Any, today: _dt.date | None = None) -> None:
    """Keep ``dataset`` (read with ``read_dataset``'s defaults) for this process and its children."""
    folder = Path(data_dir).resolve()
    _DATASETS[(str(folder), (today or _dt.date.today()).isoformat())] = (folder_signature(folder), dataset)


def held_dataset(data_dir: Path, today: _dt.date | None = None) -> Any | None:
    """The dataset held for ``data_dir`` when its files have not changed since; else ``None``."""
    if not _DATASETS:
        return None
    folder = Path(data_dir).resolve()
    entry = _DATASETS.get((str(folder), (today or _dt.date.today()).isoformat()))
    if entry is None or entry[0] != folder_signature(folder):
        return None
    return entry[1]


def hold_table(path: Path, table: Any) -> None:
    """Keep an indicator table read from ``path`` for this process and its children."""
    path = Path(path).resolve()
    _TABLES[str(path)] = (file_signature(path), table)


def held_table(path: Path) -> Any | None:
    """The indicator table held for ``path`` when the file has not changed since; else ``None``."""
    if not _TABLES:
        return None
    path = Path(path).resolve()
    entry = _TABLES.get(str(path))
    if entry is None or not path.is_file() or entry[0] != file_signature(path):
        return None
    return entry[1]


def release() -> None:
    """Forget every held input."""
    _DATASETS.clear()
    _TABLES.clear()

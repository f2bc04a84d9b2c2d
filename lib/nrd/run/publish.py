"""Publication folders: staged, then swapped in whole, so readers never see half a run.

A run writes into ``<out>/.staging-<period>-<pid>``. When it is done, ``publish`` renames the current
``<out>/<period>`` to ``<out>/.old-<period>-<pid>``, renames the staging folder to ``<out>/<period>`` and
deletes the old one. A run killed at any point leaves either the previous publication or the new one
(a kill between the two renames leaves ``.old-…``, which the next run's ``clean_leftovers`` puts back).
Callers hold the run lock (``nrd.run.lock``), so every leftover found under it belongs to a dead run.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from nrd.log import logger

SUBFOLDERS = ("html", "notebooks", "xlsx")
_LEFTOVER = re.compile(r"^\.(staging|old)-(\d{4}-\d{2})-(\d+)$")


def staging_dir(out_dir: str | Path, period: str) -> Path:
    """Create and return this process's empty staging folder for ``period``."""
    path = Path(out_dir) / f".staging-{period}-{os.getpid()}"
    if path.exists():
        shutil.rmtree(path)
    for sub in SUBFOLDERS:
        (path / sub).mkdir(parents=True)
    return path


def clean_leftovers(out_dir: str | Path) -> list[Path]:
    """Remove the staging folders of dead runs and restore an interrupted swap.

    Must be called with the run lock held. Returns the paths it removed or restored.
    """
    out_dir = Path(out_dir)
    touched: list[Path] = []
    if not out_dir.is_dir():
        return touched
    for path in sorted(out_dir.iterdir()):
        match = _LEFTOVER.match(path.name)
        if not match or int(match.group(3)) == os.getpid():
            continue
        kind, period = match.group(1), match.group(2)
        final = out_dir / period
        if kind == "old" and not final.exists():
            # Killed between the two renames: the old publication is the last complete one.
            path.rename(final)
            logger.warning("restored %s from an interrupted run (%s)", final, path.name)
        else:
            shutil.rmtree(path, ignore_errors=True)
            logger.info("removed leftover %s of an earlier run", path.name)
        touched.append(path)
    return touched


def publish(staging: str | Path, out_dir: str | Path, period: str) -> Path:
    """Swap ``staging`` in as ``<out>/<period>``; returns the final folder."""
    staging, out_dir = Path(staging), Path(out_dir)
    final = out_dir / period
    old = out_dir / f".old-{period}-{os.getpid()}"
    if final.exists():
        final.rename(old)
    staging.rename(final)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)
    _fsync_dir(out_dir)
    logger.info("published %s", final)
    return final


def _fsync_dir(path: Path) -> None:
    # Make the renames durable before reporting success (a power cut should not undo a publication).
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def link_or_copy(source: str | Path, target: str | Path) -> Path:
    """Hard-link ``source`` to ``target`` (copy when the file system refuses); replaces ``target``."""
    source, target = Path(source), Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        target.unlink()
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
    return target


def build_department_folders(
    publication: str | Path, department_files: dict[str, list[str]], shared_files: list[str]
) -> dict[str, list[str]]:
    """Fill ``departments/<dept>/`` with its own files plus the shared ones (hard links, ready to attach).

    Args:
        publication: the (staging) publication folder.
        department_files: department id -> its files, relative to the publication (e.g. its brief).
        shared_files: files every department receives (province overview, data quality).

    Returns:
        Department id -> the files placed, relative to the publication, sorted.
    """
    publication = Path(publication)
    placed: dict[str, list[str]] = {}
    for department in sorted(department_files):
        folder = publication / "departments" / department
        names = []
        for relative in [*department_files[department], *shared_files]:
            source = publication / relative
            if not source.is_file():
                continue
            target = folder / source.name
            link_or_copy(source, target)
            names.append(target.relative_to(publication).as_posix())
        placed[department] = sorted(names)
    return placed

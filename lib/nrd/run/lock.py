"""One run at a time per output folder: an advisory ``flock`` on ``<out>/.nrd-run.lock``.

The kernel releases a ``flock`` when its holder dies (even on ``kill -9``), so a crashed run never leaves a
stale lock behind; the pid written into the file only makes the refusal message useful.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from nrd.errors import LockError
from nrd.log import logger

LOCK_NAME = ".nrd-run.lock"


@contextmanager
def run_lock(out_dir: str | Path, *, wait_s: float = 5.0, poll_s: float = 0.2) -> Iterator[Path]:
    """Hold the run lock of ``out_dir`` for the duration of the ``with`` block.

    Args:
        out_dir: the output folder (created when missing).
        wait_s: how long to wait for another run to finish before refusing.
        poll_s: how often to retry while waiting.

    Yields:
        The lock file's path.

    Raises:
        LockError: another run still holds the lock after ``wait_s`` seconds.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / LOCK_NAME
    handle = open(path, "a+", encoding="utf-8")
    try:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "unknown"
                    raise LockError(
                        f"another `nrd run` (pid {holder}) is writing to {out_dir}; wait for it to finish "
                        f"or choose another --out"
                    ) from None
                time.sleep(poll_s)
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        logger.debug("run lock taken: %s", path)
        yield path
    finally:
        # Closing the descriptor releases the flock; the file stays (removing it would race a waiter).
        handle.close()

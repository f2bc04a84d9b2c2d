"""The run's log file (``run.log`` in the publication): every record of the ``nrd`` logger during a run.

``run_log(path)`` attaches a file handler for the duration of a ``with`` block and always detaches it, so
a failing run never leaves a handler (and an open file) on the library's logger.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from nrd.log import logger

RUN_LOG = "run.log"
LOG_FORMAT = "%(asctime)s %(levelname)-7s %(threadName)s %(message)s"


@contextmanager
def run_log(path: str | Path, level: int = logging.INFO) -> Iterator[logging.Handler]:
    """Write the ``nrd`` logger's records at ``level`` and above to ``path`` while the block runs.

    The logger's own level is lowered to ``level`` for the block when it is higher (so the file gets the
    records whatever the console shows), and put back after.
    """
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    previous_level = logger.level
    if logger.getEffectiveLevel() > level:
        logger.setLevel(level)
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        handler.close()
        logger.setLevel(previous_level)

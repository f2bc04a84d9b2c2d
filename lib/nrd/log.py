"""The package's one logger. The library logs and never prints; the CLI decides what is shown."""

import logging

logger = logging.getLogger("nrd")
logger.addHandler(logging.NullHandler())

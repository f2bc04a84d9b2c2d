"""YAML reading for nrd's own data files (labels, reference data, criteria sets): PyYAML's safe loader, in
its libyaml (C) build when PyYAML has one — the same documents, about ten times faster than the pure-Python
loader, which matters because every report process reads the label catalog."""

from __future__ import annotations

from typing import Any

import yaml

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(stream: Any) -> Any:
    """``yaml.safe_load`` through ``SAFE_LOADER`` (a str, bytes or open file)."""
    return yaml.load(stream, Loader=SAFE_LOADER)  # noqa: S506 - a safe loader, C or Python

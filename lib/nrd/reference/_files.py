"""Reading the YAML files shipped in ``nrd/reference/data`` (package data, no paths on disk assumed)."""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

from nrd import yaml_io
from nrd.errors import ReferenceDataError


def data_files(pattern: str) -> list[str]:
    """Names of the shipped data files matching a glob ``pattern``, sorted."""
    from fnmatch import fnmatch

    folder = resources.files("nrd.reference").joinpath("data")
    return sorted(entry.name for entry in folder.iterdir() if fnmatch(entry.name, pattern))


def read_yaml(filename: str) -> dict[str, Any]:
    """Parse a shipped YAML file into a mapping; ReferenceDataError when it is missing or not a mapping."""
    try:
        text = resources.files("nrd.reference").joinpath("data", filename).read_text(encoding="utf-8")
        content = yaml_io.safe_load(text)
    except (OSError, yaml.YAMLError) as exc:
        raise ReferenceDataError(f"reference file {filename}: cannot be read: {exc}") from exc
    if not isinstance(content, dict):
        raise ReferenceDataError(f"reference file {filename}: expected a mapping at the top level")
    return content


def require(record: dict[str, Any], keys: tuple[str, ...], where: str) -> None:
    """Raise ReferenceDataError naming ``where`` when ``record`` lacks any of ``keys`` (or has them blank)."""
    if not isinstance(record, dict):
        raise ReferenceDataError(f"{where}: expected a mapping, found {record!r}")
    missing = [k for k in keys if record.get(k) in (None, "")]
    if missing:
        raise ReferenceDataError(f"{where}: missing {', '.join(missing)}")

"""The run manifest (``manifest.json``) and the fingerprints that make reruns incremental.

A report's fingerprint hashes everything its output depends on: the notebook's bytes, its parameters, the
library (``nrd.__version__`` plus a hash of every ``lib/nrd`` source file) and the input data's hashes. A
report whose fingerprint matches the last successful run's is carried over instead of re-run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from nrd.log import logger

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1
_LIB_SUFFIXES = {".py", ".csv", ".yaml", ".j2", ".css", ".json", ".tpl"}


def sha256_file(path: str | Path) -> str:
    """The hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@lru_cache(maxsize=1)
def lib_fingerprint() -> dict[str, str]:
    """``{"version": nrd.__version__, "source_sha256": hash of lib/nrd's source and data files}``.

    Cached per process: the library does not change under a running run.
    """
    import nrd

    root = Path(nrd.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in _LIB_SUFFIXES):
        if "__pycache__" in path.parts:
            continue
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(sha256_file(path).encode())
    return {"version": nrd.__version__, "source_sha256": digest.hexdigest()}


def job_fingerprint(
    *, notebook_sha256: str, parameters: Mapping[str, Any], lib: Mapping[str, str], inputs: Mapping[str, str]
) -> str:
    """The hash that decides whether a report must run again (pure).

    ``data_dir`` is left out of the parameters: the input hashes already stand for the data, and moving the
    dataset folder should not invalidate every report.
    """
    payload = {
        "notebook": notebook_sha256,
        "parameters": {k: v for k, v in parameters.items() if k != "data_dir"},
        "lib": dict(lib),
        "inputs": dict(sorted(inputs.items())),
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_manifest(publication: str | Path) -> dict[str, Any] | None:
    """The manifest of a publication folder, or None when there is none (or it cannot be read)."""
    path = Path(publication) / MANIFEST_NAME
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        logger.warning("ignoring unreadable manifest %s: %s", path, error)
        return None
    if not isinstance(data, dict) or data.get("manifest_version") != MANIFEST_VERSION:
        return None
    return data


def write_manifest(publication: str | Path, manifest: Mapping[str, Any]) -> Path:
    """Write ``manifest.json`` (sorted keys, UTF-8, stable indentation)."""
    path = Path(publication) / MANIFEST_NAME
    body = {"manifest_version": MANIFEST_VERSION, **manifest}
    path.write_text(json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n", "utf-8")
    return path


def previous_successes(manifest: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    """Report entries of a previous manifest that succeeded, by stem (pure)."""
    if not manifest:
        return {}
    return {
        entry["stem"]: entry
        for entry in manifest.get("reports", [])
        if entry.get("status") in {"ok", "skipped"} and entry.get("fingerprint")
    }


def manifest_entry(result: Any, notebook_sha256: str) -> dict[str, Any]:
    """One report's entry: what ran (kind, key, language, parameters without ``data_dir``), how it went,
    where its files are, and the fingerprint the next run compares against."""
    job = result.job
    kind = job.kind
    return {
        "stem": job.stem,
        "report": job.report,
        "kind": kind.name if kind is not None else None,
        "for_each": kind.for_each if kind is not None else None,
        "group": job.group,
        "key": job.key,
        "lang": job.lang,
        "notebook": job.notebook.name,
        "notebook_sha256": notebook_sha256,
        "parameters": {k: v for k, v in job.parameters.items() if k != "data_dir"},
        "status": result.status,
        "error": result.error,
        "fingerprint": result.fingerprint,
        "html": result.html,
        "ipynb": result.ipynb,
        "xlsx": result.xlsx,
        "duration_s": result.duration_s,
        "outside_selection": result.outside_selection,
    }


def outcome_fields(result: Any) -> dict[str, Any]:
    """How a run ended, for a wrapper to read without the exit code's ambiguity: ``exit_code``,
    ``exit_reasons`` (``reports_failed`` and/or ``rows_excluded``), ``failed_reports``, what
    ``--accept-errors`` left out (``accepted_errors``, ``excluded_rows``, ``excluded_tables``) and the reports
    of the last publication not kept (``dropped_reports``)."""
    return {**result.exclusions.as_manifest(), "dropped_reports": list(result.dropped_reports),
            "exit_code": result.exit_code, "exit_reasons": result.exit_reasons, "failed_reports": len(result.failed)}


def package_versions() -> dict[str, str]:
    """Versions of nrd and the packages a report's bytes depend on (recorded, not compared)."""
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in ("nrd", "pandas", "papermill", "nbconvert", "nbclient", "ipykernel", "matplotlib", "seaborn"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found

"""Incremental runs: which reports must run again, and carrying the others over from the last publication.

A report's fingerprint (``nrd.run.manifest.job_fingerprint``) hashes its notebook, parameters, the library
and the input data; a report whose fingerprint matches the last successful run's is carried over (its files
hard-linked into the new publication) instead of re-run. Reports of the last publication outside this run's
selection (``--only``, ``--unit``) are kept as they were, so a partial run never drops them — unless rows
were left out for errors (``--accept-errors``) in this run or in the last one and the data differ
(``same_data``): a page made from other data would then stand beside this run's banner as if consistent
with it (or carry a banner about data this run no longer has), so such reports are left out of the new
publication, and the manifest names them (``dropped_reports``).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from nrd.log import logger
from nrd.reports import DEFAULT_GROUP, ReportKind, find_report
from nrd.run.manifest import job_fingerprint, lib_fingerprint, sha256_file
from nrd.run.model import Exclusions, Job, JobResult, PreparedRun
from nrd.run.publish import link_or_copy

_FILES = ("html", "ipynb", "xlsx")


@dataclasses.dataclass(frozen=True)
class Fingerprints:
    """The fingerprint of each job (by stem), with what went into them that the manifest records."""

    lib: dict[str, str]
    notebooks: dict[Path, str]  # notebook -> sha256
    jobs: dict[str, str]  # stem -> fingerprint


def fingerprint_jobs(jobs: list[Job], input_hashes: dict[str, str]) -> Fingerprints:
    """Fingerprint every job (each notebook is hashed once)."""
    lib = lib_fingerprint()
    notebooks = {job.notebook: sha256_file(job.notebook) for job in jobs}
    prints = {
        job.stem: job_fingerprint(notebook_sha256=notebooks[job.notebook], parameters=job.parameters, lib=lib,
                                  inputs=input_hashes)
        for job in jobs
    }
    return Fingerprints(lib, notebooks, prints)


def carry_over(
    job: Job, fingerprint: str, previous: dict[str, Any] | None, previous_dir: Path, staging: Path
) -> JobResult | None:
    """Link the previous run's outputs of an unchanged report into the new publication (``None``: re-run)."""
    if not previous or previous.get("fingerprint") != fingerprint:
        return None
    files = {kind: previous.get(kind) for kind in _FILES}
    if not files["html"] or not all((previous_dir / f).is_file() for f in files.values() if f):
        return None
    for relative in files.values():
        if relative:
            link_or_copy(previous_dir / relative, staging / relative)
    return JobResult(job=job, status="skipped", fingerprint=fingerprint, duration_s=0.0, **files)


def same_data(manifest: dict[str, Any] | None, input_hashes: dict[str, str], exclusions: Exclusions) -> bool:
    """Whether the reports of the last publication (``manifest``) may stand beside this run's.

    Two runs on clean data: always (the reports outside a selection are kept as they were, today's
    contract). When either left rows out for errors: only when both read the same input files, so every
    page of the publication tells the same story about what was left out.
    """
    if not manifest:
        return True
    previous = Exclusions.from_manifest(manifest)
    if not previous and not exclusions:
        return True
    return dict(manifest.get("inputs") or {}) == dict(input_hashes) and previous == exclusions


def previous_outside_selection(manifest: dict[str, Any] | None, selected: set[str], prepared: PreparedRun,
                               previous_dir: Path, staging: Path) -> tuple[list[JobResult], list[str]]:
    """(the last publication's reports outside this run's selection that are kept, the stems of those that
    are not: made from other data when rows were left out for errors, ``same_data``)."""
    if same_data(manifest, prepared.input_hashes, prepared.exclusions):
        return keep_unselected(manifest, selected, previous_dir, staging), []
    dropped = [e["stem"] for e in (manifest or {}).get("reports", []) if e.get("stem") and e["stem"] not in selected]
    if dropped:
        logger.warning("%d report(s) of the last publication not kept: made from other data than this run's "
                       "(rows left out for errors in one of them); run them again to publish them", len(dropped))
    return [], dropped


def keep_unselected(
    manifest: dict[str, Any] | None, selected: set[str], previous_dir: Path, staging: Path
) -> list[JobResult]:
    """Reports of the previous publication outside this run's selection (--only, --unit), kept as they were.

    Without this, a partial run would swap in a publication holding only the reports it ran.
    """
    kept: list[JobResult] = []
    selected = set(selected)
    for entry in (manifest or {}).get("reports", []):
        stem = entry.get("stem")
        if not stem or stem in selected:
            continue
        files = {kind: entry.get(kind) for kind in _FILES}
        for relative in files.values():
            if relative and (previous_dir / relative).is_file():
                link_or_copy(previous_dir / relative, staging / relative)
        job = Job(
            report=entry["report"],
            notebook=Path(entry.get("notebook", "")),
            parameters=dict(entry.get("parameters") or {}),
            lang=entry.get("lang", "vi"),
            group=entry.get("group", DEFAULT_GROUP),
            key=entry.get("key"),
            stem=stem,
            kind=_kind_from_manifest(entry),
        )
        status = "failed" if entry.get("status") == "failed" else "skipped"
        kept.append(
            JobResult(job=job, status=status, fingerprint=entry.get("fingerprint", ""), error=entry.get("error"),
                      duration_s=0.0, outside_selection=True, **files)
        )
        selected.add(stem)
    if kept:
        logger.info("%d report(s) outside this run's selection kept from the previous publication", len(kept))
    return kept


def _kind_from_manifest(entry: dict[str, Any]) -> ReportKind | None:
    """The report kind a manifest entry names, with the group and fan-out key it ran with."""
    registered = find_report(entry.get("kind") or entry.get("report"))
    if registered is None:
        return None
    group = entry.get("group", registered.group)
    for_each = entry.get("for_each", registered.for_each)
    return dataclasses.replace(registered, group=group, for_each=for_each)

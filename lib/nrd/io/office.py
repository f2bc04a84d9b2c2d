"""The office's reference files: the optional ``reference/`` subfolder of a dataset.

The three tables of ``nrd.contract.REFERENCE_TABLES`` (commune groups, criteria indicators, criteria
departments) are located and read by the same reader as the input tables (CSV/XLSX, Vietnamese or English
headers, each rejected cell a finding), then checked against the shipped reference data: an unknown
criterion, an indicator outside its criterion, a unit that is not a commune, a group the set does not have,
an unknown department, two leads, duplicate keys. File names in findings and in ``_source`` are relative
to the dataset folder (``reference/commune_groups.csv``).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd

from nrd.contract import REFERENCE_DIR, REFERENCE_TABLE_NAMES
from nrd.io import locate
from nrd.io.tables import read_tables
from nrd.io.findings import ERROR, WARNING, Finding
from nrd.io.schemas import SOURCE
from nrd.io.validate import _finding, _rows, check_duplicate_keys


def reference_dir(data_dir: Path) -> Path:
    return Path(data_dir) / REFERENCE_DIR


def _prefixed(name: str) -> str:
    return f"{REFERENCE_DIR}/{name}"


def locate_reference(data_dir: Path) -> tuple[dict[str, locate.TableSource], list[Finding]]:
    """The office reference files of ``data_dir`` (none when it has no ``reference/`` folder)."""
    folder = reference_dir(data_dir)
    if not folder.is_dir():
        return {}, []
    sources, findings = locate.locate_tables(folder, list(REFERENCE_TABLE_NAMES))
    return sources, [replace(f, file=_prefixed(f.file)) for f in findings]


def reference_hashes(data_dir: Path, sources: dict[str, locate.TableSource]) -> dict[str, str]:
    """sha256 of each office reference file, keyed ``reference/<file>``."""
    if not sources:
        return {}
    hashes = locate.hash_inputs(reference_dir(data_dir), sources)
    return {_prefixed(name): digest for name, digest in hashes.items() if name != locate.DATASET_YAML}


def read_reference(
    data_dir: Path, sources: dict[str, locate.TableSource], registry, units: pd.DataFrame,
    number_locale: str = "vi",
) -> tuple[dict[str, pd.DataFrame], list[Finding], dict]:
    """Read and check the office reference files: (typed frames with error rows left out, findings,
    stats as ``read_tables`` gives them, keyed by table)."""
    if not sources:
        return {}, [], {}
    frames, findings, stats = read_tables(reference_dir(data_dir), sources, registry, number_locale)
    findings = [replace(f, file=_prefixed(f.file)) for f in findings]
    frames = {name: frame.assign(**{SOURCE: frame[SOURCE].map(_prefixed)}) for name, frame in frames.items()}
    checked = [
        replace(f, column=stats[f.table][2].get(f.column, f.column)) if f.table in stats else f
        for f in validate_reference(frames, units)
    ]
    findings += checked
    bad = {(f.table, f.file, f.sheet, f.row) for f in findings if f.severity == ERROR and f.row is not None}
    kept = {}
    for name, frame in frames.items():
        labels = [s.rpartition(":") if ":" in s else (s, "", "") for s in frame[SOURCE]]
        drop = [(name, file, sheet, row) in bad for (file, _, sheet), row in zip(labels, frame["_row"])]
        kept[name] = frame[[not d for d in drop]].reset_index(drop=True)
    return kept, findings, stats


# ---- rules ---------------------------------------------------------------------------------------------


def _sets():
    from nrd.reference import load_criteria_sets

    return load_criteria_sets()


def _check_criteria_keys(name: str, frame: pd.DataFrame) -> list[Finding]:
    """The criterion exists in the row's set; the indicator belongs to the criterion."""
    from nrd.reference import indicator_belongs

    sets, findings = _sets(), []
    for row in _rows(frame):
        criteria_set = sets.get(row.criteria_set)
        if criteria_set is None:
            continue  # an unknown set is a bad_value of the reader
        criterion = str(row.criterion).strip()
        if criterion not in criteria_set.criterion_ids:
            findings.append(_finding(
                ERROR, "unknown_criterion", name, row, "criterion", row.criterion,
                f"a criterion of {criteria_set.id}: {', '.join(criteria_set.criterion_ids)}",
                f"criterion {row.criterion} is not in set {criteria_set.id}",
            ))
            continue
        indicator = "" if pd.isna(row.indicator) else str(row.indicator).strip()
        if indicator and not indicator_belongs(indicator, criterion):
            findings.append(_finding(
                ERROR, "indicator_outside_criterion", name, row, "indicator", indicator,
                f"{criterion} or {criterion}.<n>",
                f"indicator {indicator} does not belong to criterion {criterion}",
            ))
    return findings


def _check_groups(frame: pd.DataFrame, units: pd.DataFrame) -> list[Finding]:
    declared = sorted({g for s in _sets().values() for g in s.group_ids})
    types = dict(zip(units["unit_code"].astype("str"), units["unit_type"]))
    findings = []
    for row in _rows(frame):
        if types.get(str(row.unit_code), "commune") != "commune":
            findings.append(_finding(
                ERROR, "not_a_commune", "commune_groups", row, "unit_code", row.unit_code,
                "a commune (commune groups do not apply to wards)",
                f"unit {row.unit_code} is a {types[row.unit_code]}",
            ))
        if int(row.group) not in declared:
            findings.append(_finding(
                ERROR, "out_of_range", "commune_groups", row, "group", int(row.group),
                f"a commune group of the criteria sets: {', '.join(map(str, declared)) or 'none'}",
                f"group {int(row.group)} is not a commune group of any criteria set",
            ))
    communes = units.loc[units["unit_type"] == "commune", "unit_code"].astype("str")
    missing = sorted(set(communes) - set(frame["unit_code"].astype("str")))
    if missing and len(frame):
        file = str(frame[SOURCE].iloc[0]).split(":")[0]
        findings.append(Finding(
            WARNING, "communes_without_group", "commune_groups", file, "", None, "unit_code",
            f"{len(missing)}: {', '.join(missing[:10])}{' …' if len(missing) > 10 else ''}",
            "one row per commune in scope",
            f"{len(missing)} commune(s) have no group: results by group leave them out",
        ))
    return findings


def _check_departments(frame: pd.DataFrame) -> list[Finding]:
    from nrd.reference import load_departments, resolve_department

    known = ", ".join(load_departments()["department"])
    findings = []
    resolved = [resolve_department(d) for d in frame["department"]]
    for row, department in zip(_rows(frame), resolved):
        if department is None:
            findings.append(_finding(
                ERROR, "unknown_department", "criteria_departments", row, "department", row.department,
                f"a department id or name: {known}", f"{row.department!r} is not a known department",
            ))
    indicators = frame["indicator"].fillna("").astype("str").str.strip()
    keyed = frame.assign(_department=resolved, _indicator=indicators)
    for _, group in keyed.groupby(["criteria_set", "criterion", "_indicator"], sort=False):
        leads = group[group["role"] == "lead"]
        if len(leads) > 1:
            for row in _rows(leads.iloc[1:]):
                findings.append(_finding(
                    ERROR, "duplicate_lead", "criteria_departments", row, "role", row.role,
                    "one lead per criterion (or indicator); other departments co_lead",
                    "a second lead for the same criterion",
                ))
        elif leads.empty:
            for row in _rows(group.head(1)):
                findings.append(_finding(
                    ERROR, "no_lead", "criteria_departments", row, "role", row.role,
                    "a lead (chủ trì) row for this criterion", "co-leads without a lead department",
                ))
    return findings


def _check_indicator_assignment(frames: dict[str, pd.DataFrame]) -> list[Finding]:
    """An indicator-level assignment names an indicator of the set (shipped or in the office file)."""
    frame = frames.get("criteria_departments")
    if frame is None or frame.empty:
        return []
    office = frames.get("criteria_indicators")
    known = {(s.id, i) for s in _sets().values() for i in s.indicators["indicator"]}
    if office is not None:
        known |= set(zip(office["criteria_set"], office["indicator"].astype("str").str.strip()))
    findings = []
    rows = frame[frame["indicator"].notna()]
    for row in _rows(rows):
        indicator = str(row.indicator).strip()
        if indicator != str(row.criterion).strip() and (row.criteria_set, indicator) not in known:
            findings.append(_finding(
                WARNING, "unknown_indicator", "criteria_departments", row, "indicator", indicator,
                f"an indicator of {row.criteria_set} (shipped or in criteria_indicators)",
                f"indicator {indicator} is not listed: its assignment is not shown",
            ))
    return findings


def validate_reference(frames: dict[str, pd.DataFrame], units: pd.DataFrame) -> list[Finding]:
    """Every rule over the office reference frames (typed, canonical columns)."""
    findings = check_duplicate_keys({n: f for n, f in frames.items() if not f.empty})
    for name in ("criteria_indicators", "criteria_departments"):
        if name in frames and not frames[name].empty:
            findings += _check_criteria_keys(name, frames[name])
    if "commune_groups" in frames and not frames["commune_groups"].empty:
        findings += _check_groups(frames["commune_groups"], units)
    if "criteria_departments" in frames and not frames["criteria_departments"].empty:
        findings += _check_departments(frames["criteria_departments"])
    findings += _check_indicator_assignment(frames)
    return findings

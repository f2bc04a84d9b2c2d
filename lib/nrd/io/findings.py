"""Validation findings: one record per problem, naming where it is and what was expected."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import pandas as pd

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """One problem found while reading or validating a dataset.

    Attributes:
        severity: ``"error"`` (the row is kept out of the typed frames) or ``"warning"`` (kept).
        rule: short stable id of the rule, e.g. ``"bad_value"``, ``"duplicate_key"``, ``"stars_band"``.
        table: the contract table, or ``""`` for dataset-level findings.
        file: the file, relative to the dataset folder.
        sheet: the sheet name for XLSX input, ``""`` for CSV.
        row: the row as the user sees it (header row = 1), or ``None`` for a whole-file finding.
        column: the column as written in the file (or the canonical name), ``""`` when none.
        value: the offending value as text.
        expected: what would have been accepted.
        message: a sentence for people.
    """

    severity: str
    rule: str
    table: str = ""
    file: str = ""
    sheet: str = ""
    row: int | None = None
    column: str = ""
    value: str = ""
    expected: str = ""
    message: str = ""

    def location(self) -> str:
        """``file:sheet row N, column C`` — the place to look, in one string."""
        where = self.file + (f":{self.sheet}" if self.sheet else "")
        if self.row is not None:
            where += f" row {self.row}"
        if self.column:
            where += f", column {self.column!r}"
        return where

    def __str__(self) -> str:
        text = f"{self.severity}: {self.location()}: {self.message}"
        if self.value:
            text += f" (value {self.value!r}"
            text += f"; expected {self.expected})" if self.expected else ")"
        return text


FINDING_FIELDS = tuple(f.name for f in fields(Finding))


def findings_frame(findings: list[Finding]) -> pd.DataFrame:
    """The findings as a frame with one column per field (an empty frame keeps the columns)."""
    frame = pd.DataFrame([asdict(f) for f in findings], columns=list(FINDING_FIELDS))
    frame["row"] = frame["row"].astype("Int64")
    return frame


def finding_from_dict(data: dict) -> Finding:
    """Rebuild a finding from ``asdict`` output (used by the cache)."""
    return Finding(**{k: data.get(k) for k in FINDING_FIELDS})


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Findings in a stable order: file, sheet, row, column, rule (deterministic output)."""
    return sorted(
        findings,
        key=lambda f: (f.file, f.sheet, -1 if f.row is None else f.row, f.column, f.rule, f.value, f.message),
    )

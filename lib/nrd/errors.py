"""Errors a user can cause. The CLI catches ``NrdError`` once and exits non-zero.

Each class is raised for one reason and carries the fields a user needs to fix the cause. Every such class
lives here (modules that raise one re-export it where it was first declared, so older imports keep working).
"""

from __future__ import annotations


class NrdError(Exception):
    """Base class of every error the user can cause (bad input, bad plan, unknown name)."""

    exit_code = 1


class UsageError(NrdError):
    """Raised when a command is called with arguments that cannot be used (bad period, missing folder)."""

    exit_code = 2


class UnknownNameError(NrdError, KeyError):
    """Raised when a registry (indicators, notebooks, engines, units, criteria sets) has no such name."""

    def __init__(self, kind: str, name: object, known: list[str] | None = None):
        self.kind, self.name, self.known = kind, name, known or []
        hint = f"; known: {', '.join(self.known[:20])}" if self.known else ""
        super().__init__(f"unknown {kind}: {name!r}{hint}")

    def __str__(self) -> str:  # KeyError would quote the message
        return self.args[0]


class AmbiguousNameError(UnknownNameError):
    """Raised when a name matches more than one unit; ``candidates`` lists ``(code, name)`` of each.

    It subclasses ``UnknownNameError`` so a caller that handles "no such unit" handles this case too.
    """

    def __init__(self, kind: str, name: object, candidates: list[tuple[str, str]], how: str = "name"):
        self.candidates = candidates
        listed = ", ".join(f"{code} {unit_name}" for code, unit_name in candidates)
        super().__init__(kind, name)
        self.args = (
            f"ambiguous {kind} {how}: {name!r} matches {len(candidates)} units ({listed}); "
            "write the 5-digit unit code or the full current name instead",
        )


class ReferenceDataError(NrdError):
    """Raised when a reference data file shipped with the project (or a dataset.yaml) is inconsistent."""


class PeriodError(UsageError):
    """Raised when a period is not a month ``YYYY-MM`` (or ``previous-month`` where a plan allows it)."""

    def __init__(self, value: object, expected: str = "a month YYYY-MM, e.g. 2025-09"):
        self.value, self.expected = value, expected
        super().__init__(f"bad period {value!r}: expected {expected}")


class NoCriteriaSetError(PeriodError):
    """Raised when no criteria set applies to a period (before the first set or after the last)."""


class DataValidationError(NrdError):
    """Raised when a dataset has error findings; ``findings`` holds every one of them (not only the first)."""

    def __init__(self, findings, message: str | None = None):
        self.findings = findings
        n = sum(1 for f in findings if getattr(f, "severity", "error") == "error")
        super().__init__(message or f"the dataset has {n} error(s); run `nrd validate` for the full table")


class MissingTableError(NrdError):
    """Raised when a report needs a table that the dataset folder does not hold."""

    def __init__(self, table: str, data_dir: object):
        self.table, self.data_dir = table, data_dir
        super().__init__(
            f"table {table!r} not found in {data_dir}: expected {table}.csv, {table}.xlsx "
            f"or a sheet {table!r} in dataset.xlsx"
        )


class UnreadableTableError(MissingTableError):
    """Raised when a report needs a table whose file is in the dataset folder but could not be read: the
    reader left the table out (an ``unreadable_file`` finding); the message names the file and the finding."""

    def __init__(self, table: str, data_dir: object, file: str, problem: str):
        NrdError.__init__(
            self,
            f"table {table!r}: the file {file} is in {data_dir} but could not be read ({problem}); the table "
            f"was left out. Fix or re-save the file (`nrd validate` lists the finding)",
        )
        self.table, self.data_dir, self.file = table, data_dir, file


class IndicatorTableError(NrdError):
    """Raised when a precomputed indicator table cannot be used; names the file, column and expectation."""

    def __init__(self, path: object, problem: str, *, column: str | None = None, expected: str | None = None):
        self.path, self.column, self.expected = str(path), column, expected
        where = f"{self.path}" + (f", column {column!r}" if column else "")
        fix = f"; expected {expected}" if expected else ""
        super().__init__(f"indicator table {where}: {problem}{fix}. Recompute it with `nrd indicators` or "
                         f"leave indicators_path blank.")


class TargetError(NrdError):
    """Raised when a targets file has a bad entry; names the entry and the field."""


class PlanError(NrdError):
    """Raised when a run plan names an unknown notebook or parameter, or has a bad value."""


class ReportError(NrdError):
    """Raised when a report notebook fails to execute or render; ``notebook_path`` keeps the evidence."""

    def __init__(self, message: str, notebook_path: object = None):
        self.notebook_path = notebook_path
        super().__init__(message)


class WarmKernelError(ReportError):
    """Raised when a warm kernel (``nrd-warm`` engine) cannot be started or reset; the report did not run."""


class LockError(NrdError):
    """Raised when another run holds the lock on the same output folder."""

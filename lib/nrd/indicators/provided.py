"""Which of a report's inputs a dataset provides: the pipeline tables (``projects``, ``project_progress``,
``appraisals``, ``inspections``) and the optional ``ocop_registrations`` columns came with the 2026 reports,
and an office's dataset may not hold them yet. A report then says the input was not provided instead of
showing empty tables or zeros that read as facts.
"""

from __future__ import annotations

import pandas as pd

#: The tables each pipeline view reads.
PROJECT_TABLES = ("projects", "project_progress")
APPRAISAL_TABLES = ("appraisals",)
INSPECTION_TABLES = ("inspections",)


def absent_tables(ds, *names: str) -> tuple[str, ...]:
    """The tables among ``names`` that the dataset does not hold, in the order given."""
    return tuple(name for name in names if ds.tables.get(name) is None)


def unrecorded_columns(ds, table: str, *columns: str) -> tuple[str, ...]:
    """The optional ``columns`` of ``table`` that hold no value in any row. Reading adds an optional column
    a file lacks as blank, so a column left out of the file and a column never filled read the same:
    either way the dataset does not record it. An absent table records nothing."""
    frame = ds.tables.get(table)
    if frame is None:
        return tuple(columns)
    return tuple(c for c in columns if c not in frame.columns or not pd.Series(frame[c]).notna().any())

"""The ``Dataset``: the typed tables of one dataset folder, with the findings of reading them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from nrd.contract import DEFAULT_PROVINCE, PERSONAL_COLUMNS, REFERENCE_TABLE_NAMES, TABLE_NAMES
from nrd.errors import MissingTableError, UnreadableTableError
from nrd.io.defaults import apply_defaults
from nrd.io.findings import ERROR, WARNING, Finding
from nrd.io.schemas import coerce_frame, get_table


@dataclass
class TableStats:
    """How one table was read: where from, how many data rows, how many rejected."""

    file: str
    sheet: str
    rows_read: int
    rows_rejected: int


@dataclass
class Dataset:
    """Typed tables of a dataset (canonical columns + ``_row``, ``_source``) and their findings.

    Attributes:
        data_dir: the dataset folder (``None`` for a dataset built from frames).
        province_code: 2-digit province code (``dataset.yaml``, default ``"37"``).
        number_locale: how numbers typed as text were read (``dataset.yaml``: ``vi`` 1.234,5, the
            default, or ``en`` 1,234.5).
        tables: table name -> typed frame, only the tables present; rows with errors are left out.
        findings: every error and warning of reading and validation.
        files: table -> file (relative to ``data_dir``) it came from.
        input_hashes: file (relative) -> sha256 of its bytes.
        stats: table -> ``TableStats``.
        reference_tables: office reference table -> typed frame (the ``reference/`` subfolder; data
            contract "Office-owned reference data"), only those present, rows with errors left out.
    """

    data_dir: Path | None
    province_code: str = DEFAULT_PROVINCE
    number_locale: str = "vi"
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    input_hashes: dict[str, str] = field(default_factory=dict)
    stats: dict[str, TableStats] = field(default_factory=dict)
    _units: pd.DataFrame | None = field(default=None, repr=False)
    reference_tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    _reference: object = field(default=None, repr=False)
    cache_key: str | None = field(default=None, repr=False)
    _as_read: tuple = field(default=(), repr=False)

    def remember_as_read(self, cache_key: str) -> None:
        """Link the dataset to its cache entry while its tables are the frames read (``as_read``)."""
        import weakref

        self.cache_key = cache_key
        self._as_read = tuple((name, weakref.ref(frame)) for name, frame in self.tables.items())

    def as_read(self) -> bool:
        """True while ``tables`` holds exactly the frames of the cache entry ``cache_key`` (none replaced,
        added or removed): what is derived from them may then be cached under that key too."""
        return (self.cache_key is not None and len(self._as_read) == len(self.tables)
                and all(self.tables.get(name) is ref() for name, ref in self._as_read))

    @property
    def reference(self):
        """The ``nrd.reference.ReferenceData`` this dataset is reported with: the shipped reference data
        with the office's files laid over it (built once)."""
        if self._reference is None:
            from nrd.reference import build_reference, shipped_reference

            tables = {n: f for n, f in self.reference_tables.items() if f is not None and not f.empty}
            self._reference = build_reference(**tables) if tables else shipped_reference()
        return self._reference

    def __getstate__(self) -> dict:
        # The built reference holds criteria sets with read-only mappings (not picklable); it is rebuilt
        # from the frames on first use after unpickling (a dataset sent to a worker process).
        return {**self.__dict__, "_reference": None, "_as_read": ()}

    def criteria_set_for(self, period: str):
        """The criteria set in force at the end of ``period``, with the office's indicators and
        department assignment (``ReferenceData.criteria_set_for``)."""
        return self.reference.criteria_set_for(period)

    @property
    def units(self) -> pd.DataFrame:
        """The units registry of the province (``nrd.reference.load_units``), loaded on first use."""
        if self._units is None:
            from nrd.reference import load_units

            self._units = load_units(self.province_code)
        return self._units

    def has(self, name: str) -> bool:
        return name in self.tables

    def table(self, name: str) -> pd.DataFrame:
        """The typed frame of ``name``; ``MissingTableError`` when the dataset does not hold it,
        ``UnreadableTableError`` (one) when its file is there but could not be read."""
        get_table(name)
        if name not in self.tables:
            unreadable = next((f for f in self.findings if f.rule == "unreadable_file" and f.table in (name, "")
                               and f.severity == ERROR), None)
            if unreadable is not None:
                raise UnreadableTableError(name, self.data_dir or "the dataset", unreadable.file,
                                           unreadable.message)
            raise MissingTableError(name, self.data_dir or "the dataset")
        return self.tables[name]

    def public_table(self, name: str) -> pd.DataFrame:
        """The table without personal columns (phones, representatives): safe to show in a report."""
        return self.table(name).drop(columns=list(PERSONAL_COLUMNS.get(name, ())), errors="ignore")

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    @property
    def periods(self) -> list[str]:
        """Every period present in any table with a ``period`` column, sorted."""
        found: set[str] = set()
        for frame in self.tables.values():
            if "period" in frame.columns:
                found.update(frame["period"].dropna().tolist())
        return sorted(found)

    @property
    def latest_period(self) -> str | None:
        """The latest period of ``criteria_status`` (or of any period table when it is absent)."""
        frame = self.tables.get("criteria_status")
        if frame is not None and frame["period"].notna().any():
            return str(frame["period"].dropna().max())
        periods = self.periods
        return periods[-1] if periods else None

    @classmethod
    def from_frames(cls, tables: dict[str, pd.DataFrame], province_code: str = DEFAULT_PROVINCE,
                    reference_tables: dict[str, pd.DataFrame] | None = None) -> Dataset:
        """A dataset from in-memory frames with canonical columns (tests, the engine).

        Columns are coerced to the typed dtypes (unit codes zero-padded, enums in Vietnamese mapped to
        codes), missing optional columns added blank, ``_row``/``_source`` added when missing. No files,
        no validation: ``findings`` is empty. ``reference_tables``: office reference frames, coerced alike.
        """
        typed = {}
        for name in TABLE_NAMES:
            if name in tables:
                typed[name] = coerce_frame(name, tables[name], source=f"<{name}>")
        unknown = set(tables) - set(TABLE_NAMES)
        for name in sorted(unknown):
            get_table(name)  # raises UnknownNameError
        reference = {}
        for name, frame in (reference_tables or {}).items():
            if name not in REFERENCE_TABLE_NAMES:
                get_table(name)  # raises UnknownNameError for a name that is no table at all
                raise ValueError(f"{name!r} is an input table, not an office reference table")
            reference[name] = coerce_frame(name, frame, source=f"<reference/{name}>")
        return cls(data_dir=None, province_code=str(province_code).zfill(2), tables=apply_defaults(typed),
                   reference_tables=reference)

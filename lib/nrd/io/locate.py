"""Where a dataset's tables are: the file (and sheet) of each table, the province, the input hashes.

Precedence for a table: ``<table>.csv``, ``<table>.xlsx``, then a sheet of ``dataset.xlsx``; the province
comes from ``dataset.yaml`` (default ``nrd.contract.DEFAULT_PROVINCE``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from nrd.contract import DEFAULT_PROVINCE, TABLE_NAMES, Table
from nrd.errors import ReferenceDataError, UsageError
from nrd.io import cells
from nrd.io.findings import ERROR, WARNING, Finding
from nrd.io.schemas import get_table


def _unreadable() -> tuple[type[BaseException], ...]:
    from python_calamine import CalamineError

    return (OSError, ValueError, CalamineError)


#: What reading a user's file may raise when the file is corrupt, locked or not what its name says: it
#: becomes an ``unreadable_file`` finding, never a crash (a bug of ours is none of these: it keeps its
#: traceback).
UNREADABLE = _unreadable()
WORKBOOK = "dataset.xlsx"
DATASET_YAML = "dataset.yaml"


@dataclass(frozen=True)
class TableSource:
    """Where one table is read from: a CSV file, or one sheet of an XLSX workbook."""

    table: str
    path: Path
    file: str  # relative to the dataset folder
    sheet: str = ""

    @property
    def label(self) -> str:
        return f"{self.file}:{self.sheet}" if self.sheet else self.file



def _dataset_yaml(data_dir: Path) -> dict:
    """The mapping of ``dataset.yaml`` (empty when absent); ``ReferenceDataError`` when it is no mapping."""
    path = data_dir / DATASET_YAML
    if not path.exists():
        return {}
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise ReferenceDataError(f"{path}: not valid YAML ({error})") from None
    if not isinstance(data, dict):
        raise ReferenceDataError(f"{path}: expected a mapping with province_code")
    return data


def read_province_code(data_dir: Path) -> str:
    """``province_code`` of ``dataset.yaml``, else ``DEFAULT_PROVINCE``; ``ReferenceDataError`` when bad."""
    code = str(_dataset_yaml(data_dir).get("province_code", DEFAULT_PROVINCE)).strip()
    if code.lower() == "all":  # the synthetic national dataset: every unit of the national registry
        return "all"
    if not code.isdigit() or len(code) > 2:
        raise ReferenceDataError(
            f"{data_dir / DATASET_YAML}: province_code {code!r} is not a 2-digit province code (e.g. 37) "
            "or 'all'"
        )
    return code.zfill(2)


def read_number_locale(data_dir: Path) -> str:
    """``number_locale`` of ``dataset.yaml`` (``vi``: ``1.234,5``, the default; ``en``: ``1,234.5``): how the
    numbers typed as text in the dataset's files are read. ``ReferenceDataError`` for another value."""
    value = _dataset_yaml(data_dir).get("number_locale", cells.DEFAULT_NUMBER_LOCALE)
    code = str(value).strip().lower().replace("-", "_").split("_")[0]  # vi_VN, en-US: the language
    if code not in cells.NUMBER_LOCALES:
        raise ReferenceDataError(
            f"{data_dir / DATASET_YAML}: number_locale {value!r} is not one of "
            f"{', '.join(cells.NUMBER_LOCALES)} (vi: 1.234,5; en: 1,234.5)"
        )
    return code


def sheet_names(path: Path) -> list[str]:
    """The sheet names of an XLSX workbook (``CalamineError``/``OSError`` when it cannot be opened)."""
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    try:
        return list(workbook.sheet_names)
    finally:
        workbook.close()


def matches_table(name: str, table: Table) -> bool:
    """Whether a sheet name names ``table`` (canonical name or Vietnamese label, case/diacritics aside)."""
    key = cells.normalize_header(name)
    return key in {cells.normalize_header(table.name), cells.normalize_header(table.label_vi)}


def locate_tables(
    data_dir: Path, tables: list[str] | None = None
) -> tuple[dict[str, TableSource], list[Finding]]:
    """Find the file (and sheet) of each table in ``data_dir``.

    Order of precedence: ``<table>.csv``, ``<table>.xlsx``, a sheet of ``dataset.xlsx``; a table found in
    more than one place is read from the first, with a warning.
    """
    wanted = list(tables) if tables is not None else list(TABLE_NAMES)
    found: dict[str, TableSource] = {}
    findings: list[Finding] = []
    files = {
        p.name.lower(): p for p in data_dir.iterdir() if p.is_file() and not p.name.startswith((".", "~$"))
    }
    workbook_sheets: list[str] = []
    if WORKBOOK in files:
        try:
            workbook_sheets = sheet_names(files[WORKBOOK])
        except UNREADABLE as error:  # a corrupt workbook is the user's file, not our bug
            findings.append(
                Finding(ERROR, "unreadable_file", "", files[WORKBOOK].name, message=f"cannot open: {error}")
            )
    for name in wanted:
        table = get_table(name)
        candidates: list[TableSource] = []
        for ext in ("csv", "xlsx"):
            path = files.get(f"{name}.{ext}")
            if path is not None:
                candidates.append(TableSource(name, path, path.name))
        for sheet in workbook_sheets:
            if matches_table(sheet, table):
                candidates.append(TableSource(name, files[WORKBOOK], files[WORKBOOK].name, sheet))
                break
        if not candidates:
            continue
        found[name] = candidates[0]
        for other in candidates[1:]:
            findings.append(
                Finding(
                    WARNING,
                    "duplicate_source",
                    name,
                    other.file,
                    other.sheet,
                    message=f"table {name!r} is also in {candidates[0].label}; read from there",
                )
            )
    return found, findings


#: Files a dataset folder may hold besides its tables (the office's notes, our own settings).
_KNOWN_FILES = (WORKBOOK, DATASET_YAML)
_KNOWN_PREFIXES = ("readme",)


def unknown_files(data_dir: Path) -> list[Finding]:
    """A warning for every file of ``data_dir`` that is no table of the contract: a misspelt table name
    (``recognition.csv``) would otherwise be silently not read."""
    expected = {f"{name}.{ext}" for name in TABLE_NAMES for ext in ("csv", "xlsx")} | set(_KNOWN_FILES)
    findings = []
    for path in sorted(data_dir.iterdir()):
        name = path.name.lower()
        if not path.is_file() or name.startswith((".", "~$")) or name in expected:
            continue
        if name.startswith(_KNOWN_PREFIXES):
            continue
        findings.append(Finding(
            WARNING, "unknown_file", "", path.name,
            expected="<table>.csv or <table>.xlsx for a table of the data contract, dataset.xlsx, dataset.yaml",
            message="not a table of the data contract: the file is not read (is its name misspelt?)",
        ))
    return findings


def hash_inputs(data_dir: Path, sources: dict[str, TableSource]) -> dict[str, str]:
    """sha256 of every file the dataset is read from (and ``dataset.yaml``), keyed by relative name."""
    paths = {s.path for s in sources.values()}
    if (data_dir / DATASET_YAML).exists():
        paths.add(data_dir / DATASET_YAML)
    hashes = {}
    for path in sorted(paths):
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        hashes[path.name] = digest.hexdigest()
    return hashes


def check_data_dir(data_dir) -> Path:
    """``data_dir`` as a Path; ``UsageError`` when it is not an existing folder."""
    path = Path(data_dir)
    if not path.is_dir():
        raise UsageError(
            f"dataset folder not found: {path} (expected a folder holding <table>.csv/.xlsx files)"
        )
    return path

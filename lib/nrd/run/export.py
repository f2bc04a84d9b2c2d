"""Each report's tables as a formatted Excel workbook (``xlsx/<report>.xlsx`` in the publication).

Where the tables come from: a notebook cannot easily hand its frames back to the run, so the workbook holds
the rows of the run's indicator table that the report is about (computed once per run by
``nrd.indicators``, the same numbers the report shows), chosen by the report's kind (``nrd.reports``):

- a report fanning out over units (a commune, an OCOP unit): that unit's indicators;
- a report fanning out over departments: the province-level ``criteria.met_share.<n>`` of the criteria the
  department owns under the set in force, and ``department_view``'s two frames: its criteria (met /
  reporting / share) and the communes not meeting one of them;
- any other report: the province-level indicators whose id starts with one of the kind's ``exports``
  prefixes (``ocop.``, ``capital.``), or all of them when it names none (province overview, data quality);
- and, for every report, the views its kind names in ``sheets`` (``nrd.run.workbook_views``): a commune's
  projects, dossiers and open actions, a department's projects and actions, the OCOP evaluation cycle.

Headers and sheet names are the ``xlsx.*`` labels of ``labels.yaml`` (Vietnamese).

Cells are written safely: a text starting with ``= + - @`` (or tab / carriage return) is stored as an
explicit string cell, so Excel never evaluates it as a formula. Headers are Vietnamese. The file's bytes
depend only on its tables (fixed document dates and zip timestamps).
"""

from __future__ import annotations

import datetime as _dt
import io
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from nrd.errors import NrdError, UnknownNameError
from nrd.io.csv_safe import FORMULA_START
from nrd.log import logger
from nrd.present.i18n import has_label, indicator_label, t
from nrd.reports import UNIT_FAN_OUT
from nrd.run.model import kind_of

#: The workbook's language: the office's.
WORKBOOK_LANG = "vi"
SHEET_INDICATORS = t("xlsx.sheet.indicators", WORKBOOK_LANG)
SHEET_CRITERIA = t("xlsx.sheet.criteria", WORKBOOK_LANG)
SHEET_COMMUNES = t("xlsx.sheet.lagging", WORKBOOK_LANG)
SHEET_NOTE = t("xlsx.sheet.note", WORKBOOK_LANG)
_FIXED_TIME = _dt.datetime(2000, 1, 1)
_HEADER_FILL = "1F5130"


def report_tables(job: Any, indicators: pd.DataFrame, ds: Any, period: str) -> dict[str, pd.DataFrame]:
    """The tables of one report's workbook (see the module docstring), with Vietnamese headers (pure)."""
    kind = kind_of(job)
    for_each = kind.for_each if kind is not None else None
    rows = indicators.loc[indicators["period"].astype(str) == period]
    if job.key is not None and for_each in UNIT_FAN_OUT:
        rows = rows.loc[rows["unit_code"].astype(str) == job.key]
    else:
        rows = rows.loc[rows["unit_code"].astype(str) == str(ds.province_code)]
        if for_each == "department" and job.key is not None:
            owned = _department_criteria(job.key, period, ds)
            rows = rows.loc[rows["indicator"].astype(str).isin({f"criteria.met_share.{c}" for c in owned})]
        elif kind is not None and kind.exports:
            rows = rows.loc[rows["indicator"].astype(str).str.startswith(kind.exports)]
    units = ds.units  # only the units of these rows: a national registry holds 3,321
    units = units[units["unit_code"].astype(str).isin(set(rows["unit_code"].astype(str)))]
    names = dict(zip(units["unit_code"].astype(str), units["name"].astype(str)))
    table = rows.assign(
        unit_name=[names.get(code, "") for code in rows["unit_code"].astype(str)],
        indicator_label=rows["indicator"].astype(str).map(_indicator_label),
    )[["period", "unit_code", "unit_name", "indicator", "indicator_label", "value", "numerator", "denominator"]]
    tables = {SHEET_INDICATORS: _vietnamese_headers(table.reset_index(drop=True))}
    if for_each == "department" and job.key is not None:
        for name, frame in _department_frames(ds, period, job.key).items():
            tables[name] = _vietnamese_headers(frame)
    for name, frame in _view_frames(kind, ds, period, job.key).items():
        tables[name] = _vietnamese_headers(frame.reset_index(drop=True))
    return tables


def write_report_workbook(job: Any, path: str | Path, *, indicators_path: str | Path, note: str = "") -> Path:
    """Write one report's workbook where its report ran (a fork server's child, a Dask worker's): the
    tables of ``report_tables`` over the run's indicator table (``indicators_path``, P-12..P: its period-P
    rows, ``period_rows`` as for the run's own table) and the report's dataset, read through
    ``nrd.io.preload`` (free in a child of a server holding them). Same tables, same bytes as the run's own
    ``tables_for_job`` (and the same ``note``)."""
    from nrd.io import read_dataset
    from nrd.io.indicator_table import period_rows, read_indicator_table

    period = str(job.parameters["period"])
    indicators = period_rows(read_indicator_table(indicators_path), period)
    tables = report_tables(job, indicators, read_dataset(job.parameters["data_dir"]), period)
    return write_workbook(tables, path, title=job.stem, note=note)


def _view_frames(kind: Any, ds: Any, period: str, key: str | None) -> dict[str, pd.DataFrame]:
    """The kind's ``sheets`` (``nrd.run.workbook_views``); a view that cannot be computed is left out with a
    warning (the indicator rows still help)."""
    from nrd.run.workbook_views import view_sheets

    if kind is None or not kind.sheets:
        return {}
    try:
        return view_sheets(kind.sheets, ds, period, key)
    except UnknownNameError:
        raise
    except NrdError as error:
        logger.warning("%s: sheets %s not exported: %s", kind.name, ", ".join(kind.sheets), error)
        return {}


def _department_criteria(department: str, period: str, ds: Any) -> set[str]:
    criteria = ds.criteria_set_for(period).criteria
    return set(criteria.loc[criteria["department"].astype(str) == department, "criterion"].astype(str))


def _department_frames(ds: Any, period: str, department: str) -> dict[str, pd.DataFrame]:
    from nrd.indicators import department_view

    try:
        view = department_view(ds, period, department)
    except NrdError as error:  # e.g. a table the view needs is missing: the indicator rows still help
        logger.warning("department %s: commune list not exported: %s", department, error)
        return {}
    frames = {SHEET_CRITERIA: view.criteria, SHEET_COMMUNES: view.lagging}
    return {name: frame.reset_index(drop=True) for name, frame in frames.items() if isinstance(frame, pd.DataFrame)}


def _indicator_label(indicator_id: str) -> str:
    """The indicator's Vietnamese label (a family member's filled in); blank, with a warning, when the
    indicator is not in the catalog (a table computed by another version)."""
    try:
        return indicator_label(indicator_id, WORKBOOK_LANG)
    except UnknownNameError:
        logger.warning("indicator %s is not in the catalog: exported without a label", indicator_id)
        return ""


def _vietnamese_headers(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns={c: _header(str(c)) for c in frame.columns})


def _header(column: str) -> str:
    from nrd.run.workbook_views import CODE_SUFFIX

    key = f"xlsx.{column}"
    if has_label(key):
        return t(key, WORKBOOK_LANG)
    if column.endswith(CODE_SUFFIX) and column != CODE_SUFFIX:  # the codes kept beside a labelled column
        base = f"xlsx.{column[:-len(CODE_SUFFIX)]}"
        if has_label(base):
            return f"{t(base, WORKBOOK_LANG)} {t('xlsx.code_suffix', WORKBOOK_LANG)}"
    return column


def safe_cell_text(value: str) -> bool:
    """True when ``value`` can be written as is (it does not start like a formula)."""
    return not value.startswith(FORMULA_START)


def write_workbook(tables: Mapping[str, pd.DataFrame], path: str | Path, *, title: str = "",
                   note: str = "") -> Path:
    """Write ``tables`` (sheet name -> frame) to a formatted workbook at ``path``.

    Headers bold on a dark fill, frozen and filterable; numbers right-aligned with thousands separators;
    text that looks like a formula stored as a string cell. ``note`` (what an ``--accept-errors`` run
    left out): the workbook's description and a last sheet "Ghi chú", the one Excel opens on; the table
    sheets keep their places and header rows, so a script reading them reads them unchanged.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    path = Path(path)
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet_name, frame in tables.items():
        sheet = workbook.create_sheet(title=str(sheet_name)[:31])
        columns = [str(c) for c in frame.columns]
        sheet.append(columns)
        for cell in sheet[1]:
            cell.font = Font(bold=True, color="FFFFFF")
            cell.fill = PatternFill("solid", fgColor=_HEADER_FILL)
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        widths = [len(c) for c in columns]
        for row_number, row in enumerate(frame.itertuples(index=False, name=None), start=2):
            for column_number, value in enumerate(row, start=1):
                cell = sheet.cell(row=row_number, column=column_number)
                value = _cell_value(value)
                cell.value = value
                if isinstance(value, str):
                    if not safe_cell_text(value):
                        cell.data_type = "s"  # an explicit string cell: never evaluated as a formula
                    widths[column_number - 1] = max(widths[column_number - 1], len(value))
                elif isinstance(value, float):
                    cell.number_format = "#,##0.0##"
                    widths[column_number - 1] = max(widths[column_number - 1], 12)
                elif isinstance(value, int):
                    cell.number_format = "#,##0"
        for number, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(number)].width = min(max(width + 2, 8), 60)
        sheet.freeze_panes = "A2"
        if columns:
            sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(frame.shape[0] + 1, 1)}"
    if not workbook.sheetnames:
        workbook.create_sheet(SHEET_INDICATORS)
    if note:
        _add_note(workbook, note)
    workbook.properties.title = title or None
    workbook.properties.creator = "nrd"
    workbook.properties.created = _FIXED_TIME
    workbook.properties.modified = _FIXED_TIME
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_fixed_zip_times(buffer.getvalue()))
    return path


def _add_note(workbook: Any, note: str) -> None:
    from openpyxl.styles import Alignment, Font

    sheet = workbook.create_sheet(title=SHEET_NOTE[:31])
    sheet["A1"] = SHEET_NOTE
    sheet["A1"].font = Font(bold=True)
    sheet["A2"] = note
    sheet["A2"].data_type = "s"  # the note's text is ours, but never a formula whatever it starts with
    sheet["A2"].font = Font(bold=True, color="9B2C2C")
    sheet["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 100
    workbook.active = len(workbook.sheetnames) - 1
    workbook.properties.description = note


def _cell_value(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()  # numpy scalar -> Python
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, bool) or isinstance(value, (int, float, _dt.date)):
        return value
    return str(value)


def _fixed_zip_times(data: bytes) -> bytes:
    # openpyxl stamps each zip member with the current time and core.xml with "modified = now";
    # rewrite both so the same tables give the same bytes.
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _fix_core_dates(body)
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            target.writestr(fixed, body)
    return out.getvalue()


def _fix_core_dates(body: bytes) -> bytes:
    import re

    stamp = _FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    return re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)", rb"\g<1>" + stamp + rb"\g<2>", body)

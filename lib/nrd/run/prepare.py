"""The first stage of a run: check the plan and the data, and compute what the run will do.

Nothing executes here. ``prepare_run`` loads and checks the plan against the notebooks, reads and validates
the dataset (errors stop the run before any report), resolves the period, expands the jobs and computes the
indicator table of P-12..P once (the reports receive it; the publication holds period P).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nrd.errors import DataValidationError, PlanError, UnknownNameError
from nrd.languages import LANGS
from nrd.log import logger
from nrd.run.model import Exclusions, PreparedRun
from nrd.run.plan import Plan, expand_plan, load_plan, resolve_plan_period, validate_plan

#: Months of history reports draw (trend charts, changes): the shared indicator table covers P-12..P.
HISTORY_MONTHS = 12


def prepare_run(
    plan: Plan | str | Path,
    *,
    data: str | Path | None = None,
    period: str | None = None,
    only: Sequence[str] = (),
    unit: Sequence[str] = (),
    lang: str | None = None,
    accept_errors: bool = False,
) -> PreparedRun:
    """Check the plan and the data, and compute what the run will do (nothing is executed).

    ``accept_errors``: a dataset with error findings is used anyway, its erroneous rows left out (the reader
    drops them); ``exclusions`` says how many and which tables went whole, for the pages' banner, the
    workbooks' note and the exit code. The plan's data-quality report then always runs (added to an
    ``only`` selection), so the banner's link to it is true.

    Raises:
        PlanError: bad plan, unknown notebook or parameter, no dataset, empty selection, bad ``--lang``.
        DataValidationError: the dataset has error findings (``findings`` holds them all), unless
            ``accept_errors``.
    """
    from nrd.io import read_dataset
    from nrd.run.export import report_tables
    from nrd.run.index import front_figures, index_language

    plan = plan if isinstance(plan, Plan) else load_plan(plan)
    data_dir = Path(data) if data else plan.dataset
    if data_dir is None:
        raise PlanError(f"{plan.path}: dataset: no dataset folder; set `dataset:` or pass --data")
    if not data_dir.is_dir():
        raise PlanError(f"{plan.path}: dataset: folder {data_dir} not found")
    if lang and lang not in LANGS:
        raise PlanError(f"--lang {lang!r}: expected one of {', '.join(LANGS)}")
    validate_plan(plan)
    ds = read_dataset(data_dir)
    if ds.errors and not accept_errors:
        raise DataValidationError(ds.findings)
    excluded = exclusions(ds)
    if excluded:
        logger.warning("--accept-errors: %d input row(s) with errors left out of every report%s; see the "
                       "data-quality report", excluded.rows, "".join(
                           f", table {t} whole ({'unreadable' if n is None else n})" for t, n in excluded.tables))
        only = _with_data_quality(plan, only)
    resolved = resolve_plan_period(period or plan.period, ds.latest_period)
    jobs = expand_plan(
        plan,
        period=resolved,
        data_dir=data_dir.resolve(),
        keys=for_each_keys(ds, resolved),
        languages=(lang,) if lang else None,
        only=tuple(only),
        units=tuple(_normalise_unit(u, ds) for u in unit),
    )
    history, indicators = indicator_tables(ds, resolved)
    return PreparedRun(
        jobs=jobs,
        period=resolved,
        data_dir=data_dir.resolve(),
        input_hashes=dict(sorted(ds.input_hashes.items())),
        indicator_table=indicators,
        indicator_history=history,
        tables_for_job=lambda job: report_tables(job, indicators, ds, resolved),
        standard_workbooks=True,
        warnings=len(ds.warnings),
        key_labels=key_labels(ds),
        front_figures=front_figures(history, resolved, ds.province_code, index_language(jobs)),
        index_lang=index_language(jobs),
        exclusions=excluded,
    )


def exclusions(ds: Any) -> Exclusions:
    """What the reader left out of a dataset for its errors (empty when it has none).

    Rows come from the reader's own count (``TableStats.rows_rejected``): a table dropped for a missing
    required column loses all its rows, not the one its finding names, and a finding about the header row
    drops no data row. A table whose file could not be read is left out whole, its rows unknown.
    """
    errors = ds.errors
    if not errors:
        return Exclusions()
    rows = sum(s.rows_rejected for s in ds.stats.values())
    tables = {name: s.rows_read for name, s in ds.stats.items() if s.rows_read and s.rows_rejected == s.rows_read}
    for finding in errors:
        if finding.rule == "unreadable_file" and finding.table not in ds.stats:
            tables.setdefault(finding.table or finding.file, None)
    return Exclusions(errors=len(errors), rows=rows, tables=tuple(sorted(tables.items())))


def _with_data_quality(plan: Plan, only: Sequence[str]) -> tuple[str, ...]:
    """``only`` with the plan's data-quality report(s) added (an empty ``only`` already runs them)."""
    if not only:
        return tuple(only)
    quality = [r.name for r in plan.reports if r.notebook.stem == "data_quality"]
    return tuple(dict.fromkeys([*only, *quality]))


def indicator_tables(ds: Any, period: str) -> tuple[Any, Any]:
    """The indicator table of periods P-12..P (computed once) and its period-P rows (the publication's)."""
    from nrd.indicators import build_indicator_table
    from nrd.io.indicator_table import period_rows
    from nrd.periods import period_range, shift_period

    started = time.perf_counter()
    history = build_indicator_table(ds, period_range(shift_period(period, -HISTORY_MONTHS), period))
    current = period_rows(history, period)
    logger.info("indicator table %s..%s: %d rows in %.1f s", shift_period(period, -HISTORY_MONTHS), period,
                len(history), time.perf_counter() - started)
    return history, current


def key_labels(ds: Any) -> dict[str, str]:
    """Display names of the fan-out keys: unit code -> unit name, department id -> its Vietnamese name."""
    from nrd.reference import load_departments

    labels = dict(zip(ds.units["unit_code"].astype(str), ds.units["name"].astype(str)))
    departments = load_departments()
    labels.update(zip(departments["department"].astype(str), departments["name_vi"].astype(str)))
    return labels


def _normalise_unit(text: str, ds: Any) -> str:
    """A unit code or name as a 5-digit code; department ids pass through unchanged."""
    from nrd.reference import UnitRegistry

    text = str(text).strip()
    if text.isdigit():
        return text.zfill(5)
    try:
        return UnitRegistry(ds.units).resolve(text)
    except UnknownNameError:  # not a unit name: a department id (checked against the keys by the plan)
        return text


def for_each_keys(ds: Any, period: str) -> dict[str, list[str]]:
    """The keys of each fan-out kind (``nrd.reports.FAN_OUT``) for a dataset and period (pure).

    ``commune``: the communes of the registry (wards are outside the NRA criteria); ``unit``: every unit;
    ``department``: the departments owning a criterion of the set in force at ``period``, and those leading
    the criterion of a project or open inspection action in its own (earlier) set, in the registry's
    order; ``ocop_unit``: the units with at least one OCOP product.
    """
    from nrd.reference import load_departments

    units = ds.units
    communes = sorted(units.loc[units["unit_type"] == "commune", "unit_code"].astype(str))
    owning = set(ds.criteria_set_for(period).criteria["department"].dropna().astype(str))
    if ds.has("projects") or ds.has("inspections"):
        from nrd.indicators import pipeline_departments

        owning |= pipeline_departments(ds, period)
    departments = [d for d in load_departments()["department"].astype(str) if d in owning]
    ocop_units: list[str] = []
    if ds.has("ocop_products"):
        ocop_units = sorted(set(ds.table("ocop_products")["unit_code"].dropna().astype(str)))
    return {"commune": communes, "unit": sorted(units["unit_code"].astype(str)), "department": departments,
            "ocop_unit": ocop_units}

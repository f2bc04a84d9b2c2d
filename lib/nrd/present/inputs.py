"""What a report notebook reads, resolved: its data folder and files, its unit, its indicator table.

A notebook's parameters name these as plain text (a relative path, a unit code or name, the path of the
indicator table a run precomputed); these functions turn them into paths, records and frames, with an
error that says what was tried.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from nrd import paths
from nrd.errors import UsageError
from nrd.reference.units import normalize_unit_code

def resolve_data_dir(data_dir: str | Path, notebooks_dir: str | Path | None = None) -> Path:
    """The dataset folder a notebook parameter names: from the working directory, else the notebooks folder
    (``notebooks_dir``, else the project's: ``nrd.paths``), else for ``…/data/demo`` the packaged demo.

    Raises:
        UsageError: the folder is found nowhere.
    """
    return paths.resolve_data_dir(data_dir, notebooks_dir)


def resolve_path(path: str | Path, notebooks_dir: str | Path | None = None) -> Path:
    """A file a notebook parameter names (e.g. the targets file), resolved like ``resolve_data_dir``.

    Raises:
        UsageError: the file is found nowhere.
    """
    return paths.resolve_path(path, notebooks_dir)


def comparison_periods(period: str) -> list[str]:
    """The periods a headline table needs: P-12 (same month last year), P-1 and P."""
    from nrd import periods as _periods

    period = _periods.parse_period(period)
    return sorted({_periods.same_period_last_year(period), _periods.previous_period(period), period})


def trend_periods(period: str, months: int = 12) -> list[str]:
    """P-``months`` .. P (the run precomputes exactly these; a 12-month trend and the deltas need them)."""
    from nrd import periods as _periods

    period = _periods.parse_period(period)
    return _periods.period_range(_periods.shift_period(period, -months), period)


def indicator_table(ds, period_list: Sequence[str], indicators_path: str | Path = "") -> pd.DataFrame:
    """The indicator table rows of ``period_list``: read from ``indicators_path`` when given, and only the
    periods that file lacks computed here (``nrd.indicators.build_indicator_table``).

    A run computes the table once (P-12..P) and passes its path to every report, so a report does not
    recompute 13 months; a notebook opened by hand leaves the path blank and computes what it shows.

    Raises:
        IndicatorTableError: the file is missing, unreadable or not shaped like the indicator table.
        UsageError: the file holds units of another province than the dataset.
    """
    from nrd import periods as _periods
    from nrd.indicators import TABLE_COLUMNS, build_indicator_table
    from nrd.io.indicator_table import read_indicator_table
    from nrd.log import logger

    wanted = sorted({_periods.parse_period(p) for p in period_list})
    parts = []
    read = key = None
    if str(indicators_path or "").strip():
        read = stored = read_indicator_table(resolve_path(indicators_path))
        key = (id(read), tuple(wanted), str(ds.province_code))
        held = _STORED_SELECTIONS.get(key)
        if held is not None and held[0]() is read:
            return held[1].copy(deep=False)  # a caller's changes stay its own (copy-on-write)
        stored = stored[stored["period"].isin(wanted)]
        province = [code for code in stored["unit_code"].unique() if len(code) <= 2]
        if len(province) and set(province) != {str(ds.province_code)}:
            raise UsageError(f"indicator table {indicators_path}: province {sorted(province)} but the dataset is "
                             f"province {ds.province_code}; pass the table of this dataset's run")
        parts.append(stored)
    have = set(parts[0]["period"].unique()) if parts else set()
    missing = [p for p in wanted if p not in have]
    if missing:
        logger.info("indicator table: computing %d period(s) here: %s", len(missing), ", ".join(missing))
        parts.append(build_indicator_table(ds, missing))
    table = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    order = table["period"].map({p: i for i, p in enumerate(wanted)})
    table = table.assign(_order=order).sort_values("_order", kind="stable")[TABLE_COLUMNS].reset_index(drop=True)
    if read is None or missing:
        return table
    _remember_selection(key, read, table)  # the rows of the file alone: the same for every later caller
    return table.copy(deep=False)


#: (id of a read indicator table, periods, province) -> (weak reference to that table, the rows of those
#: periods in ``indicator_table``'s order): every report of a run selects the same periods of the same
#: table, which a fork server selects once for all its children (``warm_indicator_selection``).
_STORED_SELECTIONS: dict[tuple, tuple] = {}


def _remember_selection(key: tuple, stored: pd.DataFrame, selected: pd.DataFrame) -> None:
    import weakref

    try:
        _STORED_SELECTIONS[key] = (weakref.ref(stored, lambda _, k=key: _STORED_SELECTIONS.pop(k, None)), selected)
    except TypeError:  # not weak-referenceable: not remembered
        pass


def warm_indicator_selection(ds, period: str, indicators_path: str | Path) -> None:
    """Select the periods the reports of ``period`` read from the run's indicator table now (a fork server,
    once for its children): the comparison periods and the 12-month trend."""
    for period_list in (comparison_periods(period), trend_periods(period)):
        indicator_table(ds, period_list, indicators_path)


def unit_record(ds, unit_code: object) -> dict[str, str]:
    """``{"unit_code", "name", "unit_type"}`` of a unit of the dataset's registry (a name is accepted too).

    Raises:
        UnknownNameError: not a unit of the dataset's province.
    """
    from nrd.errors import UnknownNameError

    code = normalize_unit_code(unit_code)
    units = ds.units.astype({"unit_code": "str"})
    match = units[units["unit_code"] == code]
    if match.empty:
        from nrd.reference import UnitRegistry

        try:
            code = UnitRegistry(ds.units).resolve(str(unit_code))
        except UnknownNameError:
            raise UnknownNameError("unit", unit_code, list(units["unit_code"])[:20]) from None
        match = units[units["unit_code"] == code]
    row = match.iloc[0]
    return {"unit_code": code, "name": str(row["name"]), "unit_type": str(row["unit_type"])}


def unit_name(ds, unit_code: str) -> str:
    """The unit's name from the dataset's registry (``UnknownNameError`` for a code not in it)."""
    return unit_record(ds, unit_code)["name"]

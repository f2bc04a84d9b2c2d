"""Targets and comparisons: each indicator against the previous month, the same month last year, a target.

``parse_targets(mapping)`` turns the plain YAML of ``params/targets.yaml`` into ``Target`` records (pure);
``load_targets(path)`` only reads the file. ``compare(table, period, targets)`` works on an indicator table
that holds P (and, for the deltas, P-1 and P-12).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from nrd import periods
from nrd.errors import PeriodError, TargetError
from nrd.indicators.catalog import get_indicator, is_per_set


@dataclass(frozen=True)
class Target:
    """A target: ``indicator`` reaches ``value`` by ``by`` (a period, or ``year_end``: December of each year).

    ``direction`` is ``at_least`` or ``at_most``. With ``pace: linear`` the expected value moves in equal
    monthly steps from ``baseline`` at ``start`` (``year_end`` targets: from January of the year) to ``value``
    at ``by``; a value at or beyond that line is on track.
    """

    indicator: str
    value: float
    by: str
    direction: str = "at_least"
    pace: str | None = None
    start: str | None = None
    baseline: float = 0.0
    source: str = ""

    def deadline(self, period: str) -> str:
        return f"{period[:4]}-12" if self.by == "year_end" else self.by

    def applies_at(self, period: str) -> bool:
        """Whether the target is compared at ``period``: a target with a deadline belongs to the phase
        (criteria set) in force at that deadline and is not compared in another phase (a 2025 target
        means nothing for a commune count under the next set); ``year_end`` targets apply every year."""
        if self.by == "year_end":
            return True
        return _same_set(self.by, period)

    def expected_at(self, period: str) -> float:
        """The value the pace line expects at ``period`` (the target itself without a pace)."""
        if self.pace != "linear":
            return self.value
        deadline = self.deadline(period)
        start = f"{period[:4]}-01" if self.by == "year_end" else (self.start or period)
        months = len(periods.period_range(start, deadline)) if start <= deadline else 1
        elapsed = len(periods.period_range(start, period)) if start <= period else 0
        share = min(elapsed / months, 1.0)
        return self.baseline + (self.value - self.baseline) * share

    def status(self, value: float, period: str) -> str:
        """``met``, ``on_track``, ``behind`` or ``no_data``."""
        if value is None or math.isnan(value):
            return "no_data"
        reached = value >= self.value if self.direction == "at_least" else value <= self.value
        if reached:
            return "met"
        if period >= self.deadline(period):
            return "behind"
        expected = self.expected_at(period)
        on_line = value >= expected if self.direction == "at_least" else value <= expected
        if self.pace == "linear":
            return "on_track" if on_line else "behind"
        return "on_track"


def parse_targets(mapping: dict) -> list[Target]:
    """Targets from the parsed YAML mapping ``{"targets": [{indicator, value, by, ...}, ...]}``.

    Raises:
        TargetError: an entry lacks a field, names an unknown indicator, or has a bad period/direction.
    """
    entries = (mapping or {}).get("targets")
    if not isinstance(entries, list):
        raise TargetError("targets file: expected a list under the key 'targets'")
    out = []
    for i, entry in enumerate(entries, start=1):
        where = f"targets entry {i}"
        if not isinstance(entry, dict):
            raise TargetError(f"{where}: expected a mapping")
        missing = [k for k in ("indicator", "value", "by") if k not in entry]
        if missing:
            raise TargetError(f"{where}: missing {', '.join(missing)}")
        get_indicator(str(entry["indicator"]))  # UnknownNameError names the known ids
        by = str(entry["by"])
        try:
            by = by if by == "year_end" else periods.parse_period(by)
            start = periods.parse_period(entry["start"]) if entry.get("start") else None
        except PeriodError as error:
            raise TargetError(f"{where}: {error}") from None
        direction = str(entry.get("direction", "at_least"))
        if direction not in ("at_least", "at_most"):
            raise TargetError(f"{where}: direction must be at_least or at_most, not {direction!r}")
        pace = entry.get("pace")
        if pace not in (None, "linear"):
            raise TargetError(f"{where}: pace must be linear or absent, not {pace!r}")
        out.append(Target(str(entry["indicator"]), float(entry["value"]), by, direction, pace, start,
                          float(entry.get("baseline", 0.0)), str(entry.get("source", ""))))
    return out


def targets_at(targets: list[Target] | None, period: str) -> list[Target]:
    """The target of each indicator compared at ``period``: among those that apply at P (``applies_at``),
    the one with the earliest deadline at or after P (a year-by-year milestone), else the latest deadline
    already past (a deadline missed stays behind)."""
    chosen: dict[str, Target] = {}
    for target in targets or []:
        if not target.applies_at(period):
            continue
        current = chosen.get(target.indicator)
        if current is None or _rank(target, period) < _rank(current, period):
            chosen[target.indicator] = target
    return list(chosen.values())


def _rank(target: Target, period: str) -> tuple[int, int]:
    deadline = target.deadline(period)
    months = int(deadline[:4]) * 12 + int(deadline[5:7])
    return (0, months) if deadline >= period else (1, -months)


def load_targets(path: str | Path) -> list[Target]:
    """Read a targets YAML file (``params/targets.yaml``) and parse it."""
    import yaml

    path = Path(path)
    try:
        mapping = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TargetError(f"targets file not found: {path}") from None
    except yaml.YAMLError as error:
        raise TargetError(f"{path}: not valid YAML ({error})") from None
    return parse_targets(mapping)


def _same_set(a: str, b: str) -> bool:
    from nrd.indicators.timeline import criteria_set_id_for

    try:
        return criteria_set_id_for(a) == criteria_set_id_for(b)
    except PeriodError:  # a period no set covers: nothing to compare with
        return False


def compare(table: pd.DataFrame, period: str, targets: list[Target] | None = None) -> pd.DataFrame:
    """Each indicator row of ``period`` with its previous month, same month last year, and target status.

    Deltas of indicators counted against the criteria set (``is_per_set``) are left blank (NaN) when the
    comparison period falls under another criteria set. Targets: those of ``targets_at(targets, period)``.

    Returns:
        unit_code, indicator, value, previous (P-1), delta_month, last_year (P-12), delta_year,
        target, target_by, expected (pace line at P), status (met / on_track / behind / no_data / "").
    """
    period = periods.parse_period(period)
    keys = ["unit_code", "indicator"]
    now = table[table["period"] == period][[*keys, "value"]]
    prev = table[table["period"] == periods.previous_period(period)][[*keys, "value"]]
    year = table[table["period"] == periods.same_period_last_year(period)][[*keys, "value"]]
    out = now.merge(prev.rename(columns={"value": "previous"}), on=keys, how="left")
    out = out.merge(year.rename(columns={"value": "last_year"}), on=keys, how="left")
    out = out.assign(delta_month=out["value"] - out["previous"], delta_year=out["value"] - out["last_year"])
    dependent = out["indicator"].map(is_per_set).astype(bool)
    for other, column in ((periods.previous_period(period), "delta_month"),
                          (periods.same_period_last_year(period), "delta_year")):
        if not _same_set(period, other):
            out.loc[dependent, column] = float("nan")
    out = out.assign(target=float("nan"), target_by="", expected=float("nan"), status="")
    province = out["unit_code"].str.len() <= 2
    for target in targets_at(targets, period):
        hit = province & (out["indicator"] == target.indicator)
        for index in out.index[hit]:
            value = float(out.at[index, "value"])
            out.at[index, "target"] = target.value
            out.at[index, "target_by"] = target.deadline(period)
            out.at[index, "expected"] = target.expected_at(period)
            out.at[index, "status"] = target.status(value, period)
    columns = ["unit_code", "indicator", "value", "previous", "delta_month", "last_year", "delta_year",
               "target", "target_by", "expected", "status"]
    return out[columns].reset_index(drop=True)

"""NRA criteria sets, read from ``data/criteria_*.yaml`` and checked once on load.

A set applies to a run of whole months (``applies_from_period`` .. ``applies_to_period``): the months whose
last day falls in the time the set is in force, except that the first set also covers the programme
months before its decision took effect. ``criteria_set_for`` picks the set by period, never by a report.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Mapping

import pandas as pd

from nrd.errors import NoCriteriaSetError, PeriodError, ReferenceDataError, UnknownNameError
from nrd.periods import parse_period, period_end, shift_period
from nrd.reference._files import data_files, read_yaml, require
from nrd.reference.catalogs import LANGS, _departments

_NAMES = tuple(f"name_{lang}" for lang in LANGS)
CRITERIA_COLUMNS = [
    "criterion", *_NAMES, "department", "co_leads", "group", "department_tag", "department_note", "tag",
    "department_source",
]
THRESHOLD_COLUMNS = ["threshold", "threshold_group1", "threshold_group2", "threshold_group3"]
INDICATOR_COLUMNS = [
    "criterion", "indicator", *_NAMES, "unit", *THRESHOLD_COLUMNS, "tag", "note", "department", "co_leads",
    "source",
]
COMMUNE_GROUP_COLUMNS = ["group", *_NAMES, "definition_vi", "definition_en", "definition_fr", "tag"]
TAGS = ("V", "V-sec", "R", "I")


@dataclass(frozen=True, eq=False)
class CriteriaSet:
    """One national criteria set for NRA communes.

    Attributes:
        id: stable key, e.g. ``qd318_2022`` (the ``criteria_set`` enum of the data contract).
        names: label per language (``vi``, ``en``, ``fr``).
        valid_from: the day the decision took legal effect.
        valid_to: the last day before the next set took effect, ``None`` for the latest set.
        applies_from_period, applies_to_period: the months reported under this set (``YYYY-MM``).
        legal_basis: the decision, in Vietnamese.
        phase: the programme phase of the set per language (``giai đoạn 2021-2025``).
        tiers: the recognition levels of the phase, lowest first (``("nra", "advanced", "model")``).
        pilot_tiers: those of ``tiers`` that are a pilot framework (``("modern",)``).
        indicator_count_expected: how many indicators the legal text has (``None`` when unknown).
        tag_note: the evidence summary of the file.
        criteria: (property, a copy) ``criterion`` ("1".."19"), ``name_vi/en/fr``, ``department``
            (lead id), ``co_leads`` ("; "-separated ids), ``group``, ``department_tag`` (V/V-sec/R/I),
            ``department_note``, ``tag`` (of the name), ``department_source`` (the office file the
            assignment comes from, "" when shipped); in criterion order.
        indicators: (property, a copy) ``criterion``, ``indicator`` ("2.1"; a criterion with a single
            indicator may use its own number, "5"), ``name_vi/en/fr``, ``unit``, ``threshold`` (sets
            without commune groups), ``threshold_group1..3``, ``tag``, ``note``, ``department`` and
            ``co_leads`` (an indicator-level assignment, "" when none), ``source`` ("" shipped, else the
            office file).
        commune_groups: (property, a copy) the commune groups whose thresholds differ (``group`` int,
            names, definitions, ``tag``); empty when the set has none.
    """

    id: str
    names: Mapping[str, str]
    valid_from: _dt.date
    valid_to: _dt.date | None
    applies_from_period: str
    applies_to_period: str | None
    legal_basis: str
    _criteria: pd.DataFrame = field(repr=False)
    _indicators: pd.DataFrame = field(repr=False)
    _groups: pd.DataFrame = field(repr=False)
    phase: Mapping[str, str] = field(default_factory=dict)
    tiers: tuple[str, ...] = ("nra",)
    pilot_tiers: tuple[str, ...] = ()
    indicator_count_expected: int | None = None
    tag_note: str = ""
    _commune_groups: pd.DataFrame = field(default=None, repr=False)

    @property
    def criteria(self) -> pd.DataFrame:
        return self._criteria.copy()

    @property
    def indicators(self) -> pd.DataFrame:
        return self._indicators.copy()

    @property
    def groups(self) -> pd.DataFrame:
        """The set's groups of criteria (``group``, names); empty when the set has none."""
        return self._groups.copy()

    @property
    def commune_groups(self) -> pd.DataFrame:
        if self._commune_groups is None:
            return pd.DataFrame(columns=COMMUNE_GROUP_COLUMNS)
        return self._commune_groups.copy()

    @property
    def group_ids(self) -> list[int]:
        """The commune groups of the set (``[1, 2, 3]``), ``[]`` when thresholds do not vary by group."""
        return [] if self._commune_groups is None else [int(g) for g in self._commune_groups["group"]]

    def phase_name(self, lang: str = "vi") -> str:
        """The phase of the set in ``lang`` (its name when the file gives no phase)."""
        return self.phase.get(lang) or self.names[lang]

    @property
    def criterion_ids(self) -> list[str]:
        """The criterion numbers as strings, in order (``["1", ..., "19"]``)."""
        return self._criteria["criterion"].tolist()

    def __len__(self) -> int:
        return len(self._criteria)

    def name(self, lang: str = "vi") -> str:
        return self.names[lang]

    def criterion_name(self, criterion: object, lang: str = "vi") -> str:
        """The name of ``criterion`` (``"2"`` or ``2``) in ``lang``; UnknownNameError if the set lacks it."""
        key = str(criterion).strip()
        rows = self._criteria.loc[self._criteria["criterion"] == key, f"name_{lang}"]
        if rows.empty:
            raise UnknownNameError(f"criterion of {self.id}", criterion, self.criterion_ids)
        return str(rows.iloc[0])

    def department_of(self, criterion: object) -> str:
        """The lead department id of ``criterion``."""
        key = str(criterion).strip()
        rows = self._criteria.loc[self._criteria["criterion"] == key, "department"]
        if rows.empty:
            raise UnknownNameError(f"criterion of {self.id}", criterion, self.criterion_ids)
        return str(rows.iloc[0])

    def criteria_led_by(self, department: str, *, include_co_leads: bool = False) -> pd.DataFrame:
        """The criteria ``department`` leads (optionally also those it co-leads), in criterion order.

        Raises:
            UnknownNameError: ``department`` is not a known department id.
        """
        known = _departments()["department"].tolist()
        if department not in known:
            raise UnknownNameError("department", department, known)
        led = self._criteria["department"] == department
        if include_co_leads:
            led = led | self._criteria["co_leads"].map(lambda ids: department in ids.split("; "))
        return self._criteria[led].reset_index(drop=True)

    def applies_to(self, period: str) -> bool:
        p = parse_period(period)
        until = self.applies_to_period
        return self.applies_from_period <= p and (until is None or p <= until)


def _as_date(value: Any, where: str) -> _dt.date:
    if isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise ReferenceDataError(f"{where}: expected a date YYYY-MM-DD, found {value!r}") from exc


def _as_period(value: Any, where: str) -> str:
    try:
        return parse_period(value)
    except PeriodError as exc:
        raise ReferenceDataError(f"{where}: expected a period YYYY-MM, found {value!r}") from exc


def _parse_set(content: dict[str, Any], filename: str, departments: set[str]) -> dict[str, Any]:
    require(content, ("id", "names", "in_force", "applies_from_period", "legal_basis", "criteria"), filename)
    set_id = str(content["id"])
    names = content["names"]
    if not isinstance(names, dict) or any(not names.get(lang) for lang in LANGS):
        raise ReferenceDataError(f"{filename}: names must give {', '.join(LANGS)}")
    if not isinstance(content["criteria"], list):
        raise ReferenceDataError(f"{filename}: criteria must be a list")
    criteria_rows, indicator_rows = [], []
    for i, record in enumerate(content["criteria"], start=1):
        where = f"{filename}, criterion #{i}"
        require(record, ("criterion", *_NAMES, "department"), where)
        number = str(record["criterion"])
        for department in [record["department"], *(record.get("co_leads") or [])]:
            if department not in departments:
                raise ReferenceDataError(
                    f"{where} ({number}): department {department!r} is not in departments.yaml "
                    f"({', '.join(sorted(departments))})"
                )
        criteria_rows.append({
            "criterion": number,
            **{k: str(record[k]) for k in _NAMES},
            "department": str(record["department"]),
            "co_leads": "; ".join(record.get("co_leads") or []),
            "group": None if record.get("group") is None else str(record["group"]),
            "department_tag": _tag(record.get("department_tag"), f"{where}, department_tag", "I"),
            "department_note": str(record.get("department_note") or ""),
            "tag": _tag(record.get("tag"), f"{where}, tag", "R"),
            "department_source": "",
        })
        for j, indicator in enumerate(record.get("indicators") or [], start=1):
            require(indicator, ("indicator", *_NAMES), f"{where}, indicator #{j}")
            code = str(indicator["indicator"])
            if not indicator_belongs(code, number):
                raise ReferenceDataError(
                    f"{where}, indicator #{j}: {code!r} must be {number} or start with {number}."
                )
            indicator_rows.append({
                "criterion": number, "indicator": code, **{k: str(indicator[k]) for k in _NAMES},
                "unit": str(indicator.get("unit") or ""),
                **{k: str(indicator.get(k) or "") for k in THRESHOLD_COLUMNS},
                "tag": _tag(indicator.get("tag"), f"{where}, indicator {code}, tag", "R"),
                "note": str(indicator.get("note") or ""),
                "department": "", "co_leads": "", "source": "",
            })
    criteria = pd.DataFrame(criteria_rows, columns=CRITERIA_COLUMNS).astype("str")
    criteria["group"] = criteria["group"].where(
        pd.Series([r["group"] is not None for r in criteria_rows], dtype=bool), pd.NA
    )
    indicators = pd.DataFrame(indicator_rows, columns=INDICATOR_COLUMNS).astype("str")
    for column, frame in (("criterion", criteria), ("indicator", indicators)):
        duplicated = frame.loc[frame[column].duplicated(), column].tolist()
        if duplicated:
            raise ReferenceDataError(f"{filename}: {column} numbers must be unique, duplicated: {duplicated}")
    groups = pd.DataFrame(content.get("groups") or [], columns=["group", *_NAMES]).astype("str")
    unknown_groups = sorted(set(criteria["group"].dropna()) - set(groups["group"]))
    if unknown_groups:
        raise ReferenceDataError(
            f"{filename}: criteria name groups {unknown_groups} not declared under groups"
        )
    to_period = content.get("applies_to_period")
    tiers, pilots = _parse_tiers(content.get("tiers"), filename)
    expected = content.get("indicator_count_expected")
    if expected is not None and (not isinstance(expected, int) or expected < len(indicators)):
        raise ReferenceDataError(
            f"{filename}: indicator_count_expected must be a whole number of at least the {len(indicators)} "
            f"indicators listed, found {expected!r}"
        )
    phase = content.get("phase") or {}
    if phase and (not isinstance(phase, dict) or any(not phase.get(lang) for lang in LANGS)):
        raise ReferenceDataError(f"{filename}: phase must give {', '.join(LANGS)}")
    return {
        "id": set_id,
        "names": {lang: str(names[lang]) for lang in LANGS},
        "in_force": _as_date(content["in_force"], f"{filename}, in_force"),
        "applies_from_period": _as_period(content["applies_from_period"], f"{filename}, applies_from_period"),
        "applies_to_period": (
            None if to_period in (None, "") else _as_period(to_period, f"{filename}, applies_to_period")
        ),
        "legal_basis": str(content["legal_basis"]),
        "criteria": criteria,
        "indicators": indicators,
        "groups": groups,
        "commune_groups": _parse_commune_groups(content.get("commune_groups"), filename),
        "phase": {lang: str(phase[lang]) for lang in LANGS} if phase else {},
        "tiers": tiers,
        "pilot_tiers": pilots,
        "indicator_count_expected": expected,
        "tag_note": str(content.get("tag_note") or ""),
        "file": filename,
    }


def indicator_belongs(indicator: str, criterion: str) -> bool:
    """Whether indicator number ``indicator`` belongs to ``criterion``: ``2.1`` to ``2``, and ``5`` to ``5``
    (a criterion with a single indicator)."""
    return indicator == criterion or indicator.startswith(criterion + ".")


def _tag(value: Any, where: str, default: str) -> str:
    tag = default if value in (None, "") else str(value)
    if tag not in TAGS:
        raise ReferenceDataError(f"{where}: evidence tag must be one of {', '.join(TAGS)}, found {tag!r}")
    return tag


def _parse_tiers(records: Any, filename: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The recognition tiers of a set (recognitions.level codes, lowest first) and its pilot tiers."""
    from nrd.contract import LEVEL

    if not records:
        return ("nra",), ()
    tiers, pilots = [], []
    for i, record in enumerate(records, start=1):
        require(record, ("tier",), f"{filename}, tier #{i}")
        tier = str(record["tier"])
        if tier not in LEVEL:
            raise ReferenceDataError(f"{filename}, tier #{i}: {tier!r} is not a level ({', '.join(LEVEL)})")
        tiers.append(tier)
        if record.get("pilot"):
            pilots.append(tier)
    if tiers[0] != "nra" or len(set(tiers)) != len(tiers):
        raise ReferenceDataError(f"{filename}: tiers must start with nra and not repeat, found {tiers}")
    return tuple(tiers), tuple(pilots)


def _parse_commune_groups(records: Any, filename: str) -> pd.DataFrame | None:
    if not records:
        return None
    rows = []
    for i, record in enumerate(records, start=1):
        require(record, ("group", *_NAMES, "definition_vi"), f"{filename}, commune group #{i}")
        rows.append({
            "group": int(record["group"]), **{k: str(record[k]) for k in _NAMES},
            **{f"definition_{lang}": str(record.get(f"definition_{lang}") or record["definition_vi"])
               for lang in LANGS},
            "tag": _tag(record.get("tag"), f"{filename}, commune group #{i}, tag", "R"),
        })
    frame = pd.DataFrame(rows, columns=COMMUNE_GROUP_COLUMNS)
    if frame["group"].duplicated().any() or (frame["group"] < 1).any():
        raise ReferenceDataError(f"{filename}: commune groups must be distinct whole numbers from 1")
    return frame


def _check_sequence(parsed: list[dict[str, Any]]) -> None:
    """Sets must have unique ids and cover one unbroken run of months, each starting at its in-force date."""
    ids = [p["id"] for p in parsed]
    if len(set(ids)) != len(ids):
        raise ReferenceDataError(f"criteria sets: ids must be unique, found {ids}")
    for earlier, later in zip(parsed, parsed[1:]):
        if earlier["applies_to_period"] is None:
            raise ReferenceDataError(f"{earlier['file']}: only the last set may leave applies_to_period open")
        if shift_period(earlier["applies_to_period"], 1) != later["applies_from_period"]:
            raise ReferenceDataError(
                f"criteria sets {earlier['id']} and {later['id']} are not contiguous: "
                f"{earlier['applies_to_period']} is followed by {later['applies_from_period']}"
            )
        # The rule "in force at the end of the period": the first month of a later set is the first whose
        # last day is on or after the in-force date.
        first = later["applies_from_period"]
        if not (period_end(shift_period(first, -1)).date() < later["in_force"] <= period_end(first).date()):
            raise ReferenceDataError(
                f"{later['file']}: applies_from_period {first} does not match in_force {later['in_force']} "
                "(it must be the first month whose last day is on or after that date)"
            )
    for p in parsed:
        if p["applies_to_period"] is not None and p["applies_to_period"] < p["applies_from_period"]:
            raise ReferenceDataError(f"{p['file']}: applies_to_period is before applies_from_period")


def build_criteria_sets(
    contents: dict[str, dict[str, Any]], departments: set[str]
) -> tuple[CriteriaSet, ...]:
    """Check and build criteria sets from parsed YAML mappings (file name -> content), in time order.

    Raises:
        ReferenceDataError: a set is malformed, names an unknown department, repeats an id, or the sets
            leave a gap, overlap, or start a set in a month that contradicts its in-force date.
    """
    if not contents:
        raise ReferenceDataError("no criteria set files (criteria_*.yaml) in nrd/reference/data")
    parsed = sorted(
        (_parse_set(content, name, departments) for name, content in contents.items()),
        key=lambda p: p["applies_from_period"],
    )
    _check_sequence(parsed)
    sets = []
    for p, following in zip(parsed, [*parsed[1:], None]):
        valid_to = None if following is None else following["in_force"] - _dt.timedelta(days=1)
        sets.append(CriteriaSet(
            id=p["id"], names=MappingProxyType(p["names"]), valid_from=p["in_force"], valid_to=valid_to,
            applies_from_period=p["applies_from_period"], applies_to_period=p["applies_to_period"],
            legal_basis=p["legal_basis"], _criteria=p["criteria"], _indicators=p["indicators"],
            _groups=p["groups"], phase=MappingProxyType(p["phase"]), tiers=p["tiers"],
            pilot_tiers=p["pilot_tiers"], indicator_count_expected=p["indicator_count_expected"],
            tag_note=p["tag_note"], _commune_groups=p["commune_groups"],
        ))
    return tuple(sets)


@lru_cache(maxsize=None)
def _criteria_sets() -> tuple[CriteriaSet, ...]:
    contents = {name: read_yaml(name) for name in data_files("criteria_*.yaml")}
    return build_criteria_sets(contents, set(_departments()["department"]))


def load_criteria_sets() -> dict[str, CriteriaSet]:
    """Every criteria set by id, in time order (``qd318_2022``, ``qd51_2025``).

    The sets are immutable; their frames are handed out as copies.

    Raises:
        ReferenceDataError: a shipped file is inconsistent (unknown department, duplicate ids, a gap
            between sets, a boundary that contradicts the in-force date).
    """
    return {s.id: s for s in _criteria_sets()}


def get_criteria_set(set_id: str) -> CriteriaSet:
    """The set with id ``set_id``; UnknownNameError listing the known ids otherwise."""
    sets = load_criteria_sets()
    if set_id not in sets:
        raise UnknownNameError("criteria set", set_id, list(sets))
    return sets[set_id]


def previous_criteria_set(set_id: str) -> CriteriaSet | None:
    """The set that applied before ``set_id`` (the previous phase), ``None`` for the first set."""
    sets = _criteria_sets()
    ids = [s.id for s in sets]
    if set_id not in ids:
        raise UnknownNameError("criteria set", set_id, ids)
    index = ids.index(set_id)
    return sets[index - 1] if index > 0 else None


def criteria_set_on(day: _dt.date | pd.Timestamp | str) -> CriteriaSet:
    """The criteria set in force on ``day`` (a recognition's phase when it names no set).

    The latest set whose decision took effect on or before ``day``; a day before the first set took effect
    (programme months it covers) belongs to the first set.
    """
    day = pd.Timestamp(day).date()
    sets = _criteria_sets()
    chosen = sets[0]
    for criteria_set in sets:
        if criteria_set.valid_from <= day:
            chosen = criteria_set
    return chosen


def criteria_set_for(period: str) -> CriteriaSet:
    """The criteria set in force on the last day of ``period``.

    ``"2026-01"`` gives qd318_2022 (31/01/2026 is before 15/02/2026), ``"2026-02"`` gives qd51_2025.

    Raises:
        PeriodError: ``period`` is not a month.
        NoCriteriaSetError: no set covers ``period``.
    """
    p = parse_period(period)
    sets = _criteria_sets()
    for criteria_set in sets:
        if criteria_set.applies_to(p):
            return criteria_set
    last = sets[-1].applies_to_period or "open"
    raise NoCriteriaSetError(
        period, f"a month covered by a criteria set: {sets[0].applies_from_period} to {last} "
        f"({', '.join(s.id for s in sets)})"
    )

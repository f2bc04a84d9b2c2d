"""The indicator catalog: each indicator declared once, looked up through one registry.

An ``Indicator`` carries its stable id, labels in vi/en/fr, unit, the ids of its numerator and denominator
when it is a share, its level, its direction and the function that computes it. A *family* declares a
pattern such as ``criteria.met_share.<n>`` whose members are the criteria of the set in force: one
declaration yields one row per member.

Adding an indicator is one ``register(Indicator(...))`` call in the module of its domain (``nra``,
``criteria``, ``ocop``, ``capital``, ``organization``) and one test; it then appears in the indicator table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from nrd.errors import UnknownNameError

UNITS = ("count", "percent", "million_vnd", "criteria", "level")
LEVELS = ("province", "commune", "department")
DIRECTIONS = ("higher_is_better", "lower_is_better", "neutral")
ROW_COLUMNS = ["unit_code", "value", "numerator", "denominator"]


@dataclass(frozen=True)
class Indicator:
    """One indicator of the table.

    Attributes:
        id: stable id, e.g. ``nra.recognized_share``; a family's id ends in ``.<n>``.
        label: ``{"vi": ..., "en": ..., "fr": ...}``; a family label may contain ``{n}``.
        unit: one of ``UNITS``.
        level: ``province`` (unit_code = province code), ``commune`` or ``department``
            (province rows, one per department, id ``criteria.dept_met_share.<department>``).
        direction: one of ``DIRECTIONS``.
        compute: ``PeriodContext -> DataFrame[unit_code, value, numerator, denominator]``; a family's
            frame carries an ``indicator`` column too.
        requires: input tables needed; the indicator is left out of the table when one is absent.
        numerator, denominator: ids of the indicators (or populations) the share is made of.
        definition: one English sentence, shown in the docs and the catalog table.
        compute_commune: for a province indicator that the contract also defines per commune (same id),
            the function giving the commune rows.
        compute_grid, compute_commune_grid: the same rows for every period of a ``grid.GridContext`` at
            once (with a ``period`` column, in period order); optional, the engine falls back to
            ``compute``/``compute_commune`` period by period. They must agree with the per-period
            functions, which stay the reference (tests compare both).
        per_set: counted against the criteria set in force (its criteria, or recognitions under it):
            across a change of set its values measure different things, so no change is computed
            (``compare``) and trends that cross the change carry a note. Every ``criteria.*`` id but
            ``criteria.reporting_completeness`` is treated so as well.
    """

    id: str
    label: dict[str, str]
    unit: str
    level: str
    direction: str
    compute: Callable = field(repr=False, compare=False)
    requires: tuple[str, ...] = ()
    numerator: str | None = None
    denominator: str | None = None
    definition: str = ""
    compute_commune: Callable | None = field(default=None, repr=False, compare=False)
    compute_grid: Callable | None = field(default=None, repr=False, compare=False)
    compute_commune_grid: Callable | None = field(default=None, repr=False, compare=False)
    per_set: bool = False

    def __post_init__(self):
        if self.unit not in UNITS or self.level not in LEVELS or self.direction not in DIRECTIONS:
            raise ValueError(f"bad declaration of {self.id}: unit/level/direction")
        if set(self.label) != {"vi", "en", "fr"}:
            raise ValueError(f"{self.id}: labels in vi, en and fr are required")

    @property
    def levels(self) -> tuple[str, ...]:
        return (self.level, "commune") if self.compute_commune is not None else (self.level,)

    @property
    def is_family(self) -> bool:
        return self.id.endswith(".<n>")

    @property
    def family_prefix(self) -> str:
        return self.id[: -len("<n>")] if self.is_family else self.id

    def label_for(self, lang: str = "vi", member: str | None = None) -> str:
        text = self.label.get(lang) or self.label["en"]
        return text.format(n=member) if member is not None else text


CATALOG: dict[str, Indicator] = {}


def register(indicator: Indicator) -> Indicator:
    """Add ``indicator`` to the catalog; an id declared twice is a programming error."""
    if indicator.id in CATALOG:
        raise ValueError(f"indicator {indicator.id} declared twice")
    CATALOG[indicator.id] = indicator
    return indicator


def get_indicator(indicator_id: str) -> Indicator:
    """The declaration of ``indicator_id`` (a family member such as ``criteria.met_share.2`` too).

    Raises:
        UnknownNameError: no indicator or family has that id.
    """
    if indicator_id in CATALOG:
        return CATALOG[indicator_id]
    for declared in CATALOG.values():
        if declared.is_family and indicator_id.startswith(declared.family_prefix):
            member = indicator_id[len(declared.family_prefix):]
            if member and "." not in member:
                return declared
    raise UnknownNameError("indicator", indicator_id, sorted(CATALOG))


def indicator_catalog(lang: str = "vi") -> pd.DataFrame:
    """The catalog as a frame (id, label, unit, level, direction, numerator, denominator, definition)."""
    return pd.DataFrame(
        [
            {
                "indicator": i.id,
                "label": i.label_for(lang, "<n>") if i.is_family else i.label_for(lang),
                "unit": i.unit,
                "level": "+".join(i.levels),
                "direction": i.direction,
                "numerator": i.numerator,
                "denominator": i.denominator,
                "definition": i.definition,
            }
            for i in CATALOG.values()
        ]
    )


def catalog_markdown() -> str:
    """The catalog as the Markdown page ``docs/indicators.md`` (regenerated from the declarations).

    One section per indicator in declaration order: vi/en labels, unit, level, numerator/denominator,
    direction and definition. Deterministic: same catalog, same text.
    """
    def cell(text) -> str:
        return str(text).replace("|", "\\|") if text else "—"

    lines = [
        "# Indicator catalog",
        "",
        "<!-- Generated by nrd.indicators.catalog_markdown(); do not edit by hand. Regenerate with",
        "     .venv/bin/python -c \"import nrd.indicators as i; open('docs/indicators.md','w').write(i.catalog_markdown())\"",
        "-->",
        "",
        "Every indicator of the indicator table (`period, unit_code, indicator, value, numerator, denominator`).",
        "An id ending in `.<n>` is a family: one row per criterion (or lead department) of the criteria set in",
        "force at the end of the period, or per commune group (`criteria.*_group.<n>`, from the office's",
        "`reference/commune_groups`). *Level* `province` rows carry the province code; `commune` rows one",
        "row per commune; `department` rows one province row per lead department.",
        "",
        f"**Phases.** Each criteria set is a phase ({_phases()}), chosen",
        "by the period's last day. Indicators marked *per set* count against the set in force (its criteria,",
        "or recognitions under it): no change is computed across a change of set and trends that cross one",
        "carry a note. A recognition's phase is its `criteria_set`, blank = the set in force on its decision",
        "date. `nra.level` ranks `modern` as 1 (a recognised commune); `nra.modern` counts it on its own.",
        "",
        "| id | label (vi) | label (en) | unit | level | numerator | denominator | direction | per set |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for i in CATALOG.values():
        member = "n" if i.is_family else None
        lines.append(
            f"| `{i.id}` | {cell(i.label_for('vi', member))} | {cell(i.label_for('en', member))} | {i.unit} | "
            f"{'+'.join(i.levels)} | {cell(i.numerator)} | {cell(i.denominator)} | {i.direction} | "
            f"{'yes' if _per_set(i.id) else ''} |"
        )
    lines += ["", "## Definitions", ""]
    for i in CATALOG.values():
        lines += [f"- `{i.id}`: {i.definition or '—'}"]
    return "\n".join(lines) + "\n"


def _phases() -> str:
    from nrd.reference import load_criteria_sets

    return ", ".join(f"`{s.id}`: {s.phase_name('en')}" for s in load_criteria_sets().values())


def _per_set(indicator_id: str) -> bool:
    return is_per_set(indicator_id.replace(".<n>", ".1"))


# Indicators counted against the criteria set in force: across a change of set (19 criteria of qd318_2022 to
# 10 of qd51_2025) their values measure different things, so no delta is shown.
SET_DEPENDENT_PREFIX = "criteria."
SET_INDEPENDENT = frozenset({"criteria.reporting_completeness"})
SET_INDEPENDENT_PREFIXES = ("criteria.communes_group.",)  # the office's classification, not a count of criteria


def is_per_set(indicator_id: str) -> bool:
    """Whether an indicator is counted against the criteria set in force (``Indicator.per_set``, or any
    ``criteria.*`` id but the reporting completeness)."""
    if indicator_id.startswith(SET_INDEPENDENT_PREFIXES):
        return False
    if indicator_id.startswith(SET_DEPENDENT_PREFIX) and indicator_id not in SET_INDEPENDENT:
        return True
    try:
        return bool(get_indicator(indicator_id).per_set)
    except UnknownNameError:  # an id of an older table: an id of an older table
        return False


def share_rows(unit_code, numerator, denominator) -> pd.DataFrame:
    """Rows of a share: value = numerator / denominator × 100 (NaN when the denominator is 0)."""
    num = pd.Series(numerator, dtype="float64").reset_index(drop=True)
    den = pd.Series(denominator, dtype="float64").reset_index(drop=True)
    codes = pd.Series(unit_code, dtype="str").reset_index(drop=True)
    value = (num / den.where(den > 0)) * 100.0
    return pd.DataFrame({"unit_code": codes, "value": value, "numerator": num, "denominator": den})


def value_rows(unit_code, value) -> pd.DataFrame:
    """Rows of a count or an amount (no numerator/denominator)."""
    values = pd.Series(value, dtype="float64").reset_index(drop=True)
    codes = pd.Series(unit_code, dtype="str").reset_index(drop=True)
    nan = pd.Series(float("nan"), index=values.index, dtype="float64")
    return pd.DataFrame({"unit_code": codes, "value": values, "numerator": nan, "denominator": nan})

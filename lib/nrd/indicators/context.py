"""What the indicator functions of one period share: the prepared inputs and per-period intermediates.

``prepare(ds)`` does the once-per-dataset work (criterion-level rows with their effective criteria set,
sorted once); ``PeriodContext`` computes each intermediate of a period at most once (levels, the criteria
status at P, current OCOP recognitions, ...). Nothing here mutates its inputs. The prepared frames of a
dataset read through the cache are cached beside it (``nrd.io.cache.derived_frames``) and memory-mapped:
the run's process and every fork server of a machine then share one copy of them.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from functools import cached_property, lru_cache

import pandas as pd

from nrd import periods
from nrd.indicators import timeline


#: Periods whose ``PeriodContext`` a prepared dataset keeps (``Prepared.context``): a report's period and
#: the few it compares with, not every month an analyst may loop over.
CONTEXTS_KEPT = 4


@dataclass(frozen=True)
class Prepared:
    """The dataset's frames, trimmed to what the indicators use; ``None`` for a table that is absent."""

    province_code: str
    units: pd.DataFrame  # unit_code, name, unit_type
    tables: dict
    reference: object = None  # nrd.reference.ReferenceData (None: the shipped reference data)

    @cached_property
    def reference_data(self):
        if self.reference is not None:
            return self.reference
        from nrd.reference import shipped_reference

        return shipped_reference()

    def criteria_set(self, set_id: str):
        """The criteria set ``set_id`` with the dataset's office reference rows."""
        return self.reference_data.criteria_set(set_id)

    def criteria_set_for(self, period: str):
        """The criteria set in force at the end of ``period``, with the office's reference rows."""
        return self.reference_data.criteria_set_for(period)

    @cached_property
    def commune_groups(self) -> pd.Series:
        """The group (Int64) of each commune in scope from the office's classification; NA unclassified."""
        return self.reference_data.groups_of(self.commune_codes)

    def get(self, name: str) -> pd.DataFrame | None:
        return self.tables.get(name)

    @cached_property
    def _remembered(self) -> dict:
        return {}

    def remembered(self, key: tuple, compute):
        """``compute()`` once per prepared dataset for ``key`` (a view's whole-province frame at a period,
        which each per-unit call then filters; callers never mutate it)."""
        if key not in self._remembered:
            self._remembered[key] = compute()
        return self._remembered[key]

    def context(self, period: str) -> PeriodContext:
        """The ``PeriodContext`` of ``period``, shared by every view that asks for the same period (a
        report's views; in a fork server, every report of the run, computed before the children fork).
        The last ``CONTEXTS_KEPT`` periods are kept; callers never mutate what a context holds."""
        from collections import OrderedDict

        period = periods.parse_period(period)
        kept = self._remembered.setdefault(("PeriodContext",), OrderedDict())
        if period in kept:
            kept.move_to_end(period)
        else:
            kept[period] = PeriodContext(self, period)
            while len(kept) > CONTEXTS_KEPT:
                kept.popitem(last=False)
        return kept[period]

    def has(self, name: str) -> bool:
        return self.tables.get(name) is not None

    @cached_property
    def commune_codes(self) -> pd.Index:
        """Communes in scope: units of type commune in the registry (wards are outside the NRA criteria)."""
        units = self.units
        return pd.Index(units.loc[units["unit_type"] == "commune", "unit_code"].astype("str")).sort_values()


def _criterion_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Criterion-level rows (indicator blank) with their effective criteria set, sorted by period."""
    if "indicator" in frame:
        blank = frame["indicator"].isna() | (frame["indicator"].astype("str").str.strip() == "")
        frame = frame[blank]
    out = pd.DataFrame(
        {
            "period": frame["period"].astype("str"),
            "unit_code": frame["unit_code"].astype("str"),
            "criteria_set": timeline.effective_criteria_set(frame),
            "criterion": frame["criterion"].astype("str").str.strip(),
            "status": frame["status"].astype("str"),
            "value": frame["value"].astype("float64") if "value" in frame else float("nan"),
        }
    )
    return out.sort_values(["period", "unit_code", "criterion"], kind="stable").reset_index(drop=True)


_PREPARED: dict[int, tuple[weakref.ref, tuple, Prepared]] = {}


def prepare(ds) -> Prepared:
    """Prepare a ``Dataset`` for the indicator functions (done once per dataset, shared by every period).

    Remembered for the dataset object while its frames are the same objects: a report's views each call
    this, and copying every table (national: 3,321 units) once per view was most of their cost. Frames are
    never mutated here (the library's pure-function rule), so a frame replaced in ``ds.tables`` is what
    invalidates it.
    """
    inputs = _inputs_of(ds)
    held = _PREPARED.get(id(ds))
    if held is not None and held[0]() is ds and _same(held[1], inputs):
        return held[2]
    prepared = _prepare(ds)
    try:
        ref = weakref.ref(ds, lambda _, key=id(ds): _PREPARED.pop(key, None))
    except TypeError:  # an object without weak references (a stand-in for a Dataset): not remembered
        return prepared
    _PREPARED[id(ds)] = (ref, inputs, prepared)
    return prepared


def _inputs_of(ds) -> tuple:
    """What ``prepare`` reads from ``ds``: table names, frames, province, units, reference."""
    return (tuple(ds.tables), tuple(ds.tables.values()), str(ds.province_code), ds.units,
            getattr(ds, "reference", None))


def _same(old: tuple, new: tuple) -> bool:
    """Same names and province, and the very same frame and reference objects."""
    return (old[0] == new[0] and old[2] == new[2] and all(a is b for a, b in zip(old[1], new[1]))
            and old[3] is new[3] and old[4] is new[4])


def _prepare(ds) -> Prepared:
    tables = _cached_tables(ds) if _from_cache(ds) else _prepared_tables(ds)
    units = ds.units[["unit_code", "name", "unit_type"]].astype({"unit_code": "str"})
    return Prepared(province_code=str(ds.province_code), units=units.reset_index(drop=True), tables=tables,
                    reference=getattr(ds, "reference", None))


def _from_cache(ds) -> bool:
    as_read = getattr(ds, "as_read", None)
    return bool(as_read and as_read())


def _cached_tables(ds) -> dict:
    from nrd.io.cache import derived_frames

    return derived_frames(ds.cache_key, f"prepared-{_code_version()}", lambda: _prepared_tables(ds))


@lru_cache(maxsize=1)
def _code_version() -> str:
    """What the prepared frames depend on besides the dataset: this module, the timeline rules, nrd's
    version."""
    import hashlib
    from pathlib import Path

    import nrd

    digest = hashlib.sha256(nrd.__version__.encode())
    for module in (__file__, timeline.__file__):
        digest.update(Path(module).read_bytes())
    return digest.hexdigest()[:16]


def _prepared_tables(ds) -> dict:
    tables = {}
    for name, frame in ds.tables.items():
        if frame is None:
            continue
        frame = frame.drop(columns=[c for c in ("_row", "_source") if c in frame])
        if name == "criteria_status":
            frame = _criterion_rows(frame)
        elif name == "recognitions":
            frame = frame.assign(phase=timeline.recognition_phase(frame))
        elif name in ("capital_plan", "capital_disbursement"):
            # Province-held lines get the province code once, so per-period work need not.
            code = str(ds.province_code)
            frame = frame.assign(unit_code=frame["unit_code"].astype("str").fillna(code).replace("", code))
        tables[name] = frame
    return tables


class PeriodContext:
    """Per-period intermediates, each computed at most once."""

    def __init__(self, prepared: Prepared, period: str):
        self.prepared = prepared
        self.period = periods.parse_period(period)
        self.end = periods.period_end(self.period)
        self.year = timeline.plan_year(self.period)
        self.province_code = prepared.province_code
        self._memo: dict = {}

    def memo(self, key: str, compute):
        """``compute()`` once per period for intermediates owned by a domain module."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    @property
    def communes(self) -> pd.Index:
        return self.prepared.commune_codes

    @cached_property
    def criteria_set(self):
        return self.prepared.criteria_set_for(self.period)

    @cached_property
    def criteria_list(self) -> list[str]:
        """Criteria of the set in force, in the set's order."""
        return [str(c).strip() for c in self.criteria_set.criteria["criterion"]]

    @cached_property
    def levels(self) -> pd.Series:
        from nrd.indicators.nra import levels_at

        return levels_at(self.prepared.get("recognitions"), self.communes, self.period)

    @cached_property
    def criteria_status(self) -> pd.DataFrame:
        from nrd.indicators.criteria import criteria_status_at

        return criteria_status_at(
            self.prepared.get("criteria_status"), self.communes, self.period, self.criteria_set.id, self.criteria_list
        )

    @cached_property
    def met_counts(self) -> pd.Series:
        """Criteria met per commune with a submission at or before P (index unit_code)."""
        status = self.criteria_status
        met = status["status"] == "met"
        return met.groupby(status["unit_code"]).sum().astype("float64")

    @cached_property
    def ocop_current(self) -> pd.DataFrame:
        return timeline.current_ocop_recognitions(self.prepared.get("ocop_products"), self.period)

    @cached_property
    def ocop_active(self) -> pd.DataFrame:
        return self.ocop_current[self.ocop_current["active"]]

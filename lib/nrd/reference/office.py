"""The office's own reference data laid over the shipped reference data.

A dataset may carry the province's decisions in its ``reference/`` subfolder (data contract, "Office-owned
reference data"): the commune groups, the indicators of a criteria set with their thresholds per group, and
the departments assigned to criteria or indicators. ``build_reference`` lays those typed frames (read and
validated by ``nrd.io``) over the shipped criteria sets and returns a ``ReferenceData``: the effective sets,
the commune groups, where each office row came from, and which assumptions are still to be stated.
Pure: frames in, a new immutable object out; nothing here reads files.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from nrd.errors import UnknownNameError
from nrd.periods import parse_period
from nrd.reference.catalogs import LANGS, load_assumptions, resolve_department
from nrd.reference.criteria import CriteriaSet, _criteria_sets, indicator_belongs

GROUP_COLUMNS = ["unit_code", "group", "decision_no", "decision_date", "source"]
PROVENANCE_COLUMNS = ["table", "file", "criteria_set", "rows", "replaced", "added", "keys", "decision_no"]
_SOURCE = "_source"


def _source_file(frame: pd.DataFrame) -> pd.Series:
    if _SOURCE in frame:
        return frame[_SOURCE].astype("str")
    return pd.Series("reference", index=frame.index, dtype="str")


def _text(value) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value).strip()


def _joined(values) -> str:
    return ", ".join(dict.fromkeys(v for v in (_text(x) for x in values) if v))


@dataclass(frozen=True)
class ReferenceData:
    """The reference data a dataset is reported with: shipped, with the office's files laid over it.

    Attributes:
        sets: the criteria sets in time order, office rows applied (ids and criteria as shipped).
        commune_groups: ``unit_code``, ``group`` (int), ``decision_no``, ``decision_date``, ``source``
            (the office file); empty without an office file.
        provenance: one row per office file and criteria set: ``table``, ``file``, ``criteria_set``,
            ``rows``, ``replaced`` (shipped rows it replaces), ``added``, ``keys`` (the criteria,
            indicators or groups it covers), ``decision_no``.
    """

    sets: tuple[CriteriaSet, ...]
    _groups: pd.DataFrame = dataclasses.field(repr=False)
    _provenance: pd.DataFrame = dataclasses.field(repr=False)

    @property
    def commune_groups(self) -> pd.DataFrame:
        return self._groups.copy()

    @property
    def provenance(self) -> pd.DataFrame:
        return self._provenance.copy()

    def criteria_set(self, set_id: str) -> CriteriaSet:
        """The effective set ``set_id``; UnknownNameError listing the known ids otherwise."""
        for criteria_set in self.sets:
            if criteria_set.id == set_id:
                return criteria_set
        raise UnknownNameError("criteria set", set_id, [s.id for s in self.sets])

    def criteria_set_for(self, period: str) -> CriteriaSet:
        """The effective set in force at the end of ``period`` (``nrd.reference.criteria_set_for``)."""
        from nrd.reference.criteria import criteria_set_for

        return self.criteria_set(criteria_set_for(parse_period(period)).id)

    def previous_set(self, set_id: str) -> CriteriaSet | None:
        """The effective set of the phase before ``set_id``; ``None`` for the first."""
        ids = [s.id for s in self.sets]
        index = ids.index(self.criteria_set(set_id).id)
        return self.sets[index - 1] if index > 0 else None

    @property
    def office_tables(self) -> frozenset[str]:
        """The office tables this reference data holds rows of."""
        return frozenset(self._provenance["table"])

    def groups_of(self, communes) -> pd.Series:
        """Each commune's group (Int64, NA when the office file does not classify it), indexed by code."""
        index = pd.Index([str(c) for c in communes], name="unit_code")
        groups = self._groups.set_index("unit_code")["group"]
        return groups.reindex(index).astype("Int64")

    def indicator_coverage(self, set_id: str) -> tuple[int, int | None]:
        """(indicators on file, indicators the legal text has) of set ``set_id``, e.g. ``(37, 57)``."""
        criteria_set = self.criteria_set(set_id)
        return len(criteria_set.indicators), criteria_set.indicator_count_expected

    def covers(self, table: str, set_id: str, communes) -> bool:
        """Whether the office file ``table`` replaces the shipped assumption for set ``set_id``: every
        commune classified (commune_groups), every indicator the text has on file (criteria_indicators),
        every criterion assigned by the office (criteria_departments)."""
        if table not in self.office_tables:
            return False
        criteria_set = self.criteria_set(set_id)
        if table == "commune_groups":
            return bool(len(communes)) and bool(self.groups_of(communes).notna().all())
        if table == "criteria_indicators":
            on_file, expected = self.indicator_coverage(set_id)
            from_office = (criteria_set.indicators["source"] != "").any()
            return bool(from_office) and (expected is None or on_file >= expected)
        if table == "criteria_departments":
            return bool((criteria_set.criteria["department_source"] != "").all())
        return False

    def assumptions(self, period: str, communes) -> pd.DataFrame:
        """The assumptions a report on ``period`` states (``load_assumptions`` columns): those of every
        period and those of the set in force, less those an office file now replaces."""
        set_id = self.criteria_set_for(period).id
        frame = load_assumptions()
        frame = frame[frame["criteria_set"].isin(["", set_id])]
        replaced = [bool(table) and self.covers(table, set_id, communes) for table in frame["replaced_by"]]
        return frame[[not r for r in replaced]].reset_index(drop=True)


# ---- building ------------------------------------------------------------------------------------------


def _apply_indicators(criteria_set: CriteriaSet, rows: pd.DataFrame) -> tuple[CriteriaSet, dict]:
    shipped = criteria_set.indicators
    has_groups = bool(criteria_set.group_ids)
    new = []
    for row in rows.to_dict("records"):
        name_vi = _text(row.get("name_vi"))
        thresholds = {f"threshold_group{g}": _text(row.get(f"threshold_group{g}")) for g in (1, 2, 3)}
        # A set whose thresholds do not vary by commune group takes the province's threshold from group 1.
        single = "" if has_groups else next((t for t in thresholds.values() if t), "")
        new.append({
            "criterion": _text(row["criterion"]), "indicator": _text(row["indicator"]), "name_vi": name_vi,
            **{f"name_{lang}": _text(row.get(f"name_{lang}")) or name_vi for lang in LANGS if lang != "vi"},
            "unit": _text(row.get("unit")), "threshold": single, **thresholds, "tag": "", "note": "",
            "department": "", "co_leads": "", "source": _text(row.get(_SOURCE)) or "reference",
        })
    office = pd.DataFrame(new, columns=shipped.columns).astype("str")
    replaced = shipped["indicator"].isin(office["indicator"])
    merged = pd.concat([shipped[~replaced], office], ignore_index=True)
    order = {c: i for i, c in enumerate(criteria_set.criterion_ids)}
    merged = merged.assign(_c=merged["criterion"].map(order), _k=merged["indicator"].map(_indicator_key))
    merged = merged.sort_values(["_c", "_k"], kind="stable").drop(columns=["_c", "_k"]).reset_index(drop=True)
    stats = {"replaced": int(replaced.sum()), "added": int(len(office) - replaced.sum()),
             "keys": _joined(office["indicator"])}
    return dataclasses.replace(criteria_set, _indicators=merged), stats


def _indicator_key(code: str) -> tuple:
    return tuple(int(p) if p.isdigit() else 10**6 for p in str(code).split("."))


def _apply_departments(criteria_set: CriteriaSet, rows: pd.DataFrame) -> tuple[CriteriaSet, dict]:
    rows = rows.assign(_department=[resolve_department(d) for d in rows["department"]],
                       _indicator=[_text(i) for i in rows["indicator"]],
                       _criterion=[_text(c) for c in rows["criterion"]])
    rows = rows[rows["_department"].notna()]
    criteria, indicators = criteria_set.criteria, criteria_set.indicators
    covered = []
    for (criterion, indicator), group in rows.groupby(["_criterion", "_indicator"], sort=False):
        leads = group.loc[group["role"] == "lead", "_department"].tolist()
        co_leads = "; ".join(d for d in dict.fromkeys(group.loc[group["role"] == "co_lead", "_department"]))
        source, decision = _joined(_source_file(group)), _joined(group.get("decision_no", []))
        if indicator and indicator != criterion:
            hit = indicators["indicator"] == indicator
            indicators.loc[hit, "department"] = leads[0] if leads else ""
            indicators.loc[hit, "co_leads"] = co_leads
            covered.append(indicator)
            continue
        if not leads:  # validation reports it; without a lead the shipped assignment stays
            continue
        hit = criteria["criterion"] == criterion
        criteria.loc[hit, "department"] = leads[0]
        criteria.loc[hit, "co_leads"] = co_leads
        criteria.loc[hit, "department_tag"] = ""
        criteria.loc[hit, "department_note"] = decision
        criteria.loc[hit, "department_source"] = source
        covered.append(criterion)
    stats = {"replaced": len(covered), "added": 0, "keys": _joined(covered)}
    return dataclasses.replace(criteria_set, _criteria=criteria, _indicators=indicators), stats


def _commune_groups(frame: pd.DataFrame | None) -> pd.DataFrame:
    if frame is None or frame.empty:
        return pd.DataFrame({c: pd.Series(dtype="Int64" if c == "group" else "str") for c in GROUP_COLUMNS})
    out = pd.DataFrame({
        "unit_code": frame["unit_code"].astype("str"),
        "group": frame["group"].astype("Int64"),
        "decision_no": [_text(v) for v in frame.get("decision_no", [None] * len(frame))],
        "decision_date": frame.get("decision_date", pd.Series(pd.NaT, index=frame.index)),
        "source": _source_file(frame),
    })
    return out.drop_duplicates("unit_code", keep="first").sort_values("unit_code").reset_index(drop=True)


def build_reference(
    commune_groups: pd.DataFrame | None = None,
    criteria_indicators: pd.DataFrame | None = None,
    criteria_departments: pd.DataFrame | None = None,
) -> ReferenceData:
    """The shipped reference data with the office's typed frames laid over it.

    Args:
        commune_groups, criteria_indicators, criteria_departments: typed frames of the office files
            (canonical columns of ``nrd.contract.REFERENCE_TABLES``, ``_source`` naming the file), or
            ``None`` when the dataset has no such file. Rows are expected validated (``nrd.io``): rows
            naming an unknown set, criterion or department are ignored here.

    Returns:
        ``ReferenceData``: an office indicator row replaces the shipped row of the same set and number
        (or adds one); office department rows replace the whole assignment of the criterion (or set the
        indicator's); the groups are the office's classification.
    """
    sets, provenance = [], []
    for criteria_set in _criteria_sets():
        for table, frame, apply in (("criteria_indicators", criteria_indicators, _apply_indicators),
                                    ("criteria_departments", criteria_departments, _apply_departments)):
            if frame is None or frame.empty:
                continue
            rows = frame[(frame["criteria_set"] == criteria_set.id)
                         & frame["criterion"].astype("str").str.strip().isin(criteria_set.criterion_ids)]
            rows = rows[[indicator_belongs(_text(i), _text(c)) or not _text(i)
                         for i, c in zip(rows["indicator"], rows["criterion"])]]
            if rows.empty:
                continue
            criteria_set, stats = apply(criteria_set, rows)
            provenance.append({"table": table, "file": _joined(_source_file(rows)),
                               "criteria_set": criteria_set.id, "rows": len(rows), **stats,
                               "decision_no": _joined(rows.get("decision_no", []))})
        sets.append(criteria_set)
    groups = _commune_groups(commune_groups)
    if len(groups):
        counts = groups["group"].value_counts().sort_index()
        provenance.append({"table": "commune_groups", "file": _joined(groups["source"]), "criteria_set": "",
                           "rows": len(groups), "replaced": 0, "added": len(groups),
                           "keys": ", ".join(f"{int(g)}: {int(n)}" for g, n in counts.items()),
                           "decision_no": _joined(groups["decision_no"])})
    frame = pd.DataFrame(provenance, columns=PROVENANCE_COLUMNS)
    return ReferenceData(sets=tuple(sets), _groups=groups, _provenance=frame)


@lru_cache(maxsize=1)
def shipped_reference() -> ReferenceData:
    """The reference data of a dataset without office files (cached; its frames are handed out as copies
    by the sets' properties)."""
    return build_reference()

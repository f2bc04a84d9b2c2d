"""Cross-table rules over typed frames (``validate_dataset`` is beside ``read_dataset``, in ``nrd.io.load``).

Every rule is a pure function: typed frames (and the registry, ``today``) in, a list of findings out. A
finding points at the offending row through the ``_row``/``_source`` columns the reader adds.
"""

from __future__ import annotations

import datetime as _dt
from types import SimpleNamespace

import numpy as np
import pandas as pd

from nrd.contract import LEVEL_RANK
from nrd.io.defaults import sets_in_force
from nrd.io.distinct import map_distinct
from nrd.io.findings import ERROR, WARNING, Finding
from nrd.io.schemas import ROW, SOURCE, get_table

# Tables whose rows concern NRA communes only (NRA criteria do not apply to wards).
COMMUNE_ONLY = {"criteria_status": ERROR, "recognitions": ERROR, "organization": WARNING}


def _where(row) -> tuple[str, str]:
    source = str(getattr(row, SOURCE))
    file, sep, sheet = source.rpartition(":")
    return (file, sheet) if sep else (source, "")


def _finding(severity, rule, table, row, column, value, expected, message) -> Finding:
    file, sheet = _where(row)
    value_text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
    return Finding(
        severity, rule, table, file, sheet, int(getattr(row, ROW)), column, value_text, expected, message
    )


def _rows(frame: pd.DataFrame):
    """Rows as attribute objects (``row.period``, ``row._row``); only call on the few offending rows."""
    return (SimpleNamespace(**record) for record in frame.to_dict("records"))


def _current_month(today: _dt.date | None) -> str:
    today = today or _dt.date.today()
    return f"{today.year:04d}-{today.month:02d}"


def check_duplicate_keys(tables: dict[str, pd.DataFrame]) -> list[Finding]:
    """No two rows of a table share the contract key (blank cells count as equal)."""
    findings = []
    for name, frame in tables.items():
        key = list(get_table(name).key)
        if not key or frame.empty or not _may_repeat(frame, key):
            continue
        filled = frame[key].astype("object").where(frame[key].notna(), "")
        repeated = filled.duplicated(keep="first")
        if not repeated.any():
            continue
        first_row = frame.groupby([filled[c] for c in key], sort=False)[ROW].transform("first")
        for row, first in zip(_rows(frame[repeated]), first_row[repeated]):
            value = " / ".join("" if pd.isna(getattr(row, c)) else str(getattr(row, c)) for c in key)
            findings.append(
                _finding(
                    ERROR,
                    "duplicate_key",
                    name,
                    row,
                    ", ".join(key),
                    value,
                    "one row per " + ", ".join(key),
                    f"same {', '.join(key)} as row {int(first)}",
                )
            )
    return findings


def _may_repeat(frame: pd.DataFrame, key: list[str]) -> bool:
    """Whether two rows may share the key as ``check_duplicate_keys`` compares it (blank = ``""``), decided
    on integer codes per column: casting a national table to objects costs more than the rest of the rule,
    and most tables have no repeated key."""
    combined, size = np.zeros(len(frame), dtype=np.int64), 1
    for column in key:
        values, uniques = pd.factorize(frame[column], use_na_sentinel=True)
        if isinstance(uniques.dtype, pd.StringDtype):
            blank_text = np.flatnonzero(np.asarray(uniques == "", dtype=bool)).tolist()
        else:
            blank_text = [i for i, value in enumerate(uniques) if isinstance(value, str) and value == ""]
        # A blank cell compares as "": give it the code of a written "" when the column holds one.
        codes = np.where(values == -1, blank_text[0] if blank_text else -1, values) + 1
        # The key's codes as one number (mixed radix: one digit of base len(uniques) + 1 per column).
        size *= len(uniques) + 1
        if size >= 2**62:  # too many combinations for an int64: let the rule compare the rows
            return True
        combined = combined * (len(uniques) + 1) + codes
    return len(pd.unique(combined)) < len(combined)


def check_future_periods(tables: dict[str, pd.DataFrame], today: _dt.date | None = None) -> list[Finding]:
    """No period later than the current month (``today`` injectable for tests)."""
    current = _current_month(today)
    findings = []
    for name, frame in tables.items():
        if "period" not in frame.columns:
            continue
        late = frame[frame["period"].notna() & (frame["period"] > current)]
        for row in _rows(late):
            findings.append(
                _finding(
                    ERROR,
                    "future_period",
                    name,
                    row,
                    "period",
                    row.period,
                    f"a month not after {current}",
                    "the period is in the future",
                )
            )
    return findings


def check_future_dates(tables: dict[str, pd.DataFrame], today: _dt.date | None = None) -> list[Finding]:
    """No date after ``today`` (a decision dated 2029 is a typing error), except in the columns the contract
    declares ``future_ok`` (planned completion, action due, certificate expiry, planned council)."""
    day = pd.Timestamp(today or _dt.date.today())
    findings = []
    for name, frame in tables.items():
        for column in get_table(name).columns:
            if column.type != "date" or column.future_ok or column.name not in frame.columns:
                continue
            late = frame[frame[column.name].notna() & (frame[column.name] > day)]
            for row in _rows(late):
                value = getattr(row, column.name)
                findings.append(_finding(
                    ERROR, "future_date", name, row, column.name, f"{value:%d/%m/%Y}",
                    f"a date not after {day:%d/%m/%Y}", "the date is in the future",
                ))
    return findings


def check_recognition_sets(tables: dict[str, pd.DataFrame], sets: dict | None = None) -> list[Finding]:
    """A recognition names a criteria set that covers its decision's month (a phase's set covers the whole
    phase, even months before it was signed): before that is an error; after it is a warning (a late
    decision on a dossier appraised under the previous phase's set happens)."""
    from nrd.reference import load_criteria_sets

    frame = tables.get("recognitions")
    if frame is None or frame.empty or "criteria_set" not in frame.columns:
        return []
    sets = sets or load_criteria_sets()
    findings = []
    named = frame[frame["criteria_set"].notna() & frame["decision_date"].notna()]
    for row in _rows(named):
        criteria_set = sets.get(row.criteria_set)
        if criteria_set is None:
            continue
        decided = pd.Timestamp(row.decision_date)
        month = f"{decided:%Y-%m}"
        first, last = criteria_set.applies_from_period, criteria_set.applies_to_period
        if month < first:
            findings.append(_finding(
                ERROR, "criteria_set_not_in_force", "recognitions", row, "criteria_set", row.criteria_set,
                f"a set that covers {month}",
                f"{row.criteria_set} covers the months from {first}, after the decision ({decided:%d/%m/%Y})",
            ))
        elif last is not None and month > last:
            findings.append(_finding(
                WARNING, "criteria_set_ended", "recognitions", row, "criteria_set", row.criteria_set,
                f"a set that covers {month}",
                f"{row.criteria_set} covers the months up to {last}, before the decision ({decided:%d/%m/%Y})",
            ))
    return findings


def check_entities_exist(tables: dict[str, pd.DataFrame]) -> list[Finding]:
    """``entity_id`` of products and registrations exists in ``ocop_entities``."""
    findings = []
    users = [t for t in ("ocop_products", "ocop_registrations") if t in tables and not tables[t].empty]
    if not users:
        return findings
    if "ocop_entities" not in tables:
        for name in users:
            row = next(_rows(tables[name].head(1)))
            file, sheet = _where(row)
            findings.append(
                Finding(
                    WARNING,
                    "entity_unchecked",
                    name,
                    file,
                    sheet,
                    None,
                    "entity_id",
                    message="ocop_entities is not present: entity_id cannot be checked",
                )
            )
        return findings
    known = set(tables["ocop_entities"]["entity_id"].dropna())
    for name in users:
        frame = tables[name]
        for row in _rows(frame[~frame["entity_id"].isin(known)]):
            findings.append(
                _finding(
                    ERROR,
                    "unknown_entity",
                    name,
                    row,
                    "entity_id",
                    row.entity_id,
                    "an entity_id of ocop_entities",
                    "no such entity in ocop_entities",
                )
            )
    return findings


def check_stars_band(tables: dict[str, pd.DataFrame]) -> list[Finding]:
    """OCOP stars agree with the score's band (3★ 50-69, 4★ 70-89, 5★ 90-100)."""
    from nrd.reference import STAR_BANDS, stars_for_score

    frame = tables.get("ocop_products")
    if frame is None or frame.empty:
        return []
    findings = []
    scored = frame[frame["score"].notna() & frame["stars"].notna()]
    offending = [stars_for_score(float(score)) != int(stars)
                 for score, stars in zip(scored["score"].tolist(), scored["stars"].tolist())]
    for row in _rows(scored[pd.Series(offending, index=scored.index, dtype=bool)]):
        band = stars_for_score(float(row.score))
        if band != int(row.stars):
            expected = (
                f"{band} stars for score {row.score:g}" if band else "a score of at least 50 for 3-5 stars"
            )
            low, high = STAR_BANDS.get(int(row.stars), (None, None))
            findings.append(
                _finding(
                    ERROR,
                    "stars_band",
                    "ocop_products",
                    row,
                    "stars",
                    int(row.stars),
                    expected,
                    f"{int(row.stars)} stars need a score of {low}-{high}, the row has {row.score:g}",
                )
            )
    return findings


def check_criteria(tables: dict[str, pd.DataFrame], sets: dict | None = None) -> list[Finding]:
    """criteria_status: some set covers the period; a set given is the one in force for the period; the
    criterion exists in the set (an unknown indicator is a warning: indicator lists are less certain).
    ``sets``: the criteria sets by id with the office's indicators (default: the shipped sets)."""
    from nrd.reference import load_criteria_sets

    frame = tables.get("criteria_status")
    if frame is None or frame.empty:
        return []
    sets = sets or load_criteria_sets()
    in_force = map_distinct(frame["period"], sets_in_force(frame["period"].dropna().unique().tolist()))
    no_set = in_force.isna()
    wrong_set = ~no_set & frame["criteria_set"].notna() & (frame["criteria_set"] != in_force)
    set_id = frame["criteria_set"].fillna(in_force)
    checked = ~no_set & ~wrong_set
    pairs = [f"{sid}|{c}" for sid, s in sets.items() for c in s.criterion_ids]
    known_indicators = [f"{sid}|{i}" for sid, s in sets.items() for i in s.indicators["indicator"]]
    criterion_ok = (set_id.fillna("") + "|" + frame["criterion"].fillna("")).isin(pairs)
    indicator_ok = frame["indicator"].isna() | (set_id.fillna("") + "|" + frame["indicator"].fillna("")).isin(
        known_indicators
    )
    findings = []
    for row in _rows(frame[no_set]):
        findings.append(
            _finding(
                ERROR,
                "no_criteria_set",
                "criteria_status",
                row,
                "period",
                row.period,
                "a month covered by a criteria set",
                "no criteria set is in force for this period",
            )
        )
    for row, expected in zip(_rows(frame[wrong_set]), in_force[wrong_set]):
        findings.append(
            _finding(
                ERROR,
                "criteria_set_not_in_force",
                "criteria_status",
                row,
                "criteria_set",
                row.criteria_set,
                expected,
                f"{row.criteria_set} is not in force in {row.period}",
            )
        )
    for row, sid in zip(_rows(frame[checked & ~criterion_ok]), set_id[checked & ~criterion_ok]):
        findings.append(
            _finding(
                ERROR,
                "unknown_criterion",
                "criteria_status",
                row,
                "criterion",
                row.criterion,
                f"a criterion of {sid}: {', '.join(sets[sid].criterion_ids)}",
                f"criterion {row.criterion} is not in set {sid}",
            )
        )
    for row, sid in zip(
        _rows(frame[checked & criterion_ok & ~indicator_ok]), set_id[checked & criterion_ok & ~indicator_ok]
    ):
        findings.append(
            _finding(
                WARNING,
                "unknown_indicator",
                "criteria_status",
                row,
                "indicator",
                row.indicator,
                f"an indicator of criterion {row.criterion} in {sid}",
                f"indicator {row.indicator} is not listed in set {sid}",
            )
        )
    return findings


def check_communes_only(tables: dict[str, pd.DataFrame], units: pd.DataFrame) -> list[Finding]:
    """criteria_status and recognitions rows concern communes, not wards (organization: a warning)."""
    types = dict(zip(units["unit_code"], units["unit_type"]))
    findings = []
    for name, severity in COMMUNE_ONLY.items():
        frame = tables.get(name)
        if frame is None or frame.empty:
            continue
        not_commune = map_distinct(frame["unit_code"], types).fillna("commune") != "commune"
        for row in _rows(frame[not_commune]):
            findings.append(
                _finding(
                    severity,
                    "not_a_commune",
                    name,
                    row,
                    "unit_code",
                    row.unit_code,
                    "a commune (NRA criteria do not apply to wards)",
                    f"unit {row.unit_code} is a {types[row.unit_code]}",
                )
            )
    return findings


def check_recognition_order(tables: dict[str, pd.DataFrame]) -> list[Finding]:
    """A recognition above ``nra`` needs an earlier (or same-day) ``nra`` of the unit, not revoked by then."""
    frame = tables.get("recognitions")
    if frame is None or frame.empty:
        return []
    nra = frame[frame["level"] == "nra"]
    # (decision, revoked) of each unit's nra rows as Timestamps/NaT: a comparison with NaT is False, as
    # in the frame; filtering a frame per recognition costs seconds at national scale.
    by_unit: dict = {}
    for unit, decided, revoked in zip(nra["unit_code"], nra["decision_date"].tolist(),
                                      nra["revoked_on"].tolist()):
        if not pd.isna(unit):
            by_unit.setdefault(unit, []).append((decided, revoked))
    above = frame[frame["level"].map(LEVEL_RANK).fillna(0) > 1]
    held = [any(decided <= date and (pd.isna(revoked) or revoked > date)
                for decided, revoked in by_unit.get(unit, ()))
            for unit, date in zip(above["unit_code"], above["decision_date"].tolist())]
    findings = []
    for row in _rows(above[~pd.Series(held, index=above.index, dtype=bool)]):
        findings.append(
            _finding(
                ERROR,
                "recognition_without_nra",
                "recognitions",
                row,
                "level",
                row.level,
                "an nra recognition of the unit dated on or before this decision, not revoked",
                f"{row.level} recognised before the unit held nra",
            )
        )
    return findings


def check_disbursed_within_plan(tables: dict[str, pd.DataFrame]) -> list[Finding]:
    """Latest cumulative disbursement per (year, source, unit) does not exceed the plan (a warning)."""
    plan, paid = tables.get("capital_plan"), tables.get("capital_disbursement")
    if plan is None or paid is None or paid.empty:
        return []
    key = ["year", "source", "unit_code"]
    planned = plan.assign(unit_code=plan["unit_code"].fillna("")).groupby(key)["amount_mvnd"].sum()
    latest = (
        paid.assign(unit_code=paid["unit_code"].fillna(""))
        .sort_values(["period", ROW])
        .groupby(key, sort=True)
        .tail(1)
    )
    findings = []
    plan_of = planned.to_dict()  # a dict lookup per row; ``Series.get`` on a MultiIndex costs ~50 µs
    limits = [plan_of.get(key) for key in zip(latest["year"], latest["source"], latest["unit_code"])]
    above = [limit is not None and amount > limit + 1e-9
             for limit, amount in zip(limits, latest["disbursed_mvnd"])]
    for row, limit in zip(_rows(latest[pd.Series(above, index=latest.index, dtype=bool)]),
                          [limit for limit, out in zip(limits, above) if out]):
        findings.append(
            _finding(
                WARNING,
                "disbursed_above_plan",
                "capital_disbursement",
                row,
                "disbursed_mvnd",
                f"{row.disbursed_mvnd:g}",
                f"at most the plan, {limit:g}",
                "cumulative disbursement exceeds the capital plan",
            )
        )
    return findings


def validate_tables(
    tables: dict[str, pd.DataFrame], units: pd.DataFrame, *, today: _dt.date | None = None,
    sets: dict | None = None,
) -> list[Finding]:
    """Every cross-table rule over typed frames; the findings of all of them (``sets``: the criteria sets
    by id, with the office's reference rows; default the shipped sets)."""
    return [
        *check_duplicate_keys(tables),
        *check_future_periods(tables, today),
        *check_future_dates(tables, today),
        *check_recognition_sets(tables, sets),
        *check_entities_exist(tables),
        *check_stars_band(tables),
        *check_criteria(tables, sets),
        *check_communes_only(tables, units),
        *check_recognition_order(tables),
        *check_disbursed_within_plan(tables),
    ]

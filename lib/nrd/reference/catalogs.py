"""Small catalogues: departments, OCOP groups and star bands, capital sources, stated assumptions."""

from __future__ import annotations

from functools import lru_cache
from types import MappingProxyType
from typing import Mapping

import pandas as pd

from nrd import contract
from nrd.errors import ReferenceDataError
from nrd.languages import LANGS
from nrd.reference._files import read_yaml, require

_NAMES = tuple(f"name_{lang}" for lang in LANGS)


@lru_cache(maxsize=None)
def _departments() -> pd.DataFrame:
    records = read_yaml("departments.yaml").get("departments") or []
    rows = []
    for i, record in enumerate(records, start=1):
        require(record, ("id", "short_vi", *_NAMES), f"departments.yaml, department #{i}")
        rows.append({"department": str(record["id"]), "short_vi": str(record["short_vi"]),
                     **{k: str(record[k]) for k in _NAMES}})
    frame = pd.DataFrame(rows, columns=["department", *_NAMES, "short_vi"])
    duplicated = sorted(set(frame.loc[frame["department"].duplicated(), "department"]))
    if duplicated or frame.empty:
        raise ReferenceDataError(
            f"departments.yaml: department ids must be unique and present, duplicates: {duplicated}"
        )
    return frame


def resolve_department(text: object) -> str | None:
    """The department id that ``text`` names: an id (``so_xd``), a Vietnamese name (``Sở Xây dựng``) or a
    short name (``Sở XD``), case and diacritics ignored; ``None`` when it names none."""
    from nrd.reference.units import fold_name

    key = fold_name(str(text)).replace(" ", "")
    if not key:
        return None
    frame = _departments()
    for column in ("department", "name_vi", "short_vi"):
        folded = frame[column].map(lambda value: fold_name(value).replace(" ", ""))
        match = frame.loc[folded == key, "department"]
        if len(match):
            return str(match.iloc[0])
    return None


def load_departments() -> pd.DataFrame:
    """Provincial departments that lead criteria.

    Returns:
        A new frame: ``department`` (short id, e.g. ``so_xd``), ``name_vi/en/fr``, ``short_vi``.
    """
    return _departments().copy()


@lru_cache(maxsize=None)
def _ocop() -> dict:
    content = read_yaml("ocop.yaml")
    rows = []
    for i, record in enumerate(content.get("groups") or [], start=1):
        require(record, ("group", *_NAMES), f"ocop.yaml, group #{i}")
        rows.append({"group": int(record["group"]), **{k: str(record[k]) for k in _NAMES}})
    groups = pd.DataFrame(rows, columns=["group", *_NAMES])
    if sorted(groups["group"]) != list(range(1, 7)):
        raise ReferenceDataError(f"ocop.yaml: groups must be 1-6 once each, found {sorted(groups['group'])}")
    bands = {int(stars): (int(lo), int(hi)) for stars, (lo, hi) in (content.get("star_bands") or {}).items()}
    edges = [bands[s] for s in sorted(bands)]
    if not edges or any(b[0] != a[1] + 1 for a, b in zip(edges, edges[1:])) or edges[-1][1] != 100:
        raise ReferenceDataError(f"ocop.yaml: star bands must be contiguous up to 100 points, found {bands}")
    return {
        "groups": groups,
        "bands": bands,
        "validity_months": int(content["validity_months"]),
        "expiry_window_days": int(content["expiry_window_days"]),
        "legal_notice_days": int(content.get("legal_notice_days_before_expiry") or 30),
    }


def ocop_groups() -> pd.DataFrame:
    """The six OCOP product groups: ``group`` (int 1-6) and their names in vi/en/fr."""
    frame = _ocop()["groups"].copy()
    frame["group"] = frame["group"].astype("Int64")
    return frame


# Read-only: a caller cannot move a band for every other caller.
STAR_BANDS: Mapping[int, tuple[int, int]] = MappingProxyType(dict(_ocop()["bands"]))
OCOP_VALIDITY_MONTHS: int = _ocop()["validity_months"]
OCOP_EXPIRY_WINDOW_DAYS: int = _ocop()["expiry_window_days"]
OCOP_LEGAL_NOTICE_DAYS: int = _ocop()["legal_notice_days"]


def stars_for_score(score: float | None) -> int | None:
    """Stars an OCOP score (0-100 points) earns: 3 for 50-69, 4 for 70-89, 5 for 90-100.

    Scores below the 3-star band, missing scores and scores outside 0-100 give ``None``. A band starts at
    its lower bound; a fractional score between two listed bands (69.5) stays in the lower band, because
    the higher star needs its full threshold.
    """
    if score is None or pd.isna(score):
        return None
    value = float(score)
    if not 0 <= value <= 100:
        return None
    for stars in sorted(STAR_BANDS, reverse=True):
        if value >= STAR_BANDS[stars][0]:
            return stars
    return None


@lru_cache(maxsize=None)
def _capital_sources() -> pd.DataFrame:
    records = read_yaml("capital_sources.yaml").get("sources") or []
    rows = []
    for i, record in enumerate(records, start=1):
        require(record, ("source", "name_en", "name_fr"), f"capital_sources.yaml, source #{i}")
        source = str(record["source"])
        if source not in contract.SOURCE:
            raise ReferenceDataError(
                f"capital_sources.yaml, source #{i}: {source!r} is not a source of the data contract "
                f"({', '.join(contract.SOURCE)})"
            )
        rows.append({
            "source": source,
            "name_vi": contract.SOURCE[source],
            "name_en": str(record["name_en"]),
            "name_fr": str(record["name_fr"]),
            "state_budget": source in contract.STATE_BUDGET_SOURCES,
            "central": source in contract.CENTRAL_SOURCES,
        })
    frame = pd.DataFrame(rows, columns=["source", *_NAMES, "state_budget", "central"])
    if sorted(frame["source"]) != sorted(contract.SOURCE) or frame["source"].duplicated().any():
        raise ReferenceDataError(
            f"capital_sources.yaml: must list each contract source once: {sorted(contract.SOURCE)}, "
            f"found {list(frame['source'])}"
        )
    return frame.astype({"state_budget": "boolean", "central": "boolean"})


def capital_sources() -> pd.DataFrame:
    """The seven capital sources in report order: ``source``, names, ``state_budget``, ``central`` flags."""
    return _capital_sources().copy()


@lru_cache(maxsize=None)
def _assumptions() -> pd.DataFrame:
    records = read_yaml("assumptions.yaml").get("assumptions") or []
    columns = ["id", "tag", "text_vi", "text_en", "text_fr"]
    for i, record in enumerate(records, start=1):
        require(record, tuple(columns), f"assumptions.yaml, assumption #{i}")
        if record["tag"] not in ("R", "I"):
            raise ReferenceDataError(f"assumptions.yaml, assumption {record['id']!r}: tag must be R or I")
        replaced_by = record.get("replaced_by")
        if replaced_by and replaced_by not in contract.REFERENCE_TABLES:
            raise ReferenceDataError(
                f"assumptions.yaml, assumption {record['id']!r}: replaced_by must name an office file "
                f"({', '.join(contract.REFERENCE_TABLES)}), found {replaced_by!r}"
            )
    optional = ["criteria_set", "replaced_by"]
    frame = pd.DataFrame(
        [{**{c: str(r[c]) for c in columns}, **{c: str(r.get(c) or "") for c in optional}} for r in records],
        columns=columns + optional,
    )
    if frame["id"].duplicated().any():
        duplicated = frame.loc[frame["id"].duplicated(), "id"].tolist()
        raise ReferenceDataError(f"assumptions.yaml: duplicate ids {duplicated}")
    return frame


def load_assumptions() -> pd.DataFrame:
    """Assumptions a report must state: ``id``, ``tag`` (``R`` unverified fact, ``I`` inference), texts,
    ``criteria_set`` (stated only for periods under that set, "" = always) and ``replaced_by`` (the office
    file that replaces it, "" = none)."""
    return _assumptions().copy()

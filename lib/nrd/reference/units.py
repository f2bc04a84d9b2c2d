"""Commune-level administrative units: the national registry and Ninh Bình's 129 units with legacy sources.

Source of both files: the national statistics catalogue of administrative units
(danhmuchanhchinh.nso.gov.vn), 2025 arrangement (two-tier local government from 1 July 2025), exported
through the ``vietnam-provinces`` package (data only; the package is not a runtime dependency).
See ``data/README.md``.
"""

from __future__ import annotations

import difflib
import numbers
import re
import unicodedata
from functools import lru_cache
from importlib import resources

import pandas as pd

from nrd.contract import DEFAULT_PROVINCE
from nrd.errors import AmbiguousNameError, UnknownNameError  # the first: declared there, re-exported
from nrd.log import logger

NINH_BINH = DEFAULT_PROVINCE
UNIT_COLUMNS = ["unit_code", "name", "unit_type", "province_code", "legacy_sources"]
UNIT_TYPES = ("commune", "ward", "special_zone")
# Folded (see ``fold_name``) type words a unit name may start with. "thi tran" only occurs in legacy names.
_PREFIXES = ("dac khu ", "thi tran ", "phuong ", "xa ")
_NATIONAL_FILE = "vietnam_units_2025.csv"
_PROVINCE_FILE = {NINH_BINH: "ninh_binh_units_2025.csv"}
_LEGACY_SEPARATOR = "; "


def normalize_unit_code(code: object) -> str:
    """A unit code as the 5-digit string (papermill ``-p unit_code 01234`` passes the int 1234); any other
    text unchanged (stripped)."""
    text = str(code).strip()
    if re.fullmatch(r"\d{1,5}", text):
        return text.zfill(5)
    return text


def fold_name(text: object) -> str:
    """Return ``text`` lower-case, without diacritics, single-spaced (``"Xã  Bình Lục"``, ``"xa binh luc"``).

    NFKD splits most Vietnamese letters into base + combining marks; "đ" has no decomposition, so it is
    mapped to "d" explicitly. Underscores count as spaces so package codenames (``xa_binh_luc``) fold too.
    """
    decomposed = unicodedata.normalize("NFKD", str(text).replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[\s_]+", " ", bare).strip().lower()


def _exact_name(text: object) -> str:
    """``text`` in NFC, lower-cased, with single spaces: diacritics kept ("Tân Thành" != "Tân Thanh")."""
    return re.sub(r"[\s_]+", " ", unicodedata.normalize("NFC", str(text))).strip().lower()


def _strip_prefix(folded: str) -> str:
    for prefix in _PREFIXES:
        if folded.startswith(prefix) and len(folded) > len(prefix):
            return folded[len(prefix):]
    return folded


def _name_keys(text: object) -> dict[str, str]:
    """Lookup keys of a name: ``exact``/``folded`` forms, each ``full`` and without its type word."""
    exact, folded = _exact_name(text), fold_name(text)
    folded_base = _strip_prefix(folded)
    # Folding keeps word boundaries, so the type word has as many words in both forms.
    dropped = len(folded.split()) - len(folded_base.split())
    exact_base = " ".join(exact.split()[dropped:])
    return {"exact_full": exact, "exact_base": exact_base, "folded_full": folded, "folded_base": folded_base}


def _normalize_province(province_code: object) -> str:
    text = str(province_code).strip().lower()
    if text == "all":
        return "all"
    if not text.isdigit() or len(text) > 2:
        raise UnknownNameError("province code", province_code, ["two digits, e.g. 37", "all"])
    return text.zfill(2)


def _read_csv(filename: str) -> pd.DataFrame:
    # dtype=str keeps the zero padding of codes ("00004", "01"); keep_default_na keeps "" for no legacy.
    with resources.files("nrd.reference").joinpath("data", filename).open("rb") as handle:
        return pd.read_csv(handle, dtype=str, keep_default_na=False)


@lru_cache(maxsize=None)
def _units_frame(province_code: str) -> pd.DataFrame:
    if province_code in _PROVINCE_FILE:
        frame = _read_csv(_PROVINCE_FILE[province_code])
    else:
        frame = _read_csv(_NATIONAL_FILE)
        if province_code != "all":
            frame = frame[frame["province_code"] == province_code]
            if frame.empty:
                known = sorted(_read_csv(_NATIONAL_FILE)["province_code"].unique())
                raise UnknownNameError("province code", province_code, known)
        frame = frame.assign(legacy_sources="")
    frame = frame[UNIT_COLUMNS].sort_values("unit_code", kind="stable").reset_index(drop=True)
    _check_units(frame, province_code)
    logger.debug("loaded %d units for province %s", len(frame), province_code)
    return frame


def _check_units(frame: pd.DataFrame, province_code: str) -> None:
    from nrd.errors import ReferenceDataError

    where = f"units of province {province_code}"
    bad_codes = frame.loc[~frame["unit_code"].str.fullmatch(r"\d{5}"), "unit_code"]
    if len(bad_codes):
        raise ReferenceDataError(f"{where}: unit codes must be 5 digits, found {list(bad_codes[:5])}")
    if frame["unit_code"].duplicated().any():
        duplicated = frame.loc[frame["unit_code"].duplicated(), "unit_code"].tolist()
        raise ReferenceDataError(f"{where}: duplicate unit codes {duplicated[:5]}")
    bad_types = sorted(set(frame["unit_type"]) - set(UNIT_TYPES))
    if bad_types:
        raise ReferenceDataError(
            f"{where}: unknown unit types {bad_types}, expected one of {list(UNIT_TYPES)}"
        )


def load_units(province_code: str = NINH_BINH) -> pd.DataFrame:
    """Return the commune-level units of a province (or of the whole country), sorted by ``unit_code``.

    Args:
        province_code: two-digit province code (``"37"`` Ninh Bình, the default), or ``"all"``.
            ``"37"`` comes from the Ninh Bình file, which carries the legacy units each unit was merged
            from; any other code comes from the national registry, whose ``legacy_sources`` are ``""``.

    Returns:
        A new frame with columns ``unit_code``, ``name``, ``unit_type`` (``commune``, ``ward``,
        ``special_zone``), ``province_code``, ``legacy_sources`` (``"; "``-separated).

    Raises:
        UnknownNameError: the province code is not in the national registry.
    """
    return _units_frame(_normalize_province(province_code)).copy()


class UnitRegistry:
    """Lookups over a units frame (as ``load_units`` returns): by code, current name or legacy name.

    Indexes are built once at construction, so resolving is a few dict lookups.
    """

    def __init__(self, units_frame: pd.DataFrame):
        missing = [c for c in ("unit_code", "name", "unit_type") if c not in units_frame.columns]
        if missing:
            raise ValueError(f"units frame lacks columns {missing}")
        self._units = units_frame.copy().reset_index(drop=True)
        codes = self._units["unit_code"].tolist()
        names = self._units["name"].tolist()
        self._names: dict[str, str] = dict(zip(codes, names))
        # (source, key kind) -> key -> codes; source is "name" (current) or "legacy name".
        self._index: dict[tuple[str, str], dict[str, list[str]]] = {}
        has_legacy = "legacy_sources" in self._units
        legacy = self._units["legacy_sources"].tolist() if has_legacy else [""] * len(codes)
        for code, name, sources in zip(codes, names, legacy):
            self._add("name", name, code)
            for source in str(sources or "").split(";"):
                if source.strip():
                    self._add("legacy name", source, code)
        self._types: dict[str, str] = dict(zip(codes, self._units["unit_type"].tolist()))
        self._legacy: dict[str, str] = dict(zip(codes, legacy))

    @property
    def units(self) -> pd.DataFrame:
        """A copy of every unit of the registry."""
        return self._units.copy()

    @property
    def communes(self) -> pd.DataFrame:
        """A copy of the units of type ``commune`` (the NRA scope), sorted by code."""
        return self._units[self._units["unit_type"] == "commune"].reset_index(drop=True)

    @property
    def wards(self) -> pd.DataFrame:
        """A copy of the units of type ``ward``."""
        return self._units[self._units["unit_type"] == "ward"].reset_index(drop=True)

    def _add(self, source: str, name: str, code: str) -> None:
        for kind, key in _name_keys(name).items():
            codes = self._index.setdefault((source, kind), {}).setdefault(key, [])
            if code not in codes:
                codes.append(code)

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, code: object) -> bool:
        return str(code) in self._names

    @property
    def codes(self) -> list[str]:
        """Every unit code, sorted."""
        return sorted(self._names)

    def name(self, code: str) -> str:
        """The current official name of unit ``code`` (``"Xã Bình Lục"``); UnknownNameError if none."""
        normalized = self._normalize_code(code)
        if normalized is None or normalized not in self._names:
            raise UnknownNameError("unit code", code, self._suggest(str(code)))
        return self._names[normalized]

    def unit_type(self, code: str) -> str:
        """``commune``, ``ward`` or ``special_zone``."""
        normalized = self._normalize_code(code) or str(code)
        self.name(normalized)
        return self._types[normalized]

    @staticmethod
    def _normalize_code(value: object) -> str | None:
        # Spreadsheets hand codes over as numbers (13504, 13504.0) with the leading zero lost.
        if isinstance(value, numbers.Integral) and not isinstance(value, bool):
            value = int(value)
        elif isinstance(value, numbers.Real) and float(value).is_integer():
            value = int(value)
        text = str(value).strip()
        if text.isdigit() and len(text) <= 5:
            return text.zfill(5)
        return None

    def candidates(self, text: object) -> tuple[str, list[str]]:
        """Every unit ``text`` may denote, and how it matched (``code``, ``name``, ``legacy name``, ``none``).

        Tries a unit code, then names with their diacritics as written, then names folded (without
        diacritics); within each, the full current name, the current name without its type word ("Xã",
        "Phường", "Đặc khu"), a full legacy name, a legacy name without its type word; last, a legacy
        name written with another type word. The first step with any match decides, so a current name
        beats a legacy one and "Tân Thành" never falls back to "Tân Thanh" while some unit is written
        exactly "Tân Thành".
        """
        code = self._normalize_code(text)
        if code is not None:
            return ("code", [code] if code in self._names else [])
        keys = _name_keys(text)
        steps = []
        for form in ("exact", "folded"):
            full = keys[f"{form}_full"]
            steps += [("name", f"{form}_full", full), ("name", f"{form}_base", full),
                      ("legacy name", f"{form}_full", full), ("legacy name", f"{form}_base", full)]
        # Last resort: a legacy name written with another type word ("Phường Tràng An", "Xã Tràng An").
        steps += [("legacy name", f"{form}_base", keys[f"{form}_base"]) for form in ("exact", "folded")]
        for source, kind, key in steps:
            found = self._index.get((source, kind), {}).get(key)
            if found:
                return (source, sorted(found))
        return ("none", [])

    def resolve(self, text: object) -> str:
        """Return the 5-digit code of the unit ``text`` names.

        Args:
            text: a unit code (``"13504"``, ``13504``), a current name with or without diacritics and
                type word (``"Xã Bình Lục"``, ``"binh luc"``), or a legacy (pre-July-2025) name that maps
                to exactly one current unit (``"Tràng An"``).

        Raises:
            AmbiguousNameError: the name matches several units (e.g. a legacy unit split across two).
            UnknownNameError: nothing matches; the message suggests close names.
        """
        if text is None or (isinstance(text, float) and pd.isna(text)) or not str(text).strip():
            raise UnknownNameError("unit", text)
        how, found = self.candidates(text)
        if len(found) == 1:
            return found[0]
        if found:
            raise AmbiguousNameError("unit", text, [(c, self._names[c]) for c in found], how)
        kind = "unit code" if how == "code" else "unit"
        raise UnknownNameError(kind, text, self._suggest(str(text)))

    def legacy_sources(self, code: str) -> list[str]:
        """The legacy units ``code`` was merged from (empty for registries without legacy data)."""
        normalized = self._normalize_code(code) or str(code)
        self.name(normalized)
        value = self._legacy[normalized]
        return [s.strip() for s in str(value or "").split(";") if s.strip()]

    def _suggest(self, text: str) -> list[str]:
        bases = self._index.get(("name", "folded_base"), {})
        close = difflib.get_close_matches(_name_keys(text)["folded_base"], list(bases), n=5, cutoff=0.75)
        return [f"{code} {self._names[code]}" for key in close for code in sorted(bases[key])]


@lru_cache(maxsize=8)
def _registry(province_code: str) -> UnitRegistry:
    return UnitRegistry(_units_frame(province_code))


def unit_registry(province_code: str = NINH_BINH) -> UnitRegistry:
    """A shared ``UnitRegistry`` over ``load_units(province_code)`` (built once per province).

    The registry keeps its own copy of the frame; treat it as read-only.
    """
    return _registry(_normalize_province(province_code))

"""Labels in the reader's language: one catalog (``labels.yaml``) with Vietnamese, English and French.

Vietnamese is the default: the office reports in Vietnamese; English and French serve partners. Names of
indicators come from the indicator catalog; names of criteria, departments, OCOP groups and capital
sources come from the reference data, so a label is written down in exactly one place.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from nrd import yaml_io

from nrd.errors import UnknownNameError
from nrd.languages import DEFAULT_LANG, LANGS

_CATALOG_FILE = Path(__file__).with_name("labels.yaml")


def check_lang(lang: str) -> str:
    """Return ``lang`` lower-cased when it is a report language, else raise ``UnknownNameError``."""
    code = str(lang).strip().lower()
    if code not in LANGS:
        raise UnknownNameError("report language", lang, list(LANGS))
    return code


@lru_cache(maxsize=1)
def load_catalog() -> dict[str, dict[str, str]]:
    """The label catalog: key -> {lang: text}. Every key carries every language (checked on load)."""
    with _CATALOG_FILE.open(encoding="utf-8") as fh:
        raw = yaml_io.safe_load(fh)
    catalog: dict[str, dict[str, str]] = {}
    for key, texts in raw.items():
        missing = [lang for lang in LANGS if not isinstance(texts, dict) or not texts.get(lang)]
        if missing:
            from nrd.errors import ReferenceDataError

            raise ReferenceDataError(f"{_CATALOG_FILE.name}: label {key!r} lacks language(s) {missing}")
        catalog[str(key)] = {lang: str(texts[lang]) for lang in LANGS}
    return catalog


def t(key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    """The label ``key`` in ``lang``; ``{name}`` placeholders are filled from ``values``.

    Raises:
        UnknownNameError: the key is not in the catalog, or the language is not vi/en/fr.
    """
    lang = check_lang(lang)
    catalog = load_catalog()
    if key not in catalog:
        raise UnknownNameError("label", key)
    text = catalog[key][lang]
    return text.format(**values) if values else text


def has_label(key: str) -> bool:
    return key in load_catalog()


def enum_label(kind: str, code: object, lang: str = DEFAULT_LANG) -> str:
    """Label of an enumeration code (``status``/``level``/``stage``/``entity_type``...), e.g. met -> đạt."""
    return t(f"{kind}.{code}", lang)


def indicator_label(indicator_id: str, lang: str = DEFAULT_LANG) -> str:
    """The indicator's label from the indicator catalog (``nrd.indicators.get_indicator``).

    A family member (``criteria.met_share.2``) gets its family label filled with its member (``2``).
    """
    from nrd.indicators import get_indicator

    lang = check_lang(lang)
    declared = get_indicator(indicator_id)
    if declared.is_family:
        return declared.label_for(lang, indicator_id[len(declared.family_prefix):])
    return declared.label_for(lang)


def _name_from(frame, key_column: str, key: object, lang: str, kind: str) -> str:
    lang = check_lang(lang)
    position = _first_positions(frame, key_column).get(str(key))
    if position is None:
        raise UnknownNameError(kind, key, [str(v) for v in frame[key_column]])
    return str(frame[f"name_{lang}"].iloc[position])


#: id(reference frame) -> (weak reference to it, {key column: {key as text: first row position}}): a report
#: names dozens of products, sources and criteria from the same few reference frames, never mutated.
_POSITIONS: dict[int, tuple] = {}


def _first_positions(frame, key_column: str) -> dict[str, int]:
    """Where each key (as ``astype(str)`` writes it) first occurs in ``frame[key_column]``."""
    import weakref

    held = _POSITIONS.get(id(frame))
    if held is None or held[0]() is not frame:
        held = (weakref.ref(frame, lambda _, k=id(frame): _POSITIONS.pop(k, None)), {})
        _POSITIONS[id(frame)] = held
    if key_column not in held[1]:
        positions: dict[str, int] = {}
        for position, value in enumerate(frame[key_column].astype(str)):
            positions.setdefault(value, position)
        held[1][key_column] = positions
    return held[1][key_column]


def criterion_name(criteria_set, criterion: object, lang: str = DEFAULT_LANG) -> str:
    """Name of criterion ``criterion`` of a ``CriteriaSet`` (reference data)."""
    return _name_from(criteria_set.criteria, "criterion", criterion, lang, "criterion")


def criteria_set_name(set_id: str, lang: str = DEFAULT_LANG) -> str:
    """Name of a criteria set (``qd51_2025`` -> ``QĐ 51/2025/QĐ-TTg (2026-2030)``), from reference data."""
    from nrd.reference import get_criteria_set

    return get_criteria_set(str(set_id)).name(check_lang(lang))


def department_name(department: str, lang: str = DEFAULT_LANG) -> str:
    from nrd.reference import load_departments

    return _name_from(load_departments(), "department", department, lang, "department")


def ocop_group_name(group: object, lang: str = DEFAULT_LANG) -> str:
    from nrd.reference import ocop_groups

    return _name_from(ocop_groups(), "group", int(group), lang, "OCOP group")


def source_name(source: str, lang: str = DEFAULT_LANG) -> str:
    from nrd.reference import capital_sources

    return _name_from(capital_sources(), "source", source, lang, "capital source")

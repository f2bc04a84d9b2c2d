"""Reference data shipped with the project: units, criteria sets, departments, OCOP, capital sources.

Every file is read once (cached) and checked on load; callers get copies, so they cannot corrupt the cache.
The data files live in ``nrd/reference/data`` (see its README for sources and evidence tags).
"""

from nrd.reference.catalogs import (
    LANGS,
    OCOP_EXPIRY_WINDOW_DAYS,
    OCOP_LEGAL_NOTICE_DAYS,
    OCOP_VALIDITY_MONTHS,
    STAR_BANDS,
    capital_sources,
    load_assumptions,
    load_departments,
    ocop_groups,
    resolve_department,
    stars_for_score,
)
from nrd.reference.criteria import (
    CriteriaSet,
    NoCriteriaSetError,
    criteria_set_for,
    criteria_set_on,
    get_criteria_set,
    indicator_belongs,
    load_criteria_sets,
    previous_criteria_set,
)
from nrd.reference.office import ReferenceData, build_reference, shipped_reference
from nrd.reference.units import (
    NINH_BINH,
    AmbiguousNameError,
    UnitRegistry,
    fold_name,
    load_units,
    normalize_unit_code,
    unit_registry,
)

__all__ = [
    "LANGS",
    "NINH_BINH",
    "OCOP_EXPIRY_WINDOW_DAYS",
    "OCOP_LEGAL_NOTICE_DAYS",
    "OCOP_VALIDITY_MONTHS",
    "STAR_BANDS",
    "AmbiguousNameError",
    "CriteriaSet",
    "NoCriteriaSetError",
    "ReferenceData",
    "UnitRegistry",
    "build_reference",
    "capital_sources",
    "criteria_set_for",
    "criteria_set_on",
    "fold_name",
    "get_criteria_set",
    "indicator_belongs",
    "load_assumptions",
    "load_criteria_sets",
    "load_departments",
    "load_units",
    "normalize_unit_code",
    "ocop_groups",
    "previous_criteria_set",
    "resolve_department",
    "shipped_reference",
    "stars_for_score",
    "unit_registry",
]

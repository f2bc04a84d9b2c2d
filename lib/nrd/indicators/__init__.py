"""Indicators of the NRD programme: the catalog, the indicator table, comparisons, targets and report views.

Everything here is pure: a ``Dataset`` (or frames) and parameters in, a new frame out.
"""

# Import order is the catalog's (and the table's) order: NRA, criteria, OCOP, capital, organization.
from nrd.indicators import nra, criteria, ocop, capital, organization, pipelines  # noqa: F401,I001
from nrd.indicators.appraisal_views import (
    actions_by_department,
    council_schedule,
    dossier_pipeline,
    findings_by_criterion,
    inspection_calendar,
    open_action_list,
    open_dossiers,
    overdue_action_list,
    time_in_stage,
    visits_by_month,
)
from nrd.indicators.catalog import (
    CATALOG,
    Indicator,
    catalog_markdown,
    get_indicator,
    indicator_catalog,
    register,
)
from nrd.indicators.department import DepartmentView, department_trend, department_view
from nrd.indicators.headlines import headline_ids
from nrd.indicators.met_trend import criteria_met_trend
from nrd.indicators.pipeline_views import (
    DepartmentPipelines,
    UnitPipelines,
    council_sessions,
    department_pipelines,
    evaluation_cycle,
    named_five_star_candidates,
    pipeline_departments,
    unit_pipelines,
)
from nrd.indicators.project_views import (
    overdue_project_list,
    project_portfolio,
    project_schedule,
    project_status_at,
    projects_by_unit,
    stalled_project_list,
    unit_project_portfolio,
)
from nrd.indicators.phase import group_results, indicator_thresholds, phase_comparison, set_changes
from nrd.indicators.profile import CommuneProfile, commune_profile
from nrd.indicators.provided import absent_tables, unrecorded_columns
from nrd.indicators.quality import late_communes, stale_counts, submission_grid, value_outliers
from nrd.indicators.table import TABLE_COLUMNS, build_indicator_table, compute_indicators, indicator_value
from nrd.indicators.targets import Target, TargetError, compare, load_targets, parse_targets, targets_at
from nrd.indicators.views import (
    active_products,
    capital_position,
    commune_levels,
    criteria_matrix,
    criteria_met_distribution,
    disbursement_pace,
    level_history,
    mobilized_by_source,
    ocop_new_recognitions,
    ocop_by_entity_type,
    ocop_by_unit,
    product_counts,
    registrations_by_stage,
)
from nrd.indicators.watch import watch_lists

__all__ = [
    "CATALOG",
    "CommuneProfile",
    "DepartmentPipelines",
    "DepartmentView",
    "Indicator",
    "TABLE_COLUMNS",
    "Target",
    "TargetError",
    "UnitPipelines",
    "active_products",
    "build_indicator_table",
    "capital_position",
    "catalog_markdown",
    "commune_levels",
    "commune_profile",
    "compare",
    "compute_indicators",
    "criteria_matrix",
    "criteria_met_trend",
    "criteria_met_distribution",
    "department_trend",
    "department_view",
    "disbursement_pace",
    "get_indicator",
    "group_results",
    "headline_ids",
    "indicator_catalog",
    "indicator_thresholds",
    "indicator_value",
    "late_communes",
    "level_history",
    "load_targets",
    "mobilized_by_source",
    "ocop_new_recognitions",
    "parse_targets",
    "ocop_by_entity_type",
    "ocop_by_unit",
    "product_counts",
    "phase_comparison",
    "register",
    "registrations_by_stage",
    "set_changes",
    "stale_counts",
    "submission_grid",
    "targets_at",
    "value_outliers",
    "watch_lists",
    "council_sessions",
    "department_pipelines",
    "evaluation_cycle",
    "named_five_star_candidates",
    "pipeline_departments",
    "unit_pipelines",
    "overdue_project_list",
    "project_portfolio",
    "project_schedule",
    "project_status_at",
    "projects_by_unit",
    "stalled_project_list",
    "unit_project_portfolio",
    "absent_tables",
    "unrecorded_columns",
    "actions_by_department",
    "council_schedule",
    "dossier_pipeline",
    "findings_by_criterion",
    "inspection_calendar",
    "open_action_list",
    "open_dossiers",
    "overdue_action_list",
    "time_in_stage",
    "visits_by_month",
]

"""nrd — indicators and reports of the New Rural Development programme (Nông thôn mới) for one province.

The public surface is small. Names are loaded on first use so that ``import nrd`` stays cheap (a report
kernel imports it before every report)::

    read_dataset(data_dir) -> Dataset            validate_dataset(data_dir) -> list[Finding]
    compute_indicators(ds, period) -> DataFrame  build_indicator_table(ds, periods) -> DataFrame
    get_indicator(id) -> Indicator               criteria_set_for(period) -> CriteriaSet
    render_report(notebook, *, period, ...)      run_plan(plan, *, data, period, out, ...)
    open(data_dir) -> Workbench                  a dataset to explore: .indicators(periods), .views.*,
                                                 .compare(a, b), .report(kind, ...), .to_excel(view, path)
    demo_data_dir() -> Path                      the demo dataset (the project's, else the packaged one)
    NrdError                                     the base class of every error a user can cause
"""

from __future__ import annotations

import importlib

from nrd.startup import skip_slow_optional_imports

skip_slow_optional_imports()

__version__ = "0.1.0"

_EXPORTS = {
    "read_dataset": "nrd.io",
    "validate_dataset": "nrd.io",
    "Dataset": "nrd.io",
    "compute_indicators": "nrd.indicators",
    "build_indicator_table": "nrd.indicators",
    "get_indicator": "nrd.indicators",
    "criteria_set_for": "nrd.reference",
    "load_units": "nrd.reference",
    "render_report": "nrd.run.render",
    "run_plan": "nrd.run.batch",
    "NrdError": "nrd.errors",
    "open": "nrd.workbench",
    "Workbench": "nrd.workbench",
    "demo_data_dir": "nrd.paths",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'nrd' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)

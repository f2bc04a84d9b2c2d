"""The report kinds the office publishes, declared once: one ``ReportKind`` entry per kind.

Adding a report = one notebook (``notebooks/<name>.ipynb``), one ``register_report(ReportKind(...))`` entry
at the bottom of this module (its titles in ``labels.yaml``: ``report.<name>`` and ``report.<name>.short``),
and one line in ``params/monthly.yaml`` (``- notebook: <name>``). Everything else reads this registry:

- run plans (``nrd.run.plan``): the index group and the key a report fans out over;
- the index page (``nrd.run.index``) and the page's title block (``nrd.present.report.report_header``): the
  title, from the same label;
- the workbooks (``nrd.run.export``): which indicator rows the report's workbook holds;
- the department folders (``nrd.run.assemble``): whether every department receives the report;
- the headline tables (``nrd.present.report.report_headlines``): the headline set, by name, resolved to
  indicator ids by ``nrd.indicators.headlines.headline_ids``.

Base layer: plain declarations (names of labels, headline sets, fan-out keys), no import of another layer.
The registry has papermill's registry shape: ``register(kind)``, and ``get(name)`` raising a typed error.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from nrd.errors import UnknownNameError

#: Keys a report can fan out over (``for_each``), each with the notebook parameter that receives the key:
#: ``commune`` the communes of the province (wards are outside the NRA criteria), ``unit`` every unit
#: (communes, wards, special zones), ``ocop_unit`` the units with an OCOP product, ``department`` the
#: departments leading a criterion of the set in force.
FAN_OUT = {"commune": "unit_code", "unit": "unit_code", "ocop_unit": "unit_code", "department": "department"}
#: Fan-out keys that are units (their workbook holds the unit's own indicator rows).
UNIT_FAN_OUT = frozenset({"commune", "unit", "ocop_unit"})
#: Sections of the index page, in display order; each has its label ``group.<id>`` in ``labels.yaml``.
GROUPS = ("province", "departments", "communes", "ocop", "capital", "pipelines", "data_quality", "other")
#: The section of a notebook that is not registered (a plan may run any notebook): by its fan-out key.
GROUP_BY_FAN_OUT = {"commune": "communes", "unit": "communes", "ocop_unit": "ocop", "department": "departments"}
DEFAULT_GROUP = "other"


@dataclass(frozen=True)
class ReportKind:
    """One kind of report.

    Attributes:
        name: the report id, also the notebook's stem (``notebooks/<name>.ipynb``) and the output stem.
        group: its section on the index page (one of ``GROUPS``).
        for_each: the key it fans out over (one of ``FAN_OUT``), ``None`` for one report per run.
        to_departments: every department folder of the publication receives a copy.
        exports: indicator id prefixes of the rows its workbook holds (empty: every row of its scope:
            the province's rows, the unit's for a unit fan-out, the led criteria's for a department).
        headlines: the name of its headline set (``nrd.indicators.headlines``), ``None`` for none.
        sheets: names of the views its workbook holds besides the indicator rows (``nrd.run.workbook_views``),
            e.g. a commune's projects, dossiers and open actions.
    """

    name: str
    group: str
    for_each: str | None = None
    to_departments: bool = False
    exports: tuple[str, ...] = ()
    headlines: str | None = None
    sheets: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.group not in GROUPS:
            raise UnknownNameError("index group", self.group, list(GROUPS))
        if self.for_each is not None and self.for_each not in FAN_OUT:
            raise UnknownNameError("fan-out key (for_each)", self.for_each, list(FAN_OUT))

    @property
    def title_label(self) -> str:
        """Label key of its title (the page's heading and the index entry)."""
        return f"report.{self.name}"

    @property
    def short_title_label(self) -> str:
        """Label key of its short title (links in department folders, workbook titles)."""
        return f"report.{self.name}.short"

    @property
    def key_parameter(self) -> str | None:
        """The notebook parameter that receives the fan-out key."""
        return FAN_OUT[self.for_each] if self.for_each else None


class ReportRegistry:
    """The holder of the report kinds, in registration order (the order of the index within a group)."""

    def __init__(self) -> None:
        self._kinds: dict[str, ReportKind] = {}

    def register(self, kind: ReportKind) -> ReportKind:
        """Add ``kind`` (a kind of the same name is replaced); returns it."""
        self._kinds[kind.name] = kind
        return kind

    def unregister(self, name: str) -> None:
        """Remove a kind (tests registering a throw-away report)."""
        self._kinds.pop(name, None)

    def get(self, name: str) -> ReportKind:
        """The kind named ``name``.

        Raises:
            UnknownNameError: no report kind has that name.
        """
        try:
            return self._kinds[name]
        except KeyError:
            raise UnknownNameError("report kind", name, list(self._kinds)) from None

    def find(self, name: str | None) -> ReportKind | None:
        """The kind named ``name``, or ``None`` (an ad-hoc notebook of a plan)."""
        return self._kinds.get(name) if name else None

    def __contains__(self, name: object) -> bool:
        return name in self._kinds

    def __iter__(self) -> Iterator[ReportKind]:
        return iter(list(self._kinds.values()))

    def names(self) -> list[str]:
        return list(self._kinds)


#: The registry every part of nrd reads.
REPORTS = ReportRegistry()
register_report = REPORTS.register
get_report = REPORTS.get
find_report = REPORTS.find

# ---- the reports of the monthly publication ----------------------------------------------------------------
register_report(ReportKind("province_overview", group="province", to_departments=True, headlines="province"))
register_report(ReportKind("commune_scorecard", group="communes", for_each="commune", headlines="commune",
                            sheets=("unit_pipelines",)))
register_report(ReportKind("department_brief", group="departments", for_each="department",
                            sheets=("department_pipelines",)))
register_report(ReportKind("ocop_portfolio", group="ocop", exports=("ocop.",), headlines="ocop",
                            sheets=("ocop_cycle",)))
register_report(ReportKind("capital_disbursement", group="capital", exports=("capital.",), headlines="capital"))
register_report(ReportKind("works_projects", group="pipelines", exports=("projects.",), headlines="works",
                            sheets=("works_projects",)))
register_report(ReportKind("appraisal_inspection", group="pipelines", exports=("appraisal.", "inspections."),
                            headlines="appraisal", sheets=("appraisal_inspection",)))
register_report(ReportKind("data_quality", group="data_quality", to_departments=True, headlines="quality"))

"""Run plans: which notebooks a monthly run executes, for which period, in which languages.

A plan is a YAML file (``params/monthly.yaml`` is the default)::

    dataset: ../data/demo          # relative to the plan file; --data overrides
    period: latest                 # YYYY-MM | previous-month | latest (the dataset's latest period)
    languages: [vi]
    notebooks: ../notebooks        # folder of the report notebooks, relative to the plan file
    reports:
      - notebook: province_overview
      - notebook: commune_scorecard      # fans out over the communes (its registry entry says so)
      - notebook: department_brief

A notebook registered in ``nrd.reports`` brings its report kind: index group and fan-out key
(``for_each``). Each report entry may also carry ``name`` (the report id; default the notebook's stem),
``for_each`` (commune | unit | ocop_unit | department; overrides the kind's), ``parameters`` (extra papermill
parameters), ``group`` (the index section), ``key_parameter`` (the notebook parameter that receives the
``for_each`` key) and ``only`` (restrict the ``for_each`` keys). Any other notebook runs as an ad-hoc
report (group from its fan-out key, else ``other``).

Loading checks the YAML itself (a key defined twice is an error); ``validate_plan`` checks every report
against its notebook's ``parameters`` cell (papermill only warns about unknown parameters), before anything
runs. ``expand_plan`` turns a plan into the concrete jobs of one run: pure, no I/O.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from nrd.errors import PeriodError, PlanError
from nrd.languages import LANGS
from nrd.periods import resolve_period
from nrd.reports import DEFAULT_GROUP, FAN_OUT, GROUP_BY_FAN_OUT, GROUPS, ReportKind, find_report
from nrd.run.model import Job

PLAN_KEYS = {"dataset", "period", "languages", "notebooks", "reports"}
REPORT_KEYS = {"notebook", "name", "for_each", "parameters", "group", "key_parameter", "only"}
# Parameters every report notebook receives from the run itself; a plan may not set them.
RUN_PARAMETERS = ("period", "data_dir", "lang")
__all__ = ["Job", "Plan", "ReportSpec", "expand_plan", "load_plan", "resolve_plan_period", "validate_plan"]
_NAME = re.compile(r"^[A-Za-z0-9_]+$")


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a mapping key defined twice (YAML itself keeps the last silently)."""


def _construct_unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False):
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        line = key_node.start_mark.line + 1
        if key in seen:
            raise PlanError(
                f"{loader.name}: key {key!r} is defined twice (lines {seen[key]} and {line}); keep one"
            )
        seen[key] = line
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping)


@dataclass(frozen=True)
class ReportSpec:
    """One entry of a plan's ``reports`` list, paths resolved, with its report kind (overrides applied)."""

    name: str
    notebook: Path
    for_each: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    group: str = DEFAULT_GROUP
    key_parameter: str | None = None
    only: tuple[str, ...] = ()
    kind: ReportKind | None = None


@dataclass(frozen=True)
class Plan:
    """A loaded run plan. ``period`` is kept as written (``latest`` is resolved against the dataset)."""

    path: Path
    dataset: Path | None
    period: str
    languages: tuple[str, ...]
    reports: tuple[ReportSpec, ...]


def _plan_error(path: Path, key: str, message: str) -> PlanError:
    return PlanError(f"{path}: {key}: {message}")


def load_plan(path: str | Path) -> Plan:
    """Read and check the shape of a plan file.

    Args:
        path: the YAML plan.

    Returns:
        The plan with notebook and dataset paths resolved relative to the plan file.

    Raises:
        PlanError: unreadable YAML, a key defined twice, an unknown key, a bad period, language or
            ``for_each``, a missing notebook. The message names the plan file and the key.
    """
    path = Path(path)
    if not path.is_file():
        raise PlanError(f"{path}: plan file not found")
    text = path.read_text(encoding="utf-8")
    try:
        loader = _UniqueKeyLoader(text)
        loader.name = str(path)
        try:
            raw = loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.YAMLError as error:
        raise PlanError(f"{path}: not valid YAML: {error}") from None
    if not isinstance(raw, dict):
        raise PlanError(f"{path}: expected a mapping with keys {sorted(PLAN_KEYS)}")
    unknown = sorted(set(map(str, raw)) - PLAN_KEYS)
    if unknown:
        raise _plan_error(path, unknown[0], f"unknown key; expected one of {sorted(PLAN_KEYS)}")
    base = path.parent
    dataset = raw.get("dataset")
    period = str(raw.get("period", "latest")).strip()
    _check_period(path, period)
    languages = raw.get("languages", ["vi"])
    if isinstance(languages, str):
        languages = [languages]
    if not isinstance(languages, list) or not languages:
        raise _plan_error(path, "languages", f"expected a list of {list(LANGS)}")
    for lang in languages:
        if lang not in LANGS:
            raise _plan_error(path, "languages", f"unknown language {lang!r}; expected one of {list(LANGS)}")
    notebooks_dir = base / str(raw.get("notebooks", "../notebooks"))
    entries = raw.get("reports")
    if not isinstance(entries, list) or not entries:
        raise _plan_error(path, "reports", "expected a non-empty list of reports")
    reports = [_load_report(path, i, entry, base, notebooks_dir) for i, entry in enumerate(entries)]
    names = [r.name for r in reports]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise _plan_error(path, "reports", f"report name {duplicates[0]!r} used twice; give one a `name:`")
    return Plan(
        path=path,
        dataset=(base / str(dataset)) if dataset else None,
        period=period,
        languages=tuple(dict.fromkeys(languages)),
        reports=tuple(reports),
    )


def _check_period(path: Path, period: str) -> None:
    if period.lower() == "latest":
        return
    try:
        resolve_period(period)
    except PeriodError as error:
        raise _plan_error(path, "period", f"{error}, `previous-month` or `latest`") from None


def _load_report(path: Path, index: int, entry: Any, base: Path, notebooks_dir: Path) -> ReportSpec:
    where = f"reports[{index}]"
    if isinstance(entry, str):
        entry = {"notebook": entry}
    if not isinstance(entry, dict) or "notebook" not in entry:
        raise _plan_error(path, where, "expected a mapping with a `notebook:` key")
    unknown = sorted(set(map(str, entry)) - REPORT_KEYS)
    if unknown:
        raise _plan_error(path, f"{where}.{unknown[0]}", f"unknown key; expected one of {sorted(REPORT_KEYS)}")
    notebook_text = str(entry["notebook"])
    if notebook_text.endswith(".ipynb") or "/" in notebook_text:
        notebook = base / notebook_text
    else:
        notebook = notebooks_dir / f"{notebook_text}.ipynb"
    if not notebook.is_file():
        raise _plan_error(path, f"{where}.notebook", f"notebook {notebook_text!r} not found (looked for {notebook})")
    name = str(entry.get("name", notebook.stem))
    if not _NAME.match(name):
        raise _plan_error(path, f"{where}.name", f"{name!r}: use letters, digits and _ only")
    registered = find_report(notebook.stem)
    for_each = entry.get("for_each", registered.for_each if registered else None)
    if for_each is not None and for_each not in FAN_OUT:
        raise _plan_error(path, f"{where}.for_each", f"{for_each!r}: expected one of {sorted(FAN_OUT)}")
    parameters = entry.get("parameters") or {}
    if not isinstance(parameters, dict):
        raise _plan_error(path, f"{where}.parameters", "expected a mapping name: value")
    for key in parameters:
        if key in RUN_PARAMETERS:
            raise _plan_error(path, f"{where}.parameters.{key}", "set by the run itself; use the plan's key or a flag")
    group = str(entry.get("group") or _default_group(registered, for_each))
    if group not in GROUPS:
        raise _plan_error(path, f"{where}.group", f"{group!r}: expected one of {list(GROUPS)}")
    kind = (dataclasses.replace(registered, group=group, for_each=for_each) if registered
            else ReportKind(name, group=group, for_each=for_each))
    only = entry.get("only") or []
    if not isinstance(only, list):
        only = [only]
    return ReportSpec(
        name=name,
        notebook=notebook.resolve(),
        for_each=for_each,
        parameters=dict(parameters),
        group=group,
        key_parameter=entry.get("key_parameter") or (FAN_OUT[for_each] if for_each else None),
        only=tuple(_key_text(v) for v in only),
        kind=kind,
    )


def _key_text(value: Any) -> str:
    # YAML reads 01234 as an int (and drops the zero); unit codes are 5-digit strings.
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:05d}"
    return str(value)


def _default_group(registered: ReportKind | None, for_each: str | None) -> str:
    """The registered kind's group (unless the plan fans it out otherwise), else by fan-out key."""
    if registered is not None and for_each == registered.for_each:
        return registered.group
    return GROUP_BY_FAN_OUT.get(for_each or "", DEFAULT_GROUP)


def validate_plan(plan: Plan) -> None:
    """Check every report's parameters against its notebook's ``parameters`` cell.

    The cell is read with papermill's own parser (``nrd.run.execute.notebook_parameters``, which is what
    ``papermill.inspect_notebook`` does, without needing kernel metadata in the notebook).

    Raises:
        PlanError: a notebook without a ``parameters`` cell, or a plan (or ``for_each``) parameter the
            notebook does not declare. Nothing has run when this raises.
    """
    from nrd.run.execute import notebook_parameters

    for index, report in enumerate(plan.reports):
        declared = set(notebook_parameters(report.notebook))
        if not declared:
            raise _plan_error(
                plan.path, f"reports[{index}].notebook", f"{report.notebook} has no cell tagged `parameters`"
            )
        wanted = [(f"reports[{index}].parameters.{k}", k) for k in report.parameters]
        wanted += [(f"reports[{index}]", k) for k in RUN_PARAMETERS]
        if report.key_parameter:
            wanted.append((f"reports[{index}].for_each", report.key_parameter))
        for where, name in wanted:
            if name not in declared:
                raise _plan_error(
                    plan.path,
                    where,
                    f"notebook {report.notebook.name} has no parameter {name!r}; it declares {sorted(declared)}",
                )


def resolve_plan_period(value: str, latest_period: str | None) -> str:
    """Turn a plan or flag period (``YYYY-MM``, ``previous-month``, ``latest``) into ``YYYY-MM``."""
    if str(value).strip().lower() == "latest":
        if not latest_period:
            raise PlanError("period `latest`: the dataset holds no period; pass --period YYYY-MM")
        return latest_period
    return resolve_period(value)


def expand_plan(
    plan: Plan,
    *,
    period: str,
    data_dir: Path,
    keys: dict[str, list[str]],
    languages: tuple[str, ...] | None = None,
    only: tuple[str, ...] = (),
    units: tuple[str, ...] = (),
) -> list[Job]:
    """The jobs of one run, in plan order (pure: no I/O).

    Args:
        plan: the loaded plan.
        period: the resolved ``YYYY-MM`` period.
        data_dir: the dataset folder every notebook reads (passed as an absolute path).
        keys: for each ``for_each`` kind, its keys in display order (``commune`` -> unit codes, ...).
        languages: overrides the plan's languages.
        only: report names to keep (empty = all).
        units: unit codes or department ids to keep among the ``for_each`` keys (empty = all).

    Raises:
        PlanError: ``only`` names an unknown report, or the selection leaves nothing to run.
    """
    langs = languages or plan.languages
    known = [r.name for r in plan.reports]
    for name in only:
        if name not in known:
            raise PlanError(f"{plan.path}: --only {name!r}: no such report; the plan has {known}")
    jobs: list[Job] = []
    for report in plan.reports:
        if only and report.name not in only:
            continue
        if report.for_each:
            report_keys = list(keys.get(report.for_each, []))
            if report.only:
                report_keys = [k for k in report_keys if k in report.only]
            if units:
                report_keys = [k for k in report_keys if k in units]
        else:
            report_keys = [None]
        for key in report_keys:
            for lang in langs:
                parameters = {**report.parameters, "period": period, "data_dir": str(data_dir), "lang": lang}
                if key is not None:
                    parameters[report.key_parameter] = key
                stem = report.name + (f"-{key}" if key is not None else "") + (f".{lang}" if len(langs) > 1 else "")
                jobs.append(Job(report.name, report.notebook, parameters, lang, report.group, key, stem,
                                report.kind))
    if not jobs:
        raise PlanError(f"{plan.path}: the selection (--only / --unit) leaves no report to run")
    return jobs


def most_jobs(plan: Plan, *, languages: tuple[str, ...] | None = None, only: tuple[str, ...] = (),
              units: tuple[str, ...] = ()) -> int | None:
    """An upper bound of ``expand_plan``'s job count known before the data is read, or ``None``.

    Bounded only when ``only`` and ``units`` both narrow the fan-out reports (``nrd run --only
    commune_scorecard --unit 13504``): the run then starts no more workers than it has reports.
    """
    if not only:
        return None
    langs = len(languages or plan.languages)
    total = 0
    for report in plan.reports:
        if report.name not in only:
            continue
        if report.for_each and not units:
            return None
        total += (len(units) if report.for_each else 1) * langs
    return total

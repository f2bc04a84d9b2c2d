"""The analyst's entry point in a notebook: ``nrd.open(data_dir)``, then plain pandas frames.

::

    import nrd
    ds = nrd.open("../data/demo")                # or nrd.open() for the demo dataset
    table = ds.indicators("2025-01..2025-09")    # the tidy indicator table (data contract)
    position = ds.views.capital_position("2025-09")
    ds.compare("2025-03", "2025-09")             # one row per indicator and unit, both values and the change
    ds.report("commune_scorecard", "2025-09", unit_code="13504")   # into the project's outputs/adhoc/
    ds.to_excel({"position": position}, ds.output_path("position.xlsx"))

A ``Workbench`` holds the ``Dataset`` (``ds.dataset``) and passes every other attribute to it (``ds.units``,
``ds.table("ocop_products")``, ``ds.findings``, ``ds.latest_period``). ``ds.views`` are the public views of
``nrd.indicators`` (every function whose first argument is the dataset) with the dataset filled in; each
returns the same typed frame a report shows. Nothing here computes an indicator of its own.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from nrd.errors import UsageError

#: Functions of ``nrd.indicators`` taking the dataset that are the indicator table, not a view of it.
_NOT_VIEWS = frozenset({"build_indicator_table", "compute_indicators"})
#: Where ``Workbench.report`` and ``output_path`` write, relative to the project folder.
ADHOC_OUTPUTS = Path("outputs") / "adhoc"
#: The indicator table's value columns ``compare`` puts side by side.
_COMPARED = ("value", "numerator", "denominator")


def open(data_dir: str | Path | None = None, *, use_cache: bool = True) -> Workbench:  # noqa: A001
    """Read a dataset folder for exploring: ``data_dir`` as a notebook names it (relative to the working
    directory, else to the project's notebooks folder, see ``nrd.paths``); ``None`` for the demo dataset.

    Raises:
        UsageError: the folder is found nowhere.
        NrdError: the dataset cannot be read (its findings say where).
    """
    from nrd import paths
    from nrd.io import read_dataset

    folder = paths.demo_data_dir() if data_dir is None else paths.resolve_data_dir(data_dir)
    return Workbench(read_dataset(folder, use_cache=use_cache))


def period_list(periods: str | Sequence[str]) -> list[str]:
    """``"2025-09"``, ``"2025-01..2025-09"`` (inclusive) or a list of periods -> sorted ``YYYY-MM`` periods.

    Raises:
        UsageError: a period is not ``YYYY-MM`` or a range runs backwards.
    """
    from nrd import periods as _periods

    if isinstance(periods, str):
        first, sep, last = periods.partition("..")
        if sep:
            first, last = _periods.parse_period(first.strip()), _periods.parse_period(last.strip())
            if last < first:
                raise UsageError(f"period range {periods!r} runs backwards; write FIRST..LAST")
            return _periods.period_range(first, last)
        return [_periods.parse_period(periods)]
    return sorted({_periods.parse_period(p) for p in periods})


class Views:
    """The public views of ``nrd.indicators`` with the dataset filled in (``ds.views.<name>(period, ...)``).

    ``dir(ds.views)`` lists them; each keeps the view's own signature and docstring (minus the dataset).
    """

    def __init__(self, dataset: Any) -> None:
        self._dataset = dataset
        self._names = view_names()

    def __getattr__(self, name: str):
        if name.startswith("_") or name not in self._names:
            raise AttributeError(f"no view {name!r}; the views are: {', '.join(self._names)}")
        import nrd.indicators as ind

        view = getattr(ind, name)
        bound = functools.partial(view, self._dataset)
        functools.update_wrapper(bound, view)
        signature = inspect.signature(view)
        bound.__signature__ = signature.replace(parameters=list(signature.parameters.values())[1:])
        return bound

    def __dir__(self) -> list[str]:
        return list(self._names)

    def __repr__(self) -> str:
        return f"<views: {', '.join(self._names)}>"


@functools.lru_cache(maxsize=1)
def view_names() -> tuple[str, ...]:
    """The public functions of ``nrd.indicators`` whose first parameter is the dataset (``ds``)."""
    import nrd.indicators as ind

    names = []
    for name in ind.__all__:
        value = getattr(ind, name)
        if inspect.isfunction(value) and name not in _NOT_VIEWS:
            parameters = list(inspect.signature(value).parameters)
            if parameters[:1] == ["ds"]:
                names.append(name)
    return tuple(sorted(names))


class Workbench:
    """A dataset opened for exploring (``nrd.open``); other attributes are the ``Dataset``'s."""

    def __init__(self, dataset: Any) -> None:
        self.dataset = dataset
        self.views = Views(dataset)

    def __getattr__(self, name: str):
        if name in ("dataset", "views") or name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.dataset, name)

    def __repr__(self) -> str:
        periods = self.dataset.periods
        span = f"{periods[0]}..{periods[-1]}" if periods else "no period"
        return (f"<nrd dataset {self.dataset.data_dir} · province {self.dataset.province_code} · "
                f"{len(self.dataset.units)} units · {span} · {len(self.dataset.findings)} findings>")

    def indicators(self, periods: str | Sequence[str] | None = None) -> pd.DataFrame:
        """The tidy indicator table (data contract columns) of ``periods`` (see ``period_list``; default the
        dataset's latest period): one row per indicator, unit and period."""
        from nrd.indicators import build_indicator_table

        wanted = period_list(periods if periods is not None else self._latest())
        return build_indicator_table(self.dataset, wanted)

    def compare(self, before: str, after: str, *, indicators: str | Sequence[str] | None = None,
                unit_code: str | None = None) -> pd.DataFrame:
        """Every indicator (or those whose id starts with ``indicators``) of two periods side by side:
        ``value_before``, ``value_after``, ``change`` and the numerators and denominators of both.

        Raises:
            UsageError: a period is not ``YYYY-MM``.
        """
        first, second = period_list(before)[0], period_list(after)[0]
        table = self.indicators([first, second])
        if indicators is not None:
            prefixes = (indicators,) if isinstance(indicators, str) else tuple(indicators)
            table = table[table["indicator"].str.startswith(prefixes)]
        if unit_code is not None:
            table = table[table["unit_code"] == str(unit_code)]
        keys = ["indicator", "unit_code"]
        old = table[table["period"] == first][[*keys, *_COMPARED]]
        new = table[table["period"] == second][[*keys, *_COMPARED]]
        both = old.merge(new, on=keys, how="outer", suffixes=("_before", "_after"))
        both.insert(2, "change", both["value_after"] - both["value_before"])
        return both.sort_values(keys, kind="stable").reset_index(drop=True)

    def output_path(self, name: str | Path = "") -> Path:
        """``name`` inside the project's ``outputs/adhoc/`` folder (absolute; the folder is created).

        JupyterLab runs a notebook in ``notebooks/``, so a relative ``outputs/...`` would land beside the
        committed notebooks; ``outputs/`` is git-ignored wherever it is, but belongs at the project's top.

        Raises:
            UsageError: no project folder (set ``NRD_PROJECT_DIR``).
        """
        from nrd import paths

        root = paths.project_dir()
        if root is None:
            raise UsageError(f"no project folder to write outputs/adhoc into; pass an explicit path or set "
                             f"{paths.PROJECT_DIR_ENV}")
        folder = root / ADHOC_OUTPUTS
        folder.mkdir(parents=True, exist_ok=True)
        return folder / name if str(name) else folder

    def report(self, kind: str, period: str | None = None, *, out: str | Path | None = None,
               lang: str = "vi", engine: str | None = None, **parameters: Any):
        """Run one report of this dataset (``notebooks/<kind>.ipynb`` of the project) and write its HTML page
        to ``out`` (default: the project's ``outputs/adhoc/``; a relative ``out`` is taken from the working
        directory); ``parameters`` are the notebook's own (``unit_code=``, ``department=``).

        Returns the ``nrd.run.render.ReportResult`` (``.html_path``, ``.ok``, ``.error``; absolute paths).

        Raises:
            UsageError: no project notebooks folder (set ``NRD_PROJECT_DIR``) or no such notebook.
        """
        from nrd import paths
        from nrd.run.render import render_report

        folder = paths.notebooks_dir()
        if folder is None or not (folder / f"{kind}.ipynb").is_file():
            raise UsageError(f"report notebook {kind!r} not found (notebooks folder: {folder}); run from inside "
                             f"the project or set {paths.PROJECT_DIR_ENV}")
        out_dir = self.output_path() if out is None else Path(out).resolve()
        return render_report(folder / f"{kind}.ipynb", period=period or self._latest(), parameters=parameters,
                             out_dir=out_dir, lang=lang, data_dir=self.dataset.data_dir, engine_name=engine)

    def to_excel(self, frames: pd.DataFrame | Mapping[str, pd.DataFrame], path: str | Path, *,
                 title: str = "") -> Path:
        """Write a view (or ``{"sheet": frame}``) to a formatted workbook: headers frozen and filterable,
        numbers as numbers, text that looks like a formula stored as text. Never into the data folder.

        Raises:
            UsageError: ``path`` is inside the dataset folder (it is read-only to us).
        """
        from nrd.run.export import write_workbook

        target = Path(path).resolve()
        data_dir = self.dataset.data_dir
        if data_dir is not None and target.is_relative_to(Path(data_dir).resolve()):
            raise UsageError(f"{path}: inside the data folder {data_dir}; write exports elsewhere (outputs/)")
        tables = {"view": frames} if isinstance(frames, pd.DataFrame) else dict(frames)
        return write_workbook(tables, target, title=title)

    def _latest(self) -> str:
        latest = self.dataset.latest_period
        if latest is None:
            raise UsageError("the dataset has no period with data; pass the periods")
        return latest

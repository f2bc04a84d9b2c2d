"""The department view: the criteria a department leads, their shares, and the communes that lag."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from nrd.errors import UnknownNameError
from nrd.indicators.catalog import share_rows
from nrd.indicators.context import prepare


@dataclass(frozen=True)
class DepartmentView:
    """``criteria``: criterion, names, met/reporting/share; ``lagging``: communes not meeting one of them."""

    department: str
    criteria_set: str
    period: str
    criteria: pd.DataFrame
    lagging: pd.DataFrame


def department_view(ds, period: str, department: str) -> DepartmentView:
    """The criteria ``department`` leads in the set in force at P and the communes that do not meet them.

    ``criteria``: criterion, name_vi, name_en, name_fr, met (numerator), reporting (denominator), share (%).
    ``lagging``: unit_code, name, criterion, status (``not_met``, ``basically_met``, or ``missing`` when the
    commune never submitted under this set), submission_period, stale.

    Raises:
        UnknownNameError: ``department`` is not a department of the reference data.
    """
    from nrd.reference import load_departments

    known = list(load_departments()["department"])
    if department not in known:
        raise UnknownNameError("department", department, known)
    ctx = prepare(ds).context(period)
    led = ctx.criteria_set.criteria.assign(criterion=lambda f: f["criterion"].astype("str").str.strip())
    led = led[led["department"] == department]
    status = ctx.criteria_status
    reporting = len(ctx.met_counts)
    met = status[status["status"] == "met"].groupby("criterion").size().reindex(led["criterion"], fill_value=0)
    shares = share_rows(["-"] * len(led), met.to_numpy(), [reporting] * len(led))
    criteria = led[["criterion", "name_vi", "name_en", "name_fr"]].reset_index(drop=True).assign(
        met=shares["numerator"], reporting=shares["denominator"], share=shares["value"]
    )
    grid = pd.MultiIndex.from_product([ctx.communes, list(led["criterion"])], names=["unit_code", "criterion"])
    full = status.set_index(["unit_code", "criterion"]).reindex(grid).reset_index()
    full = full.assign(status=full["status"].fillna("missing"), stale=full["stale"].fillna(False).astype(bool))
    lagging = full[full["status"] != "met"]
    names = ctx.prepared.units.set_index("unit_code")["name"]
    lagging = lagging.assign(name=lagging["unit_code"].map(names)).rename(columns={"period": "submission_period"})
    lagging = lagging[["unit_code", "name", "criterion", "status", "submission_period", "stale"]]
    return DepartmentView(department, ctx.criteria_set.id, ctx.period, criteria, lagging.reset_index(drop=True))


def department_trend(table: pd.DataFrame, department: str, province_code: str) -> pd.DataFrame:
    """The department's met share (``criteria.dept_met_share.<department>``) per period of the indicator
    ``table``: ``period``, ``value``, ``numerator``, ``denominator``, in time order."""
    rows = table[(table["indicator"] == f"criteria.dept_met_share.{department}")
                 & (table["unit_code"] == str(province_code))]
    return rows[["period", "value", "numerator", "denominator"]].sort_values("period").reset_index(drop=True)

"""Assemble the demo dataset: build every table from one seed, then write the office's files.

``build_demo_tables`` is pure (seed and parameters in, frames out); ``generate_demo_dataset`` writes them.
Each table family draws from its own generator (``default_rng([seed, family])``), so changing one
family never shifts the numbers of another.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from nrd.contract import DEFAULT_PROVINCE, REFERENCE_DIR, REFERENCE_TABLES, TABLES
from nrd.demo._common import CALENDAR_END, CALENDAR_START, MONTH_INDEX
from nrd.demo.capital import build_capital_disbursement, build_capital_mobilized, build_capital_plan
from nrd.demo.nra import build_criteria_and_recognitions, build_organization
from nrd.demo.ocop import build_ocop
from nrd.demo.pipelines import build_appraisals, build_inspections, build_projects, with_council
from nrd.demo.phase import build_commune_groups, build_phase_recognitions
from nrd.demo.targets import DemoTargets, targets_for
from nrd.demo.write import office_frame, vn_number, write_csv, write_xlsx
from nrd.errors import UsageError
from nrd.log import logger
from nrd.periods import parse_period, period_end

DEFAULT_SEED = 37
CSV_TABLES = ("capital_mobilized",)  # the one table the office receives as CSV
_FAMILIES = {"nra": 1, "organization": 2, "ocop": 3, "plan": 4, "disbursement": 5, "mobilized": 6, "phase": 7,
             "projects": 8, "appraisals": 9, "inspections": 10, "council": 11}
_DATE_COLUMNS = {
    "recognitions": "decision_date",
    "commune_groups": "decision_date",
    "ocop_products": "recognized_on",
    "ocop_registrations": "registered_on",
    "projects": "start_date",
    "appraisals": "stage_date",
    "inspections": "visit_date",
}


def _rng(seed: int, family: str) -> np.random.Generator:
    return np.random.default_rng([seed, _FAMILIES[family]])


def _with_indicator_detail(
    criteria_status: pd.DataFrame, indicators: pd.DataFrame, period: str, n_communes: int = 8
) -> pd.DataFrame:
    """Add a few indicator rows (criterion 2 of qd318) for some communes at ``period``, each right after
    its criterion row and consistent with it: all met when it is met, else the second carries its status."""
    detail = indicators[indicators["criterion"] == "2"]["indicator"].tolist()
    anchors = np.nonzero(
        (
            (criteria_status["period"] == period)
            & (criteria_status["criterion"] == "2")
            & criteria_status["criteria_set"].isna()
        ).to_numpy()
    )[0][:n_communes]
    rows = criteria_status.iloc[np.repeat(anchors, len(detail))].copy()
    rows["indicator"] = np.tile(np.asarray(detail, dtype=object), len(anchors))
    second = np.tile(np.arange(len(detail)) == 1, len(anchors))
    rows["status"] = np.where(second, rows["status"].to_numpy(dtype=object), "met")
    rows["note"] = None
    rows["value"] = np.nan
    # Integer keys keep every row where it is and put each detail row after its anchor.
    keys = np.concatenate(
        [
            np.arange(len(criteria_status)) * 100,
            np.repeat(anchors, len(detail)) * 100 + np.tile(np.arange(1, len(detail) + 1), len(anchors)),
        ]
    )
    combined = pd.concat([criteria_status, rows], ignore_index=True)
    return combined.iloc[np.argsort(keys, kind="stable")].reset_index(drop=True)


def build_demo_tables(
    province: str = DEFAULT_PROVINCE, seed: int = DEFAULT_SEED, end: str = CALENDAR_END
) -> tuple[dict[str, pd.DataFrame], DemoTargets]:
    """Every contract table for ``province`` (``"37"``, another code, or ``"all"``), canonical form.

    Args:
        province: whose units the data covers.
        seed: the generator seed; the same seed gives the same tables.
        end: last period written (``CALENDAR_START``..``CALENDAR_END``); rows after it are left out.

    Returns:
        The tables by name (the input tables, and ``commune_groups``, the office's reference file) and the
        figures they reproduce at the reference period.
    """
    from nrd.reference import load_criteria_sets, load_units

    end = parse_period(end)
    if end not in MONTH_INDEX:
        raise UsageError(
            f"demo data end period {end!r}: expected a month from {CALENDAR_START} to {CALENDAR_END}"
        )
    units = load_units(province)
    communes = units[units["unit_type"] == "commune"].reset_index(drop=True)
    province_code = "all" if str(province).lower() == "all" else units["province_code"].iloc[0]
    targets = targets_for(len(communes), len(units), province_code)
    sets = load_criteria_sets()
    qd318, qd51 = sets["qd318_2022"], sets["qd51_2025"]

    criteria_status, recognitions, timeline = build_criteria_and_recognitions(
        _rng(seed, "nra"),
        communes,
        targets,
        qd318.criteria["criterion"].tolist(),
        qd51.criteria["criterion"].tolist(),
    )
    criteria_status = _with_indicator_detail(criteria_status, qd318.indicators, "2025-09")
    phase_rng = _rng(seed, "phase")
    phase_rows = build_phase_recognitions(phase_rng, communes["unit_code"].to_numpy(), criteria_status, timeline,
                                          qd51.id)
    recognitions = pd.concat([recognitions, phase_rows], ignore_index=True)
    id_prefix = "VN" if province_code == "all" else province_code
    products, entities, registrations = build_ocop(_rng(seed, "ocop"), units, targets, id_prefix)
    plan = build_capital_plan(_rng(seed, "plan"), communes, targets)
    tables = {
        "criteria_status": criteria_status,
        "recognitions": recognitions,
        "capital_plan": plan,
        "capital_disbursement": build_capital_disbursement(_rng(seed, "disbursement"), plan),
        "capital_mobilized": build_capital_mobilized(_rng(seed, "mobilized"), targets),
        "ocop_products": products,
        "ocop_entities": entities,
        "ocop_registrations": registrations,
        "organization": build_organization(_rng(seed, "organization"), communes),
        "commune_groups": build_commune_groups(phase_rng, units),
    }
    tables["ocop_registrations"] = with_council(_rng(seed, "council"), registrations)
    tables["projects"], tables["project_progress"] = build_projects(_rng(seed, "projects"), communes, plan)
    tables["appraisals"] = build_appraisals(_rng(seed, "appraisals"), recognitions, communes)
    from nrd.reference import load_departments

    tables["inspections"] = build_inspections(_rng(seed, "inspections"), units,
                                              load_departments()["department"].tolist())
    return _cut_at(tables, end), targets


def _cut_at(tables: dict[str, pd.DataFrame], end: str) -> dict[str, pd.DataFrame]:
    """Leave out what happened after ``end``: later periods, decisions, plan years, revocations."""
    last_day = period_end(end)
    out = {}
    for name, frame in tables.items():
        keep = pd.Series(True, index=frame.index)
        if "period" in frame.columns:
            keep &= frame["period"] <= end
        if name in _DATE_COLUMNS:
            keep &= frame[_DATE_COLUMNS[name]] <= last_day
        if name == "capital_plan":
            keep &= frame["year"] <= int(end[:4])
        frame = frame[keep].copy()
        if "revoked_on" in frame.columns:
            frame["revoked_on"] = frame["revoked_on"].where(frame["revoked_on"] <= last_day)
        if "resolved_on" in frame.columns:
            frame["resolved_on"] = frame["resolved_on"].where(frame["resolved_on"] <= last_day)
        out[name] = frame.reset_index(drop=True)
    return out


def _office_touches(
    name: str, cells: pd.DataFrame, frame: pd.DataFrame, unit_names: dict[str, str]
) -> pd.DataFrame:
    """What hand-kept files look like: a few Vietnamese-format amounts typed as text, a few units written
    by name, a few dates typed as text dd/mm/yyyy."""
    cells = cells.copy()
    if name == "capital_plan":
        label = TABLES[name].column("amount_mvnd").label_vi
        typed = frame["amount_mvnd"] % 1 != 0
        cells.loc[typed, label] = [vn_number(v) for v in frame.loc[typed, "amount_mvnd"]]
    if name == "organization":
        label = TABLES[name].column("unit_code").label_vi
        # only names the reader can resolve: a name shared by several units (national scale) stays a code
        by_name = (
            (frame["period"] == "2025-07")
            & (np.arange(len(frame)) % 10 == 0)
            & frame["unit_code"].isin(list(unit_names)).to_numpy()
        )
        cells.loc[by_name, label] = [unit_names[c] for c in frame.loc[by_name, "unit_code"]]
    if name == "ocop_registrations":
        label = TABLES[name].column("registered_on").label_vi
        typed = np.arange(len(frame)) % 25 == 0
        cells.loc[typed, label] = [d.strftime("%d/%m/%Y") for d in frame.loc[typed, "registered_on"]]
    return cells


def generate_demo_dataset(
    out_dir: str | Path,
    *,
    province: str = DEFAULT_PROVINCE,
    seed: int = DEFAULT_SEED,
    end: str = CALENDAR_END,
    fmt: str = "xlsx",
) -> dict[str, Path]:
    """Write the demo dataset into ``out_dir``: one file per table and a ``dataset.yaml``.

    Args:
        out_dir: folder (created when missing; files of the same names are replaced).
        province: ``"37"`` (the committed demo), another province code, or ``"all"`` (national).
        seed: generator seed.
        end: last period written.
        fmt: ``"xlsx"`` (Excel files, with ``capital_mobilized`` as CSV, as the office receives them) or
            ``"csv"`` (every table as CSV; fast at national size).

    Returns:
        The written file of each table.
    """
    if fmt not in ("xlsx", "csv"):
        raise UsageError(f"demo data format {fmt!r}: expected xlsx or csv")
    tables, _ = build_demo_tables(province, seed, end)
    from nrd.reference import load_units

    units = load_units(province)
    unique = ~units["name"].duplicated(keep=False)
    unit_names = dict(zip(units.loc[unique, "unit_code"], units.loc[unique, "name"]))
    province_code = "all" if str(province).lower() == "all" else units["province_code"].iloc[0]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "dataset.yaml").write_text(
        f"# Synthetic demo dataset written by `nrd demo-data` (seed {seed}); not real figures.\n"
        f'province_code: "{province_code}"\n',
        encoding="utf-8",
    )
    paths = {}
    (out / REFERENCE_DIR / "commune_groups.csv").unlink(missing_ok=True)
    for name, frame in tables.items():
        if name in REFERENCE_TABLES:  # the office's own reference file, in its subfolder, as CSV
            if len(frame):
                table = REFERENCE_TABLES[name]
                (out / REFERENCE_DIR).mkdir(exist_ok=True)
                paths[name] = write_csv(table, office_frame(table, frame, dates_as="iso"),
                                        out / REFERENCE_DIR / f"{name}.csv")
            continue
        table = TABLES[name]
        as_csv = fmt == "csv" or name in CSV_TABLES
        cells = _office_touches(
            name, office_frame(table, frame, dates_as="iso" if as_csv else "date"), frame, unit_names
        )
        for stale in (out / f"{name}.csv", out / f"{name}.xlsx"):
            stale.unlink(missing_ok=True)
        paths[name] = (
            write_csv(table, cells, out / f"{name}.csv")
            if as_csv
            else write_xlsx(table, cells, out / f"{name}.xlsx")
        )
        logger.info("demo data: %s, %d rows -> %s", name, len(frame), paths[name].name)
    return paths

"""The 2026-2030 phase in the demo dataset: the office's commune groups and the recognitions under the new set.

Synthetic, like the rest of the demo. Groups: most communes in group 2; group 1 for the communes that
share a pre-2025 unit with a ward (next to an existing urban area); for Ninh Bình, group 3 for the two
communes formed from the mountain communes of old Nho Quan (a made-up classification: the province's real
decision is not public). Recognitions: from mid-2026 the communes that meet every criterion of the new
set are recognised under it, a few months after they first meet them; a handful of them then join the
modern-commune pilot. Nothing here moves a figure of the reference period (September 2025).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nrd.demo._common import MONTH_INDEX, MONTHS, dates_in_months, decision_numbers

PHASE_RECOGNITIONS_FROM = "2026-06"  # the first decisions under the new set (appraisal takes months)
MODERN_PILOTS_FROM = "2026-09"
MODERN_PILOTS = 3
GROUPS_DECIDED_IN = "2026-03"
# Pre-2025 communes of old Nho Quan's mountain area; the new communes formed from them are put in group 3.
_MOUNTAIN_LEGACY = ("Xã Cúc Phương", "Xã Kỳ Phú")


def build_commune_groups(rng: np.random.Generator, units: pd.DataFrame) -> pd.DataFrame:
    """``commune_groups`` (canonical columns): one row per commune of ``units``."""
    communes = units[units["unit_type"] == "commune"]
    legacy = {
        code: [s.strip() for s in str(sources).split(";") if s.strip()]
        for code, sources in zip(units["unit_code"], units["legacy_sources"])
    }
    ward_sources = {s for code, kind in zip(units["unit_code"], units["unit_type"]) if kind == "ward"
                    for s in legacy[code]}
    group = []
    for code in communes["unit_code"]:
        sources = set(legacy[code])
        if sources & set(_MOUNTAIN_LEGACY):
            group.append(3)
        elif sources & ward_sources:
            group.append(1)
        else:
            group.append(2)
    day = dates_in_months(rng, np.array([MONTH_INDEX[GROUPS_DECIDED_IN]]))[0]
    return pd.DataFrame({
        "unit_code": communes["unit_code"].to_numpy(),
        "group": np.asarray(group, dtype="int64"),
        "decision_no": decision_numbers(rng, 1)[0],
        "decision_date": pd.Series([day] * len(communes), dtype="datetime64[ns]"),
    })


def build_phase_recognitions(
    rng: np.random.Generator, codes: np.ndarray, criteria_status: pd.DataFrame, timeline: dict, phase_set: str
) -> pd.DataFrame:
    """``recognitions`` rows under the set of the new phase: ``nra`` for communes whose submission shows
    every criterion met (the dossier's self-assessment) one to three months before the decision, ``modern``
    for a few of those (the pilot); dated up to the calendar end.

    Half of the ``nra`` rows leave ``criteria_set`` blank, as offices do: the set in force on the decision
    date is the same one.
    """
    last = len(MONTHS) - 1
    start = MONTH_INDEX[PHASE_RECOGNITIONS_FROM]
    rows = criteria_status[(criteria_status["criteria_set"] == phase_set) & criteria_status["indicator"].isna()]
    complete = rows.groupby(["unit_code", "period"])["status"].agg(lambda s: bool((s == "met").all()))
    complete = complete[complete].reset_index()
    dossier = complete[complete["period"].map(MONTH_INDEX) >= start - 1].groupby("unit_code")["period"].min()
    first = np.array([MONTH_INDEX[dossier[c]] if c in dossier.index else 10_000 for c in codes])
    decided = first + 1 + rng.integers(0, 3, size=len(codes))
    chosen = np.nonzero((decided <= last) & (rng.random(len(codes)) < 0.75))[0]
    rows = [(int(c), "nra", int(decided[c])) for c in chosen]
    # The pilot: the recognised communes with the highest 2021-2025 level (model, then advanced) first.
    earlier = np.where(timeline["model"] < MONTH_INDEX[PHASE_RECOGNITIONS_FROM], 3,
                       np.where(timeline["advanced"] < MONTH_INDEX[PHASE_RECOGNITIONS_FROM], 2, 1))
    pilots = sorted(chosen, key=lambda c: (-earlier[c], decided[c], c))[:MODERN_PILOTS]
    for c in pilots:
        month = max(int(decided[c]) + 2, MONTH_INDEX[MODERN_PILOTS_FROM])
        if month <= last:
            rows.append((int(c), "modern", month))
    rows.sort(key=lambda r: (r[2], r[0], r[1]))
    months = np.array([r[2] for r in rows], dtype="int64")
    frame = pd.DataFrame({
        "unit_code": [codes[r[0]] for r in rows],
        "level": [r[1] for r in rows],
        "decision_no": decision_numbers(rng, len(rows)),
        "decision_date": dates_in_months(rng, months),
        "criteria_set": [phase_set if (r[1] == "modern" or i % 2) else None for i, r in enumerate(rows)],
        "revoked_on": pd.Series(pd.NaT, index=range(len(rows)), dtype="datetime64[ns]"),
    })
    return frame

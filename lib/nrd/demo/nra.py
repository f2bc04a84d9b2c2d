"""Commune criteria, recognition decisions and steering structures of the demo dataset.

The model: each commune meets its criteria one by one and is recognised (NRA) once all are met; some
are later recognised advanced and model. A few communes slip back on a criterion for some months (an
inspection finds it no longer maintained); one NRA recognition is revoked and granted again, and one
advanced recognition is revoked after the reference period. From 2026-02 the communes report against
the 2026-2030 set and start again from fewer criteria met. Everything is drawn from one generator.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nrd.demo._common import MONTH_INDEX, MONTHS, QD51_FROM, dates_in_months, decision_numbers
from nrd.demo.targets import REFERENCE_PERIOD, DemoTargets

NOT_MET, BASICALLY_MET, MET = 0, 1, 2
_STATUS_CODES = np.array(["not_met", "basically_met", "met"], dtype=object)
_NEVER = 10_000  # a month index beyond any calendar: "not within the simulated years"
SLIP_NOTE = "Phúc tra: chưa duy trì tiêu chí"
ORGANIZATION_PERIODS = ("2021-01", "2022-01", "2023-01", "2024-01", "2025-01", "2025-07", "2026-01")


def build_commune_timeline(rng: np.random.Generator, n_communes: int, targets: DemoTargets) -> dict:
    """Months (calendar indexes) of each commune's recognitions, and the two revocation stories.

    Returns a dict of arrays ``nra``, ``advanced``, ``model`` (index or ``_NEVER``) and the scalars
    ``rerecognized`` (commune, revoke month, new decision month) and ``advanced_revoked`` (commune, month).
    """
    t_ref = MONTH_INDEX[REFERENCE_PERIOD]
    last_qd318 = MONTH_INDEX[QD51_FROM] - 1
    order = rng.permutation(n_communes)
    recognized = order[: targets.communes_nra]
    nra = np.full(n_communes, _NEVER)
    # Most communes of the delta were recognised early in the phase: a skewed draw over 2021-03..2025-08.
    nra[recognized] = 2 + np.floor(rng.beta(1.3, 2.4, size=len(recognized)) * (t_ref - 2)).astype(int)
    later = order[targets.communes_nra :]
    late_draw = rng.integers(t_ref + 1, last_qd318 + 1, size=len(later))
    nra[later] = np.where(rng.random(len(later)) < 0.4, late_draw, _NEVER)

    advanced = np.full(n_communes, _NEVER)
    eligible = recognized[nra[recognized] <= t_ref - 8]
    if len(eligible) < targets.communes_advanced:
        raise ValueError("demo timeline: too few early NRA communes for the advanced target")
    chosen = rng.permutation(eligible)[: targets.communes_advanced]
    room = t_ref - (nra[chosen] + 6)
    advanced[chosen] = nra[chosen] + 6 + np.floor(rng.random(len(chosen)) * (room + 1)).astype(int)

    model = np.full(n_communes, _NEVER)
    eligible = chosen[advanced[chosen] <= t_ref - 6]
    model_chosen = rng.permutation(eligible)[: targets.communes_model]
    room = t_ref - (advanced[model_chosen] + 5)
    model[model_chosen] = (
        advanced[model_chosen] + 5 + np.floor(rng.random(len(model_chosen)) * (room + 1)).astype(int)
    )

    # One NRA recognition revoked and granted again before the reference period (a commune recognised
    # early and never advanced), and one advanced recognition revoked after it.
    plain_early = [c for c in recognized if advanced[c] == _NEVER and nra[c] <= 24]
    rerecognized = None
    if plain_early:
        commune = int(plain_early[0])
        revoke = int(nra[commune] + rng.integers(10, 15))
        again = int(min(revoke + rng.integers(8, 13), t_ref - 1))
        rerecognized = (commune, revoke, again)
    advanced_only = [c for c in chosen if model[c] == _NEVER]
    advanced_revoked = (int(advanced_only[0]), MONTH_INDEX["2026-04"]) if advanced_only else None
    return {
        "nra": nra,
        "advanced": advanced,
        "model": model,
        "rerecognized": rerecognized,
        "advanced_revoked": advanced_revoked,
    }


def _status_from(met_from: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Status per (commune, month, criterion): met from ``met_from``, basically met in the 4 months before."""
    gap = met_from[:, None, :] - months[None, :, None]
    return np.where(gap <= 0, MET, np.where(gap <= 4, BASICALLY_MET, NOT_MET)).astype(np.int8)


def _submission_mask(rng: np.random.Generator, n_communes: int, nra: np.ndarray) -> np.ndarray:
    """Which (commune, month) submitted: mostly quarter ends, some other months, gaps; most at the end."""
    n_months = len(MONTHS)
    month_numbers = np.array([int(p[5:]) for p in MONTHS])
    chance = np.where(month_numbers % 3 == 0, 0.85, 0.12)
    chance[-1] = 0.93
    mask = rng.random((n_communes, n_months)) < chance[None, :]
    # A commune reports the month before its recognition decision (the dossier's self-assessment).
    before = nra - 1
    rows = np.nonzero((before >= 0) & (before < n_months))[0]
    mask[rows, before[rows]] = True
    return mask


def build_criteria_and_recognitions(
    rng: np.random.Generator,
    communes: pd.DataFrame,
    targets: DemoTargets,
    criteria_qd318: list[str],
    criteria_qd51: list[str],
) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """The ``criteria_status`` and ``recognitions`` tables (canonical columns, English codes)."""
    codes = communes["unit_code"].to_numpy()
    n = len(codes)
    timeline = build_commune_timeline(rng, n, targets)
    nra = timeline["nra"]
    split = MONTH_INDEX[QD51_FROM]

    # 2021-2025 set: each criterion is met some months before the recognition.
    k318 = len(criteria_qd318)
    # Criteria arrive between well before 2021 and the month before recognition; later-recognised
    # communes start the phase with fewer criteria met.
    lead = 1 + np.floor(
        rng.random((n, k318)) ** 0.7 * (np.minimum(nra, MONTH_INDEX[QD51_FROM])[:, None] + 36)
    ).astype(int)
    # A commune never recognised in these years still makes progress: its criteria arrive over ~12 years.
    unhurried = rng.integers(-30, 140, size=(n, k318))
    met_from = np.where((nra == _NEVER)[:, None], unhurried, nra[:, None] - lead)
    months318 = np.arange(split)
    status318 = _status_from(met_from, months318)
    slip318 = np.zeros_like(status318, dtype=bool)
    slipping = np.nonzero(rng.random(n) < 0.18)[0]
    crit = rng.integers(0, k318, size=len(slipping))
    start = (
        np.maximum(met_from[slipping, crit], np.minimum(nra[slipping], split - 1))
        + 2
        + rng.integers(0, 30, len(slipping))
    )
    length = rng.integers(2, 9, size=len(slipping))
    level = np.where(rng.random(len(slipping)) < 0.7, BASICALLY_MET, NOT_MET)
    stories = []
    if timeline["rerecognized"]:
        commune, revoke, again = timeline["rerecognized"]
        stories.append((commune, int(rng.integers(0, k318)), revoke - 4, again - 1 - (revoke - 4), NOT_MET))
    if timeline["advanced_revoked"]:
        commune, _ = timeline["advanced_revoked"]
        stories.append((commune, int(rng.integers(0, k318)), split - 4, 4, BASICALLY_MET))
    for c, k, s, length_, value in [*zip(slipping, crit, start, length, level), *stories]:
        window = (months318 >= s) & (months318 < s + length_)
        status318[c, window, k] = np.where(status318[c, window, k] == MET, value, status318[c, window, k])
        slip318[c, window, k] = status318[c, window, k] != MET

    # 2026-2030 set: harder; a commune with a higher level starts with more criteria met.
    k51 = len(criteria_qd51)
    months51 = np.arange(split, len(MONTHS))
    level_now = (nra <= split) * 1 + (timeline["advanced"] <= split) + (timeline["model"] <= split)
    met_from51 = split + rng.integers(-20, 26, size=(n, k51)) - 7 * level_now[:, None]
    status51 = _status_from(met_from51, months51)

    submitted = _submission_mask(rng, n, nra)
    income_base = rng.normal(52.0, 6.0, size=n)
    frames = []
    for status, slips, months, criteria, set_id in (
        (status318, slip318, months318, criteria_qd318, pd.NA),
        (status51, np.zeros_like(status51, dtype=bool), months51, criteria_qd51, "qd51_2025"),
    ):
        c_idx, m_pos = np.nonzero(submitted[:, months])
        k = len(criteria)
        c_rep, m_rep = np.repeat(c_idx, k), np.repeat(months[m_pos], k)
        k_rep = np.tile(np.arange(k), len(c_idx))
        order = np.lexsort((k_rep, c_rep, m_rep))  # by period, then commune, then criterion
        c_rep, m_rep, k_rep = c_rep[order], m_rep[order], k_rep[order]
        values = status[c_rep, m_rep - months[0], k_rep]
        frame = pd.DataFrame(
            {
                "period": np.asarray(MONTHS, dtype=object)[m_rep],
                "unit_code": codes[c_rep],
                "criteria_set": set_id,
                "criterion": np.asarray(criteria, dtype=object)[k_rep],
                "indicator": pd.NA,
                "status": _STATUS_CODES[values],
                "value": np.nan,
                "note": np.where(slips[c_rep, m_rep - months[0], k_rep], SLIP_NOTE, None),
            }
        )
        if set_id is pd.NA and "10" in criteria:
            # Criterion 10 (income) carries its measured value, million VND per person per year.
            income = income_base[c_rep] * 1.065 ** (m_rep / 12)
            frame["value"] = np.where(frame["criterion"] == "10", np.round(income, 1), np.nan)
        frames.append(frame)
    criteria_status = pd.concat(frames, ignore_index=True)
    recognitions = _recognition_rows(rng, codes, timeline)
    return criteria_status, recognitions, timeline


def _recognition_rows(rng: np.random.Generator, codes: np.ndarray, timeline: dict) -> pd.DataFrame:
    n_months = MONTH_INDEX[QD51_FROM]
    rows: list[tuple[int, str, int]] = []  # (commune, level, month)
    for level in ("nra", "advanced", "model"):
        months = timeline[level]
        rows += [(int(c), level, int(months[c])) for c in np.nonzero(months < n_months)[0]]
    if timeline["rerecognized"]:
        commune, _, again = timeline["rerecognized"]
        rows.append((commune, "nra", again))
    rows.sort(key=lambda r: (r[2], r[0], r[1]))
    month_idx = np.array([r[2] for r in rows])
    frame = pd.DataFrame(
        {
            "unit_code": [codes[r[0]] for r in rows],
            "level": [r[1] for r in rows],
            "decision_no": decision_numbers(rng, len(rows)),
            "decision_date": dates_in_months(rng, month_idx),
            "criteria_set": "qd318_2022",
            "revoked_on": pd.Series(pd.NaT, index=range(len(rows)), dtype="datetime64[ns]"),
        }
    )
    if timeline["rerecognized"]:
        commune, revoke, _ = timeline["rerecognized"]
        first = frame.index[(frame["unit_code"] == codes[commune]) & (frame["level"] == "nra")][0]
        frame.loc[first, "revoked_on"] = dates_in_months(rng, np.array([revoke]))[0]
    if timeline["advanced_revoked"]:
        commune, month = timeline["advanced_revoked"]
        row = frame.index[(frame["unit_code"] == codes[commune]) & (frame["level"] == "advanced")][0]
        frame.loc[row, "revoked_on"] = dates_in_months(rng, np.array([month]))[0]
    return frame.sort_values(["decision_date", "unit_code", "level"], kind="stable").reset_index(drop=True)


def build_organization(rng: np.random.Generator, communes: pd.DataFrame) -> pd.DataFrame:
    """Steering committee and NRD officials per commune, reported each January and after the merger."""
    codes = communes["unit_code"].to_numpy()
    frames = []
    for period in ORGANIZATION_PERIODS:
        after_merger = period == "2025-07"
        present = np.ones(len(codes), dtype=bool) if after_merger else rng.random(len(codes)) > 0.08
        committee = rng.random(len(codes)) < (0.85 if after_merger else 0.97)
        officials = (
            rng.integers(2, 6, size=len(codes))
            if period >= "2025-07"
            else rng.integers(1, 4, size=len(codes))
        )
        frames.append(
            pd.DataFrame(
                {
                    "period": period,
                    "unit_code": codes[present],
                    "steering_committee": committee[present],
                    "nrd_officials": officials[present],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)

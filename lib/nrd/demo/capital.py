"""Capital plan, disbursement and mobilisation of the demo dataset.

Plan lines are held at province level (blank unit) or assigned to communes; the central capital of
2021-2025 adds up exactly to the published total. Each state-budget line disburses along an S-curve,
reported cumulatively each month from February of its plan year to January of the next (a few lines are
extended further). Mobilised capital is reported per source, cumulatively, each month.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nrd.demo._common import MONTH_INDEX, MONTHS, split_integer
from nrd.demo.targets import REFERENCE_PERIOD, DemoTargets
from nrd.periods import period_range

PLAN_YEARS = (2021, 2022, 2023, 2024, 2025, 2026)
CENTRAL_YEAR_WEIGHTS = np.array([0.14, 0.20, 0.22, 0.22, 0.22])  # 2021-2025
PROVINCE_HELD_SHARE = 0.3
MOBILIZED_SHARES = {  # of the cumulative total at the reference period
    "central_investment": 0.0054,
    "central_recurrent": 0.0032,
    "local_budget": 0.066,
    "integrated": 0.118,
    "credit": 0.515,
    "enterprise": 0.146,
    "community": 0.1464,
}


def _lines(
    rng: np.random.Generator, year: int, source: str, total: int, communes: np.ndarray
) -> pd.DataFrame:
    """One province line and lines for a varying subset of communes, summing exactly to ``total``."""
    chosen = np.sort(
        rng.choice(len(communes), size=max(1, int(len(communes) * rng.uniform(0.5, 0.8))), replace=False)
    )
    commune_weights = rng.gamma(4.0, 1.0, size=len(chosen))
    province_weight = PROVINCE_HELD_SHARE / (1 - PROVINCE_HELD_SHARE) * commune_weights.sum()
    weights = np.concatenate([[province_weight], commune_weights])
    amounts = split_integer(total, weights)
    return pd.DataFrame(
        {
            "year": year,
            "source": source,
            "unit_code": np.concatenate([[None], communes[chosen]]),
            "amount_mvnd": amounts.astype(float),
        }
    )


def build_capital_plan(
    rng: np.random.Generator, communes: pd.DataFrame, targets: DemoTargets
) -> pd.DataFrame:
    """``capital_plan``: central (exact 2021-2025 total), local budget, integrated capital; 2021-2026."""
    codes = communes["unit_code"].to_numpy()
    central_total = targets.central_capital_2021_2025
    per_year = dict(zip(PLAN_YEARS[:5], split_integer(central_total, CENTRAL_YEAR_WEIGHTS)))
    # The 2026-2030 programme starts larger (Resolution 257/2025/QH15).
    per_year[2026] = round(central_total * 0.26)
    frames = []
    for year in PLAN_YEARS:
        investment, recurrent = split_integer(per_year[year], np.array([0.62, 0.38]))
        local = round(per_year[year] * rng.uniform(1.3, 1.8))
        frames += [
            _lines(rng, year, "central_investment", int(investment), codes),
            _lines(rng, year, "central_recurrent", int(recurrent), codes),
            _lines(rng, year, "local_budget", local, codes),
        ]
        frames.append(
            pd.DataFrame(
                {
                    "year": [year],
                    "source": ["integrated"],
                    "unit_code": [None],
                    "amount_mvnd": [float(round(local * rng.uniform(1.5, 2.5)))],
                }
            )
        )
    plan = pd.concat(frames, ignore_index=True)
    # Local-budget lines are sometimes decided to the half million.
    half = (plan["source"] == "local_budget") & (rng.random(len(plan)) < 0.1)
    plan.loc[half, "amount_mvnd"] += 0.5
    return plan


def _s_curve(rng: np.random.Generator, n_lines: int, n_steps: int) -> np.ndarray:
    """Cumulative share of the final disbursement after each monthly step, increasing to 1."""
    steps = rng.gamma(1.5, 1.0, size=(n_lines, n_steps)) * np.linspace(0.5, 2.0, n_steps)[None, :]
    cumulative = np.cumsum(steps, axis=1)
    return cumulative / cumulative[:, -1:]


def build_capital_disbursement(rng: np.random.Generator, plan: pd.DataFrame) -> pd.DataFrame:
    """``capital_disbursement``: state-budget lines, cumulative monthly from February to next January."""
    lines = plan[
        plan["source"].isin(["central_investment", "central_recurrent", "local_budget"])
    ].reset_index(drop=True)
    frames = []
    for year, group in lines.groupby("year", sort=True):
        periods = period_range(f"{year}-02", f"{year + 1}-01")
        final_rate = np.where(
            group["source"].to_numpy() == "central_investment",
            rng.uniform(0.78, 0.97, len(group)),
            rng.uniform(0.88, 1.0, len(group)),
        )
        curve = _s_curve(rng, len(group), len(periods))
        amounts = np.round(group["amount_mvnd"].to_numpy()[:, None] * final_rate[:, None] * curve, 1)
        amounts = np.maximum.accumulate(amounts, axis=1)
        frame = pd.DataFrame(
            {
                "period": np.tile(periods, len(group)),
                "year": year,
                "source": np.repeat(group["source"].to_numpy(), len(periods)),
                "unit_code": np.repeat(group["unit_code"].to_numpy(), len(periods)),
                "disbursed_mvnd": amounts.ravel(),
            }
        )
        frames.append(frame)
        # The province-held investment line of each year was extended by six months.
        province_line = group[(group["source"] == "central_investment") & group["unit_code"].isna()]
        if len(province_line):
            final = amounts[list(group.index).index(province_line.index[0]), -1]
            extra_periods = period_range(f"{year + 1}-02", f"{year + 1}-07")
            remaining = province_line["amount_mvnd"].iloc[0] * 0.99 - final
            extra = np.round(final + max(remaining, 0) * np.linspace(0.3, 1.0, len(extra_periods)), 1)
            frames.append(
                pd.DataFrame(
                    {
                        "period": extra_periods,
                        "year": year,
                        "source": "central_investment",
                        "unit_code": None,
                        "disbursed_mvnd": extra,
                    }
                )
            )
    table = pd.concat(frames, ignore_index=True)
    table = table[table["period"] <= MONTHS[-1]]
    return table.sort_values(
        ["year", "source", "unit_code", "period"], kind="stable", na_position="first"
    ).reset_index(drop=True)


def build_capital_mobilized(rng: np.random.Generator, targets: DemoTargets) -> pd.DataFrame:
    """``capital_mobilized``: per source, cumulative since 2021, each month; exact total at the reference."""
    sources = list(MOBILIZED_SHARES)
    at_ref = split_integer(targets.mobilized_cumulative, np.array([MOBILIZED_SHARES[s] for s in sources]))
    t_ref = MONTH_INDEX[REFERENCE_PERIOD]
    n = len(MONTHS)
    growth = rng.gamma(3.0, 1.0, size=(len(sources), n))
    cumulative = np.cumsum(growth, axis=1)
    scaled = np.round(cumulative / cumulative[:, t_ref : t_ref + 1] * at_ref[:, None])
    scaled[:, t_ref] = at_ref  # exact at the reference period, whatever the rounding did
    scaled = np.maximum.accumulate(scaled, axis=1)
    return (
        pd.DataFrame(
            {
                "period": np.tile(MONTHS, len(sources)),
                "source": np.repeat(sources, n),
                "cumulative_mvnd": scaled.ravel(),
            }
        )
        .sort_values(["period", "source"], kind="stable")
        .reset_index(drop=True)
    )

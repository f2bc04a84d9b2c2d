"""The figures the demo dataset reproduces at the reference period.

For Ninh Bình (``37``) these are the figures the province published for September 2025; any other
province (or ``all``) gets figures scaled from the same rates, so the national dataset looks alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from nrd.contract import DEFAULT_PROVINCE

REFERENCE_PERIOD = "2025-09"


@dataclass(frozen=True)
class DemoTargets:
    """What the generated tables add up to at the end of ``REFERENCE_PERIOD`` (see the data contract)."""

    communes_nra: int
    communes_advanced: int
    communes_model: int
    products_by_stars: tuple[int, int, int]  # active 3, 4, 5 star products
    entities_active: int
    registrations_2025: int  # cycle 2025, registered on or before the end of the period
    registrations_2025_since_july: int
    central_capital_2021_2025: int  # million VND
    mobilized_cumulative: int  # million VND

    @property
    def products_active(self) -> int:
        return sum(self.products_by_stars)


NINH_BINH_2025_09 = DemoTargets(
    communes_nra=97,
    communes_advanced=65,
    communes_model=4,
    products_by_stars=(824, 153, 3),
    entities_active=516,
    registrations_2025=118,
    registrations_2025_since_july=106,
    central_capital_2021_2025=982_619,
    mobilized_cumulative=104_238_000,
)


def targets_for(n_communes: int, n_units: int, province_code: str) -> DemoTargets:
    """The published figures for Ninh Bình; for another province, the same rates scaled to its size."""
    if province_code == DEFAULT_PROVINCE:
        return NINH_BINH_2025_09
    ref = NINH_BINH_2025_09
    # Outside the delta fewer communes are recognised: national June 2025 rates (79% / 42% of NRA / 12%).
    nra = round(0.79 * n_communes)
    unit_scale = n_units / 129
    stars = tuple(max(1, round(s * unit_scale)) for s in ref.products_by_stars)
    return DemoTargets(
        communes_nra=nra,
        communes_advanced=round(0.42 * nra),
        communes_model=max(1, round(0.12 * nra)) if n_communes >= 10 else 0,
        products_by_stars=stars,
        entities_active=max(1, round(ref.entities_active / ref.products_active * sum(stars))),
        registrations_2025=max(2, round(ref.registrations_2025 * unit_scale)),
        registrations_2025_since_july=max(1, round(ref.registrations_2025_since_july * unit_scale)),
        central_capital_2021_2025=round(ref.central_capital_2021_2025 * n_communes / 97),
        mobilized_cumulative=round(ref.mobilized_cumulative * unit_scale),
    )

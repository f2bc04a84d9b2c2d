"""OCOP products, entities and registrations of the demo dataset.

At the reference period exactly the target number of products is active (by the contract's rule: the
latest recognition on or before the end of the month, not expired, not revoked), split by stars as
published, held by exactly the target number of entities. Around them: products recognised in 2019-2022
whose certificates expired (some renewed, some not), two revoked products, renewals before and after the
reference period, products of the 2025 and 2026 cycles, and the registrations of both cycles.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nrd.demo._common import base_name, dates_between
from nrd.demo.targets import REFERENCE_PERIOD, DemoTargets
from nrd.periods import period_end

VALIDITY = pd.DateOffset(months=36)
GROUP_SHARES = np.array([0.55, 0.12, 0.10, 0.10, 0.08, 0.05])  # food ... tourism
STAR_SCORE_BANDS = {3: (50, 69), 4: (70, 89), 5: (90, 100)}
PRODUCT_WORDS = {
    1: (
        "Gạo nếp cái hoa vàng",
        "Nem chua",
        "Giò me",
        "Mắm tép",
        "Bánh đa nem",
        "Thịt dê núi",
        "Mật ong",
        "Cá rô kho",
        "Tương bần",
        "Chè lam",
        "Bánh nhãn",
        "Dứa sạch",
        "Bưởi",
        "Miến dong",
        "Ruốc tôm",
    ),
    2: ("Rượu nếp", "Rượu sim", "Trà hoa vàng", "Nước cốt gấc", "Rượu men lá", "Trà sen"),
    3: ("Cao đinh lăng", "Trà thảo mộc", "Tinh dầu sả chanh", "Cà gai leo", "Cao chè vằng"),
    4: ("Chiếu cói", "Thêu ren", "Mây tre đan", "Gốm mỹ nghệ", "Đá mỹ nghệ", "Túi cói", "Sơn mài"),
    5: ("Lan hồ điệp", "Đào thế", "Bonsai", "Quất cảnh", "Sen cảnh"),
    6: ("Điểm du lịch cộng đồng", "Du lịch trải nghiệm làng nghề", "Homestay ven sông"),
}
_SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Bùi", "Đinh", "Ngô")
_MIDDLES = ("Văn", "Thị", "Đức", "Minh", "Thu")
_ENTITY_TYPES = np.array(["enterprise", "cooperative", "cooperative_group", "household"], dtype=object)
_ENTITY_TYPE_SHARES = np.array([0.30, 0.36, 0.09, 0.25])


def _scores(rng: np.random.Generator, stars: np.ndarray) -> np.ndarray:
    low = np.array([STAR_SCORE_BANDS[s][0] for s in stars])
    high = np.array([STAR_SCORE_BANDS[s][1] for s in stars])
    return (low + np.floor(rng.random(len(stars)) * (high - low + 1))).astype(float)


def _decision(rng: np.random.Generator, dates: pd.DatetimeIndex, stars: np.ndarray) -> list[str]:
    # 5-star products are recognised by the ministry (MARD, from March 2025 the merged MAE).
    numbers = rng.integers(100, 3600, size=len(dates))
    out = []
    for n, d, s in zip(numbers, dates, stars):
        issuer = "QĐ-UBND" if s < 5 else ("QĐ-BNNMT" if d >= pd.Timestamp("2025-03-01") else "QĐ-BNN")
        out.append(f"{n}/{issuer}")
    return out


def _entities(rng: np.random.Generator, units: pd.DataFrame, count: int, prefix: str) -> pd.DataFrame:
    weights = np.where(units["unit_type"].to_numpy() == "commune", 1.0, 0.6)
    unit_pos = rng.choice(len(units), size=count, p=weights / weights.sum())
    kinds = _ENTITY_TYPES[rng.choice(4, size=count, p=_ENTITY_TYPE_SHARES)]
    surname = rng.integers(0, len(_SURNAMES), size=count)
    middle = rng.integers(0, len(_MIDDLES), size=count)
    places = [base_name(n) for n in units["name"].to_numpy()[unit_pos]]
    people = [
        f"{_SURNAMES[a]} {_MIDDLES[b]} Mẫu {i + 1:04d}" for i, (a, b) in enumerate(zip(surname, middle))
    ]
    names = []
    for i, (kind, place) in enumerate(zip(kinds, places)):
        if kind == "enterprise":
            names.append(f"Công ty TNHH Nông sản {place} {i + 1}")
        elif kind == "cooperative":
            names.append(f"HTX Dịch vụ nông nghiệp {place} {i + 1}")
        elif kind == "cooperative_group":
            names.append(f"Tổ hợp tác làng nghề {place} {i + 1}")
        else:
            names.append(f"Hộ kinh doanh {people[i]}")
    return pd.DataFrame(
        {
            "entity_id": [f"{prefix}{i + 1:05d}" for i in range(count)],
            "entity_name": names,
            "entity_type": kinds,
            "unit_code": units["unit_code"].to_numpy()[unit_pos],
            # Synthetic personal data: 0100 is no Vietnamese number prefix, "Mẫu" marks a sample person.
            "phone": [f"0100{i + 1:06d}" for i in range(count)],
            "representative": people,
        }
    )


def _product_names(rng: np.random.Generator, groups: np.ndarray, places: list[str]) -> list[str]:
    picks = rng.random(len(groups))
    return [
        f"{PRODUCT_WORDS[g][int(p * len(PRODUCT_WORDS[g]))]} {place}"
        for g, p, place in zip(groups, picks, places)
    ]


def build_ocop(
    rng: np.random.Generator, units: pd.DataFrame, targets: DemoTargets, id_prefix: str
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The ``ocop_products``, ``ocop_entities`` and ``ocop_registrations`` tables."""
    units = units[units["unit_type"].isin(["commune", "ward"])].reset_index(drop=True)
    ref_end = period_end(REFERENCE_PERIOD)
    n_active_entities = targets.entities_active
    n_gone = max(2, round(0.08 * n_active_entities))  # entities whose products all lapsed by the reference
    n_new = max(1, round(0.05 * n_active_entities))  # entities recognised only after it
    entities = _entities(rng, units, n_active_entities + n_gone + n_new, f"CT{id_prefix}-")
    unit_of_entity = entities["unit_code"].to_numpy()
    place_of_unit = dict(zip(units["unit_code"], (base_name(n) for n in units["name"])))

    products: list[pd.DataFrame] = []

    def add(
        entity: np.ndarray,
        stars: np.ndarray,
        dates: pd.DatetimeIndex,
        product_ids: np.ndarray,
        groups: np.ndarray,
        names: list[str],
    ) -> None:
        products.append(
            pd.DataFrame(
                {
                    "product_id": product_ids,
                    "product_name": names,
                    "entity_id": entities["entity_id"].to_numpy()[entity],
                    "unit_code": unit_of_entity[entity],
                    "group": groups,
                    "score": _scores(rng, stars),
                    "stars": stars,
                    "recognized_on": dates,
                    "decision_no": _decision(rng, dates, stars),
                }
            )
        )

    next_id = iter(range(1, 10**7))

    def new_products(entity: np.ndarray, stars: np.ndarray, dates: pd.DatetimeIndex):
        ids = np.array([f"SP{id_prefix}-{next(next_id):05d}" for _ in range(len(entity))], dtype=object)
        groups = 1 + rng.choice(6, size=len(entity), p=GROUP_SHARES)
        groups[: min(6, len(groups))] = np.arange(1, min(6, len(groups)) + 1)  # every group is present
        names = _product_names(rng, groups, [place_of_unit[u] for u in unit_of_entity[entity]])
        add(entity, stars, dates, ids, groups, names)
        return ids, groups, names

    # Active at the reference period: one product per active entity, the rest spread over them.
    n_active = targets.products_active
    entity = np.concatenate(
        [np.arange(n_active_entities), rng.integers(0, n_active_entities, size=n_active - n_active_entities)]
    )
    entity.sort()
    stars = rng.permutation(np.repeat([3, 4, 5], targets.products_by_stars))
    current = dates_between(rng, "2022-10-05", "2025-09-26", n_active)
    ids, groups, names = new_products(entity, stars, current)

    # Some of them are renewals of a 2019-2022 certificate (a star lower now and then: an upgrade).
    renewed = np.nonzero((rng.random(n_active) < 0.22) & (current >= pd.Timestamp("2022-12-01")))[0]
    earlier = current[renewed] - VALIDITY + pd.to_timedelta(rng.integers(-90, 45, len(renewed)), unit="D")
    old_stars = np.where(
        (stars[renewed] > 3) & (rng.random(len(renewed)) < 0.3), stars[renewed] - 1, stars[renewed]
    )
    add(
        entity[renewed],
        old_stars,
        pd.DatetimeIndex(earlier),
        ids[renewed],
        groups[renewed],
        [names[i] for i in renewed],
    )

    # Certificates that run out in the calendar: most are renewed around their expiry, after the reference.
    expiry = current + VALIDITY
    due = np.nonzero((expiry <= pd.Timestamp("2026-10-31")) & (rng.random(n_active) < 0.6))[0]
    renew_on = expiry[due] + pd.to_timedelta(rng.integers(-90, 60, len(due)), unit="D")
    keep = (renew_on > ref_end) & (renew_on <= pd.Timestamp("2026-10-31"))
    due = due[keep]
    add(
        entity[due],
        stars[due],
        pd.DatetimeIndex(renew_on[keep]),
        ids[due],
        groups[due],
        [names[i] for i in due],
    )

    # Lapsed by the reference: recognised 2019-2022, expired; half renewed after the reference.
    n_lapsed = max(n_gone + 2, round(0.06 * n_active))
    lapsed_entity = np.concatenate(
        [
            n_active_entities + np.arange(n_gone),
            rng.integers(0, n_active_entities + n_gone, size=n_lapsed - n_gone),
        ]
    )
    lapsed_stars = np.where(rng.random(n_lapsed) < 0.85, 3, 4)
    lapsed_on = dates_between(rng, "2019-06-01", "2022-08-31", n_lapsed)
    lapsed_ids, lapsed_groups, lapsed_names = new_products(lapsed_entity, lapsed_stars, lapsed_on)
    back = np.nonzero(rng.random(n_lapsed) < 0.5)[0]
    add(
        lapsed_entity[back],
        lapsed_stars[back],
        dates_between(rng, "2025-10-01", "2026-10-31", len(back)),
        lapsed_ids[back],
        lapsed_groups[back],
        [lapsed_names[i] for i in back],
    )

    # Two products revoked in 2024 (inspection found the quality no longer met), held by lapsed entities.
    revoked_entity = n_active_entities + rng.integers(0, n_gone, size=2)
    revoked_ids, _, _ = new_products(
        revoked_entity, np.array([3, 3]), dates_between(rng, "2022-11-01", "2023-12-31", 2)
    )
    revoked_on = dates_between(rng, "2024-02-01", "2024-11-30", 2)

    # Results of the 2025 cycle (late 2025) and the 2026 cycle (from mid-2026).
    n_later = max(2, round(0.14 * n_active))
    later_entity = np.concatenate(
        [
            n_active_entities + n_gone + np.arange(n_new),
            rng.integers(0, n_active_entities, size=n_later - n_new),
        ]
    )
    later_stars = np.where(rng.random(n_later) < 0.8, 3, 4)
    later_on = pd.DatetimeIndex(
        np.where(
            rng.random(n_later) < 0.6,
            dates_between(rng, "2025-10-15", "2025-12-30", n_later),
            dates_between(rng, "2026-07-01", "2026-10-30", n_later),
        )
    )
    new_products(later_entity, later_stars, later_on)

    table = pd.concat(products, ignore_index=True)
    table["expires_on"] = pd.Series(pd.NaT, index=table.index, dtype="datetime64[ns]")
    stated = rng.random(len(table)) < 0.3  # the office fills the expiry on some certificates only
    table.loc[stated, "expires_on"] = table.loc[stated, "recognized_on"] + VALIDITY
    table["revoked_on"] = pd.Series(pd.NaT, index=table.index, dtype="datetime64[ns]")
    for pid, when in zip(revoked_ids, revoked_on):
        table.loc[table["product_id"] == pid, "revoked_on"] = when
    table = table.sort_values(["recognized_on", "product_id"], kind="stable").reset_index(drop=True)

    registrations = _registrations(
        rng, entities.iloc[: n_active_entities + n_gone + n_new], targets, place_of_unit, id_prefix
    )
    return table, entities, registrations


def _registrations(
    rng: np.random.Generator,
    entities: pd.DataFrame,
    targets: DemoTargets,
    place_of_unit: dict[str, str],
    id_prefix: str,
) -> pd.DataFrame:
    early = targets.registrations_2025 - targets.registrations_2025_since_july
    late = max(1, round(0.15 * targets.registrations_2025))
    n_2026 = max(2, round(1.15 * targets.registrations_2025))
    dates = [
        dates_between(rng, "2025-03-01", "2025-06-30", early),
        dates_between(rng, "2025-07-01", "2025-09-30", targets.registrations_2025_since_july),
        dates_between(rng, "2025-10-01", "2025-11-15", late),
        dates_between(rng, "2026-02-01", "2026-10-31", n_2026),
    ]
    registered_on = pd.DatetimeIndex(np.concatenate([d.to_numpy() for d in dates]))
    cycle = np.repeat([2025, 2025, 2025, 2026], [len(d) for d in dates])
    n = len(registered_on)
    # The stage as of the data's end: the 2025 cycle is mostly evaluated; 2026 by how long ago it came.
    stage_names = np.array(["registered", "dossier_complete", "submitted", "evaluated"], dtype=object)
    shares = np.where(
        (cycle == 2025)[:, None],
        [0.04, 0.04, 0.10, 0.82],
        np.where(
            np.asarray(registered_on < pd.Timestamp("2026-05-01"))[:, None],
            [0.05, 0.15, 0.30, 0.50],
            np.where(
                np.asarray(registered_on < pd.Timestamp("2026-08-01"))[:, None],
                [0.15, 0.35, 0.40, 0.10],
                [0.60, 0.30, 0.10, 0.0],
            ),
        ),
    )
    stage = stage_names[(rng.random(n)[:, None] > np.cumsum(shares, axis=1)).sum(axis=1).clip(0, 3)]
    who = rng.integers(0, len(entities), size=n)
    groups = 1 + rng.choice(6, size=n, p=GROUP_SHARES)
    units = entities["unit_code"].to_numpy()[who]
    proposed = pd.array(rng.choice([3, 4, 5], size=n, p=[0.7, 0.27, 0.03]), dtype="Int64")
    proposed[rng.random(n) < 0.1] = pd.NA
    frame = (
        pd.DataFrame(
            {
                "registration_id": "",
                "product_name": _product_names(rng, groups, [place_of_unit[u] for u in units]),
                "entity_id": entities["entity_id"].to_numpy()[who],
                "unit_code": units,
                "cycle": cycle,
                "registered_on": registered_on,
                "stage": stage,
                "proposed_stars": proposed,
            }
        )
        .sort_values(["registered_on", "entity_id"], kind="stable")
        .reset_index(drop=True)
    )
    frame["registration_id"] = [f"DK{id_prefix}-{c}-{i + 1:04d}" for i, c in enumerate(frame["cycle"])]
    return frame

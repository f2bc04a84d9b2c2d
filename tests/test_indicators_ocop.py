"""OCOP: active products (validity, expiry boundary, revocation, re-recognition), entities, registrations."""

from __future__ import annotations

import pytest
from test_indicators_fixtures import C1, C2, C3, WARD, dataset, value

from nrd.indicators import compute_indicators


def product(pid, unit, entity, stars, recognized_on, **extra):
    score = {3: 60, 4: 80, 5: 95}[stars]
    return dict(product_id=pid, product_name=f"Sản phẩm {pid}", entity_id=entity, unit_code=unit, group=1,
                score=score, stars=stars, recognized_on=recognized_on, decision_no=f"QĐ-{pid}", **extra)


PRODUCTS = [
    product("P1", C1, "E1", 3, "2022-10-01"),  # default expiry 2025-10-01: active at 2025-09, not at 2025-10
    product("P2", C1, "E4", 3, "2023-01-15", expires_on="2025-09-30"),  # expires on the end of P: not active
    product("P3", C1, "E1", 3, "2023-01-15", expires_on="2025-10-01"),  # the day after: active
    product("P4", C2, "E2", 4, "2024-05-01", revoked_on="2025-09-15"),  # revoked within 2025-09
    product("P5", C2, "E2", 3, "2021-03-01"),  # expired 2024-03-01 ...
    product("P5", C2, "E2", 4, "2024-06-01"),  # ... re-recognised at 4 stars (same product_id)
    product("P6", WARD, "E3", 5, "2025-09-30"),  # a ward's product, recognised on the last day
    product("P7", C3, "E5", 3, "2025-10-05"),  # after the period
]
ENTITIES = [
    dict(entity_id=e, entity_name=f"Chủ thể {e}", entity_type="cooperative", unit_code=u, phone="0912345678")
    for e, u in (("E1", C1), ("E2", C2), ("E3", WARD), ("E4", C1), ("E5", C3))
]
REGISTRATIONS = [
    dict(registration_id="R1", product_name="A", entity_id="E1", unit_code=C1, cycle=2025,
         registered_on="2025-03-01", stage="evaluated", proposed_stars=3),
    dict(registration_id="R2", product_name="B", entity_id="E2", unit_code=C2, cycle=2025,
         registered_on="2025-09-30", stage="submitted", proposed_stars=5),
    dict(registration_id="R3", product_name="C", entity_id="E2", unit_code=C2, cycle=2025,
         registered_on="2025-10-02", stage="registered"),  # after the end of 2025-09
    dict(registration_id="R4", product_name="D", entity_id="E1", unit_code=C1, cycle=2024,
         registered_on="2024-04-01", stage="evaluated"),  # another cycle
]


@pytest.fixture(scope="module")
def ds():
    return dataset(ocop_products=PRODUCTS, ocop_entities=ENTITIES, ocop_registrations=REGISTRATIONS)


@pytest.fixture(scope="module")
def sep(ds):
    return compute_indicators(ds, "2025-09")


def test_active_products_at_2025_09(sep):
    # Active: P1, P3, P5 (its 2024 recognition), P6 -> 4; P2 expires on 2025-09-30, P4 revoked, P7 later.
    assert value(sep, "ocop.products_active") == 4
    assert value(sep, "ocop.products_active_3star") == 2  # P1, P3
    assert value(sep, "ocop.products_active_4star") == 1  # P5 by its current recognition
    assert value(sep, "ocop.products_active_5star") == 1  # P6
    assert value(sep, "ocop.entities_active") == 3  # E1, E2, E3


def test_expiring_within_180_days(sep):
    # End of P 2025-09-30; window up to 2026-03-29: P1 and P3 (2025-10-01). P5 2027-06-01, P6 2028-09-30.
    assert value(sep, "ocop.products_expiring_180d") == 2


def test_active_by_unit_includes_wards(sep):
    assert value(sep, "ocop.products_active", C1) == 2  # P1, P3
    assert value(sep, "ocop.products_active", C2) == 1  # P5
    assert value(sep, "ocop.products_active", WARD) == 1  # P6
    assert value(sep, "ocop.products_active", C3) == 0


def test_expiry_and_revocation_move_with_the_period(ds):
    aug = compute_indicators(ds, "2025-08")
    # 2025-08: P1, P2, P3, P4, P5 active (P6 not yet recognised) -> 5.
    assert value(aug, "ocop.products_active") == 5
    oct_ = compute_indicators(ds, "2025-10")
    # 2025-10: P1 and P3 expired on 2025-10-01; P5, P6, P7 active -> 3.
    assert value(oct_, "ocop.products_active") == 3
    apr24 = compute_indicators(ds, "2024-04")
    # 2024-04: P5's first recognition expired 2024-03-01, not yet re-recognised; P1, P2, P3 active -> 3.
    assert value(apr24, "ocop.products_active") == 3


def test_registrations_of_the_cycle(sep):
    assert value(sep, "ocop.registrations_cycle") == 2  # R1, R2 (R3 registered after, R4 other cycle)
    assert value(sep, "ocop.registrations_pending") == 1  # R2
    assert value(sep, "ocop.registrations_5star_proposed") == 1  # R2

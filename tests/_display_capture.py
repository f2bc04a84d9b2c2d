"""The ``shown`` fixture: what the report helpers would display, captured instead of displayed."""

from __future__ import annotations

import pytest

from nrd.present import display


@pytest.fixture
def shown(monkeypatch) -> list[str]:
    """The HTML every ``display`` call of the report helpers would emit (figures as a marker)."""
    out: list[str] = []

    def capture(obj, **_kwargs):
        out.append(getattr(obj, "data", None) if isinstance(getattr(obj, "data", None), str) else "<figure>")

    monkeypatch.setattr(display, "_display", capture)
    return out

"""CLI commands of this area (owned by the helper building it)."""

from nrd.cli import app  # noqa: F401

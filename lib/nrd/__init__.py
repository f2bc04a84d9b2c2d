"""nrd — indicators and reports of the New Rural Development programme (Nông thôn mới) for one province.

The public surface is small; notebooks use only the names in ``__all__``.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]

"""The kernel side of the ``nrd-warm`` engine: imported inside each warm kernel, never by the run itself.

``install(modules)`` runs once in a new kernel: it imports the warm modules, pays the first-use costs every
report would pay, and snapshots the global state a report may change (``KernelState``). ``reset(cwd)`` runs
before each report: it clears the user namespace (``InteractiveShell.reset(new_session=True)``, execution
count back to 1), closes figures, restores the snapshot and changes to the report's folder. The module
itself survives the namespace reset (``sys.modules`` is kept), so the snapshot lives here.

Only public APIs: pandas options are listed by walking ``pandas.options``; matplotlib's ``rcParams`` are
read and written as the dict they are (bypassing validation, so a restore cannot fail on a value a report
set).
"""

from __future__ import annotations

import copy
import importlib
import os
import sys
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from nrd.languages import LANGS

_STATE: KernelState | None = None


def pandas_option_keys() -> list[str]:
    """Every pandas option name (``display.max_rows``...), found through ``pandas.options``."""
    import pandas as pd

    keys: list[str] = []
    wrapper = type(pd.options)

    def walk(node: Any, prefix: str) -> None:
        for name in dir(node):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # reading a deprecated option warns
                child = getattr(node, name)
            if isinstance(child, wrapper):
                walk(child, f"{prefix}{name}.")
            else:
                keys.append(f"{prefix}{name}")

    walk(pd.options, "")
    return keys


@dataclass
class KernelState:
    """The global state a report may change: matplotlib rcParams, pandas options, environment variables,
    ``sys.path``, warnings filters."""

    rc: dict[str, Any]
    pandas_options: dict[str, Any]
    environ: dict[str, str]
    sys_path: list[str]
    filters: list[Any]

    @classmethod
    def capture(cls) -> KernelState:
        import matplotlib
        import pandas as pd

        options = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for key in pandas_option_keys():
                try:
                    options[key] = pd.get_option(key)
                except pd.errors.OptionError:  # removed between listing and reading
                    continue
        return cls(
            rc={key: copy.deepcopy(value) for key, value in dict.items(matplotlib.rcParams)},
            pandas_options=options,
            environ=dict(os.environ),
            sys_path=list(sys.path),
            filters=list(warnings.filters),
        )

    def restore(self) -> None:
        """Put every captured item back as it was (values a report added are removed)."""
        import matplotlib
        import pandas as pd

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dict.update(matplotlib.rcParams, {k: copy.deepcopy(v) for k, v in self.rc.items()})
            pd.reset_option("all")
            for key, value in self.pandas_options.items():
                try:
                    if pd.get_option(key) != value:
                        pd.set_option(key, value)
                except (pd.errors.OptionError, ValueError, TypeError):  # a value its validator now refuses
                    continue
        os.environ.clear()
        os.environ.update(self.environ)
        sys.path[:] = self.sys_path
        warnings.filters[:] = self.filters
        getattr(warnings, "_filters_mutated", lambda: None)()  # invalidate the filters' cache (CPython)


def _prime_caches() -> None:
    """Read the reference tables and the label catalog into their caches (a report would, each time)."""
    from nrd.present import i18n
    from nrd.reference import load_assumptions, load_criteria_sets, load_departments, load_units

    for loader in (load_units, load_criteria_sets, load_departments, load_assumptions):
        loader()
    for lang in LANGS:
        i18n.t("section.level", lang)
    _prime_formats()


def _prime_formats() -> None:
    """Format a number, a share, money and a date in every language once: Babel loads each locale's data
    and compiles each number pattern on first use (about 10 ms of every report otherwise). Pure caches:
    nothing a later report prints depends on it."""
    import datetime as _dt

    from nrd.present import formats

    for lang in LANGS:
        for digits in (0, 1, 2):
            formats.fmt_number(1234.5, lang, digits)
            formats.fmt_percent(97.4, lang, digits)
        formats.fmt_money(1234.5, lang)
        formats.fmt_date(_dt.date(2025, 9, 30), lang)
        formats.fmt_period("2025-09", lang)
        formats.fmt_period_short("2025-09", lang)


def install(modules: Sequence[str]) -> None:
    """Warm this kernel up once: import ``modules``, prime the caches, snapshot the global state."""
    global _STATE
    from nrd.errors import NrdError

    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:
            continue  # the report that imports it fails with its own traceback
    # Load the backend now: the inline backend activates itself (interactive mode, the post-execute hook
    # that sends figures) when the first figure is made, and the snapshot must hold the activated state.
    # Drawing anything on that figure is left out on purpose: it changed the PNG bytes of a later report.
    import matplotlib.pyplot as plt

    plt.close(plt.figure())
    try:
        _prime_caches()
    except (NrdError, OSError) as error:  # only a speed-up: the report pays these costs and says why
        warnings.warn(f"nrd-warm: caches not primed: {error}", stacklevel=1)
    _STATE = KernelState.capture()


def reset(cwd: str) -> None:
    """Put the kernel back to its warm state before a report, and change to the report's folder.

    Raises:
        RuntimeError: ``install`` has not run in this process (the engine then starts a new kernel).
    """
    if _STATE is None:
        raise RuntimeError("nrd-warm: install() has not run in this kernel")
    import matplotlib.pyplot as plt
    from IPython import get_ipython

    plt.close("all")
    shell = get_ipython()
    if shell is not None:
        shell.reset(new_session=True)
        shell.execution_count = 1
    _STATE.restore()
    os.chdir(cwd)

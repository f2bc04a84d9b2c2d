"""The kernel side of ``nrd-warm`` (``nrd.run.warm_setup``), in this process: what ``reset`` puts back.

The isolation tests in ``test_warm_engine.py`` run the same code inside real kernels; these check each
item of the snapshot directly and fast.
"""

from __future__ import annotations

import os
import sys
import warnings

import matplotlib as mpl
import pandas as pd
import pytest
from nrd.run import warm_setup


def test_pandas_options_are_listed_through_the_public_api():
    keys = warm_setup.pandas_option_keys()
    assert "display.max_rows" in keys and len(keys) > 20
    for key in keys:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pd.get_option(key)  # every listed name is a real option


def test_reset_restores_everything_a_report_may_change(tmp_path, monkeypatch):
    monkeypatch.setattr(warm_setup, "_STATE", None)
    with pytest.raises(RuntimeError, match="install"):
        warm_setup.reset(str(tmp_path))
    here = os.getcwd()
    before = (mpl.rcParams["axes.titlesize"], pd.get_option("display.max_rows"), os.environ.get("NRD_WARM_T"),
              list(sys.path), len(warnings.filters))
    with warnings.catch_warnings():
        warm_setup.install(["numpy", "nrd.no_such_module"])  # a module that cannot be imported is skipped
        mpl.rcParams["axes.titlesize"] = 31
        pd.set_option("display.max_rows", 7)
        os.environ["NRD_WARM_T"] = "leak"
        sys.path.append("/nowhere")
        warnings.simplefilter("ignore")
        os.chdir("/")
        warm_setup.reset(str(tmp_path))
        after = (mpl.rcParams["axes.titlesize"], pd.get_option("display.max_rows"), os.environ.get("NRD_WARM_T"),
                 list(sys.path), len(warnings.filters))
        assert os.getcwd() == str(tmp_path)
    os.chdir(here)
    assert after == before

"""The engine registry (``nrd.run.engines``): names, papermill registration, cwd handling, worker hooks.

A throw-away engine module shows that a new engine is one ``register_engine`` line.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest
from nrd.errors import UsageError
from nrd.run import engines


@pytest.fixture
def toy_engine(monkeypatch):
    from papermill.engines import NBClientEngine

    module = types.ModuleType("nrd_toy_engine")
    module.released = []
    module.started = []
    module.engine_class = lambda: type("ToyEngine", (NBClientEngine,), {})
    module.warm_up = lambda: module.started.append(1)
    module.release = lambda ids: module.released.append(ids) or 2
    monkeypatch.setitem(sys.modules, "nrd_toy_engine", module)
    spec = engines.register_engine(engines.EngineSpec("nrd-toy", "nrd_toy_engine", takes_cwd=False))
    yield module
    engines._ENGINES.pop(spec.name, None)


def test_unknown_engine_lists_the_known_ones():
    with pytest.raises(UsageError, match="not a papermill engine; expected one of .*nbclient.*nrd-warm"):
        engines.check_engine("no-such-engine")
    assert engines.check_engine(None) is None and engines.check_engine("standard") is None


def test_warm_engine_takes_the_report_folder_as_a_keyword_not_the_process_cwd(tmp_path):
    name, kwargs, cwd = engines.engine_arguments("nrd-warm", tmp_path)
    assert (name, kwargs, cwd) == ("nrd-warm", {"nrd_cwd": str(tmp_path.resolve())}, None)
    from nrd.run.kernels import IpcKernelManager

    # papermill's own engine runs our kernels over IPC (no TCP warning), started in the report's folder by
    # nbclient (resources), never by papermill's process-wide cwd
    assert engines.engine_arguments("nbclient", tmp_path) == (
        None, {"kernel_manager_class": IpcKernelManager, "resources": {"metadata": {"path": str(tmp_path.resolve())}}},
        None)
    assert engines.keeps_workers("nrd-warm") and not engines.keeps_workers("nbclient")


def test_a_new_engine_is_one_registration(toy_engine, tmp_path):
    from papermill.engines import papermill_engines

    assert "nrd-toy" in engines.engine_names()
    assert engines.check_engine("nrd-toy") == "nrd-toy"
    assert papermill_engines.get_engine("nrd-toy").__name__ == "ToyEngine"
    assert engines.engine_arguments("nrd-toy", Path(tmp_path)) == ("nrd-toy", {}, str(tmp_path))
    engines.warm_up("nrd-toy")
    assert toy_engine.started == [1]
    assert engines.release_all([7]) >= 2 and [7] in toy_engine.released

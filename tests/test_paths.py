"""Where notebooks find their inputs (``nrd.paths``): the setting, the working directory, the packaged demo —
never the source tree's layout."""

from __future__ import annotations

from pathlib import Path

import pytest

from nrd import paths
from nrd.errors import UsageError

ROOT = Path(__file__).resolve().parents[1]


def _project(folder: Path) -> Path:
    for name in ("notebooks", "params", "data/demo"):
        (folder / name).mkdir(parents=True)
    (folder / "params" / "targets.yaml").write_text("targets: []\n", encoding="utf-8")
    return folder


def test_the_setting_names_the_project(tmp_path, monkeypatch):
    project = _project(tmp_path / "office")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv(paths.PROJECT_DIR_ENV, str(project))
    assert paths.project_dir() == project.resolve()
    assert paths.resolve_data_dir("../data/demo") == (project / "data" / "demo").resolve()
    assert paths.resolve_path("../params/targets.yaml") == (project / "params" / "targets.yaml").resolve()
    monkeypatch.setenv(paths.PROJECT_DIR_ENV, str(tmp_path / "missing"))
    with pytest.raises(UsageError, match="NRD_PROJECT_DIR"):
        paths.project_dir()


def test_the_working_directory_or_a_parent_is_the_project(tmp_path, monkeypatch):
    monkeypatch.delenv(paths.PROJECT_DIR_ENV, raising=False)
    project = _project(tmp_path / "office")
    deep = project / "notebooks" / "scratch"
    deep.mkdir()
    monkeypatch.chdir(deep)
    assert paths.project_dir() == project.resolve()
    assert paths.notebooks_dir() == project.resolve() / "notebooks"
    assert paths.resolve_data_dir("../data/demo") == (project / "data" / "demo").resolve()
    assert paths.demo_data_dir() == (project / "data" / "demo").resolve()


def test_outside_a_project_a_missing_folder_says_what_was_tried(tmp_path, monkeypatch):
    monkeypatch.delenv(paths.PROJECT_DIR_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    assert paths.project_dir() is None
    with pytest.raises(UsageError, match=r"not found \(tried .*nowhere\)"):
        paths.resolve_data_dir("nowhere")
    with pytest.raises(UsageError, match="not found"):
        paths.resolve_path("../params/targets.yaml")


def test_outside_a_project_the_demo_is_the_packaged_one(tmp_path, monkeypatch):
    """No project, no setting: ``../data/demo`` is the demo ``nrd.demo`` generates, once, in the cache folder;
    it reads like the bundled one (same units, same periods, no finding)."""
    from nrd.io import read_dataset

    monkeypatch.delenv(paths.PROJECT_DIR_ENV, raising=False)
    monkeypatch.setenv("NRD_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    folder = paths.resolve_data_dir("../data/demo")
    assert folder.parent == tmp_path / "cache" and (folder / "dataset.yaml").is_file()
    assert paths.packaged_demo_dir() == folder  # generated once, then reused
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [folder.name]  # no scratch folder left
    packaged, bundled = read_dataset(folder, use_cache=False), read_dataset(ROOT / "data" / "demo", use_cache=False)
    assert packaged.errors == [] and packaged.periods == bundled.periods
    assert packaged.table("criteria_status").shape == bundled.table("criteria_status").shape


def test_no_module_reads_the_source_tree_layout():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "lib" / "nrd").rglob("*.py")
                 if "parents[" in p.read_text(encoding="utf-8")]
    assert offenders == []

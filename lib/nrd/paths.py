"""Where the project's folders are, without relying on where the ``nrd`` package happens to be installed.

A notebook names its inputs relative to the notebooks folder (``../data/demo``, ``../params/targets.yaml``).
That folder is found, in this order:

1. ``NRD_PROJECT_DIR`` (a setting: the folder holding ``notebooks/``, ``params/`` and ``data/``);
2. the working directory or one of its parents that looks like the project (JupyterLab runs a notebook in
   its own folder; ``nrd run`` in the notebook's folder; a terminal anywhere inside the project);
3. for the demo dataset only: the packaged demo (``nrd.demo``), generated once into the user's cache folder
   (``NRD_CACHE_DIR`` or ``platformdirs.user_cache_dir("nrd")``), so ``nrd.open(demo_data_dir())`` works
   from a plain ``pip install`` too.

Nothing here reads the source tree's layout (the folders above this file): an installed wheel has none.
"""

from __future__ import annotations

import os
from pathlib import Path

from nrd.errors import UsageError

PROJECT_DIR_ENV = "NRD_PROJECT_DIR"
#: What makes a folder the project: the report notebooks and the run plans beside them.
PROJECT_MARKERS = ("notebooks", "params")
#: The bundled demo dataset, relative to the project.
DEMO_RELATIVE = Path("data") / "demo"


def is_project_dir(folder: Path) -> bool:
    """``folder`` holds ``notebooks/`` and ``params/`` (the project's fixed layout)."""
    return all((folder / marker).is_dir() for marker in PROJECT_MARKERS)


def project_dir(start: str | Path | None = None) -> Path | None:
    """The project folder: ``NRD_PROJECT_DIR``, else ``start`` (default: the working directory) or its
    nearest parent that holds ``notebooks/`` and ``params/``; ``None`` when neither applies.

    Raises:
        UsageError: ``NRD_PROJECT_DIR`` is set but is not a folder.
    """
    setting = os.environ.get(PROJECT_DIR_ENV, "").strip()
    if setting:
        folder = Path(setting).expanduser()
        if not folder.is_dir():
            raise UsageError(f"{PROJECT_DIR_ENV}={setting!r} is not a folder; set it to the folder holding "
                             "notebooks/ and params/, or unset it")
        return folder.resolve()
    here = Path(start if start is not None else Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if is_project_dir(folder):
            return folder
    return None


def notebooks_dir(start: str | Path | None = None) -> Path | None:
    """The project's ``notebooks/`` folder (``None`` outside a project)."""
    root = project_dir(start)
    return None if root is None else root / "notebooks"


def packaged_demo_dir() -> Path:
    """The packaged demo dataset, written by ``nrd.demo`` into the user's cache folder on first use.

    The folder name carries the package version, so an upgrade writes a fresh copy; a half-written copy
    is never used (the files are generated into a temporary folder and renamed into place).
    """
    import tempfile

    from nrd import __version__

    cache = os.environ.get("NRD_CACHE_DIR", "").strip()
    if cache:
        base = Path(cache).expanduser()
    else:
        from platformdirs import user_cache_dir

        base = Path(user_cache_dir("nrd", appauthor=False))
    target = base / f"demo-{__version__}"
    if (target / "dataset.yaml").is_file():
        return target
    from nrd.demo import generate_demo_dataset
    from nrd.log import logger

    base.mkdir(parents=True, exist_ok=True)
    logger.info("demo dataset: generating the packaged demo into %s (once)", target)
    scratch = Path(tempfile.mkdtemp(prefix=".demo-", dir=base))
    generate_demo_dataset(scratch)
    try:
        scratch.rename(target)
    except OSError:  # another process won the race: its copy is complete too
        import shutil

        shutil.rmtree(scratch, ignore_errors=True)
    return target


def demo_data_dir(start: str | Path | None = None) -> Path:
    """The demo dataset: the project's ``data/demo`` when there is a project, else the packaged demo."""
    root = project_dir(start)
    if root is not None and (root / DEMO_RELATIVE).is_dir():
        return (root / DEMO_RELATIVE).resolve()
    return packaged_demo_dir()


def _names_the_demo(path: Path) -> bool:
    return path.parts[-2:] == DEMO_RELATIVE.parts


def resolve_data_dir(data_dir: str | Path, notebooks: str | Path | None = None) -> Path:
    """The dataset folder a notebook parameter names.

    An absolute path is taken as is. A relative one is tried from the working directory, then from the
    notebooks folder (``notebooks``, else the project's, see ``project_dir``); a relative path ending in
    ``data/demo`` that neither holds falls back to the packaged demo.

    Raises:
        UsageError: the folder is found nowhere (the message lists every place tried).
    """
    path = Path(data_dir).expanduser()
    candidates = _candidates(path, notebooks)
    for candidate in candidates:
        if candidate.is_dir():
            return candidate.resolve()
    if not path.is_absolute() and _names_the_demo(path):
        return packaged_demo_dir()
    tried = ", ".join(str(c) for c in candidates)
    raise UsageError(f"data folder {str(data_dir)!r} not found (tried {tried}); pass data_dir=<dataset folder> "
                     f"or set {PROJECT_DIR_ENV}")


def resolve_path(path: str | Path, notebooks: str | Path | None = None) -> Path:
    """A file a notebook parameter names (e.g. the targets file), resolved like ``resolve_data_dir``
    (without the demo fallback).

    Raises:
        UsageError: the file is found nowhere.
    """
    candidates = _candidates(Path(path).expanduser(), notebooks)
    for candidate in candidates:
        if candidate.is_file():
            return candidate.resolve()
    raise UsageError(f"file {str(path)!r} not found (tried {', '.join(map(str, candidates))}); "
                     f"pass an absolute path or set {PROJECT_DIR_ENV}")


def _candidates(path: Path, notebooks: str | Path | None) -> list[Path]:
    if path.is_absolute():
        return [path]
    candidates = [Path.cwd() / path]
    base = Path(notebooks) if notebooks is not None else notebooks_dir()
    if base is not None and base / path not in candidates:
        candidates.append(base / path)
    return candidates

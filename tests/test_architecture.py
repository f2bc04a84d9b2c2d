"""The shape of ``lib/nrd`` (``docs/architecture.md``): layers import only downward, no import circle
(deferred imports inside functions count), no module over 450 lines, ``nrd.run.batch`` orchestration only."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

LIB = Path(__file__).resolve().parents[1] / "lib" / "nrd"
#: Bottom to top; a module imports from its own layer or below (``docs/architecture.md``).
LAYERS = (
    ("nrd.errors", "nrd.log", "nrd.periods", "nrd.contract", "nrd.languages", "nrd.reports"),
    ("nrd.reference",),
    ("nrd.io",),
    ("nrd.demo",),
    ("nrd.paths",),
    ("nrd.indicators",),
    ("nrd.present",),
    ("nrd.run",),
    ("nrd.cli", "nrd.workbench"),
)
MAX_LINES = 450


def _modules() -> dict[str, Path]:
    found = {}
    for path in LIB.rglob("*.py"):
        parts = list(path.relative_to(LIB.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _import_graph() -> dict[str, set[str]]:
    """Module -> the nrd modules it imports, at the top or inside a function."""
    modules = _modules()

    def owner(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        targets: set[str | None] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(owner(a.name) for a in node.names if a.name.startswith("nrd"))
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package
                    for _ in range(node.level - 1):
                        anchor = anchor.rpartition(".")[0]
                    base = f"{anchor}.{base}" if base else anchor
                if base.startswith("nrd"):
                    for alias in node.names:  # ``from nrd.io import cache`` imports the submodule
                        full = f"{base}.{alias.name}"
                        targets.add(full if full in modules else owner(base))
        graph[module] = {t for t in targets if t and t != module}
    return graph


def _layer(module: str) -> int | None:
    for index, names in enumerate(LAYERS):
        if any(module == n or module.startswith(f"{n}.") for n in names):
            return index
    return None  # the package itself (``nrd``: lazy re-exports of the public names)


def test_no_import_circle():
    graph = _import_graph()
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    cycles: list[list[str]] = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph.get(module, ())):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target):], target])
            elif target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_layers_import_only_downward():
    upward = [
        (module, target) for module, targets in _import_graph().items() for target in targets
        if _layer(module) is not None and _layer(target) is not None and _layer(target) > _layer(module)
    ]
    assert upward == []


@pytest.mark.parametrize("path", sorted(LIB.rglob("*.py")), ids=lambda p: str(p.relative_to(LIB)))
def test_no_module_over_450_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_LINES


def test_batch_is_orchestration_only():
    source = (LIB / "run" / "batch.py").read_text(encoding="utf-8")
    assert len(source.splitlines()) < 250
    assert "except Exception" not in source and "getLogger" not in source

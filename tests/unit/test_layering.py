"""The layers: DAGs and CLI -> pipeline -> stages -> models and config, with no cycles.

A newcomer should find where a thing happens in one hop; that holds only while imports
point one way. This reads every `import` in the library (also those inside functions,
which hide a cycle just as well) and checks each against the layer table below.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from tests.conftest import REPO_ROOT

LIBRARY = REPO_ROOT / "include" / "newsflow"

# Layer of each top-level unit of the library (a module, or a package with its modules).
ENTRY, PIPELINE, STAGE, BASE = 3, 2, 1, 0
LAYERS: dict[str, int] = {
    "cli": ENTRY,
    "demo": ENTRY,
    "airflow_runner": ENTRY,
    "tasks": ENTRY,
    "pipeline": PIPELINE,
    "reindex": PIPELINE,
    "runtime": PIPELINE,
    "fields": PIPELINE,  # the table of who writes each field; its page reads the index template
    "fetch": STAGE,
    "clean": STAGE,
    "dedupe": STAGE,
    "enrich": STAGE,
    "index": STAGE,
}
# Everything else (models, config, clock, archive, ledger, sources, ...) is the base layer.


def _unit(module: str) -> str:
    """`newsflow.fetch.http` -> `fetch`; `newsflow` itself -> `` (the package's re-exports)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _layer(unit: str) -> int:
    return LAYERS.get(unit, BASE)


def _module_of(path: Path) -> str:
    parts = list(path.relative_to(LIBRARY.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_of(path) for path in LIBRARY.rglob("*.py")}


def _from_import(node: ast.ImportFrom) -> set[str]:
    """`from newsflow.fetch import conditional` imports the module `newsflow.fetch.conditional`."""
    module = node.module or ""
    submodules = {f"{module}.{a.name}" for a in node.names} & MODULES
    names_only = len(submodules) < len(node.names)
    return submodules | ({module} if names_only else set())


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names |= _from_import(node)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return {n for n in names if n == "newsflow" or n.startswith("newsflow.")}


def _unit_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for path in LIBRARY.rglob("*.py"):
        source = _unit(_module_of(path))
        for target in map(_unit, _imports(path)):
            if target and target != source:
                graph[source].add(target)
    return graph


def _cycle_from(start: str, graph: dict[str, set[str]]) -> list[str] | None:
    """A path start -> ... -> start, if there is one."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        node, path = stack.pop()
        for nxt in sorted(graph.get(node, ())):
            if nxt == start:
                return [*path, start]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*path, nxt]))
    return None


def test_no_unit_imports_a_higher_layer() -> None:
    upward = [
        f"{source} (layer {_layer(source)}) imports {target} (layer {_layer(target)})"
        for source, targets in _unit_graph().items()
        for target in targets
        if _layer(target) > _layer(source)
    ]
    assert upward == []


def test_no_import_cycles_between_units() -> None:
    graph = _unit_graph()
    cycles = [" -> ".join(c) for unit in sorted(graph) if (c := _cycle_from(unit, graph))]
    assert cycles == []


def test_no_cycles_between_modules_of_a_stage() -> None:
    """fetch/__init__ and fetch/newsapi importing each other was one such cycle."""
    graph: dict[str, set[str]] = defaultdict(set)
    for path in LIBRARY.rglob("*.py"):
        module = _module_of(path)
        graph[module].update(m for m in _imports(path) if m != module and _unit(m) == _unit(module))
    cycles = [" -> ".join(c) for module in sorted(graph) if (c := _cycle_from(module, graph))]
    assert cycles == []


def test_the_checker_sees_a_cycle() -> None:
    assert _cycle_from("a", {"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle_from("a", {"a": {"b"}, "b": {"c"}}) is None

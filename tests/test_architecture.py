"""The import graph: no cycles (function-level imports included), and nothing points upward.

``app.py`` (and ``ui/``) wire widgets, ``mapping/`` draws and exports, ``layers/`` computes.
The graph is read from the source with ``ast``, so an import hidden inside a function, or made
by name with ``importlib.import_module("...")``, counts like one at the top of a module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

import settings
from tests.support.sources import python_files

ROOT = Path(settings.ROOT)
PACKAGES = ("layers", "mapping", "ui")


def project_modules() -> dict[str, Path]:
    """Every module of the app, layers/, mapping/ and ui/, by dotted name."""
    found = {"app": ROOT / "app.py"}
    for package in PACKAGES:
        for path in python_files(package):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The project module an import of ``name`` runs: itself, or its nearest parent package."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def imported_names(path: Path, module: str, is_package: bool) -> set[str]:
    """Every dotted name ``path`` imports, at any depth, made absolute."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if is_package else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # "from mapping import export" imports the module mapping.export; "from mapping
            # import build_map" imports a name of the package mapping.
            names.update(f"{base}.{alias.name}" for alias in node.names)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.add(node.args[0].value)
    return names


def import_graph() -> nx.DiGraph:
    """The project's import graph: an edge from each module to each project module it imports."""
    modules = project_modules()
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for module, path in modules.items():
        for name in imported_names(path, module, path.name == "__init__.py"):
            target = _resolve(name, modules)
            if target is not None and target != module:
                graph.add_edge(module, target)
    return graph


def test_the_graph_sees_function_level_and_by_name_imports():
    graph = import_graph()
    # layers.selection imports layers.corridor by name, inside a function.
    assert graph.has_edge("layers.selection", "layers.corridor")
    assert graph.has_edge("mapping.export", "layers.selection")
    # "from mapping.livemap import live_map" imports a name of the package mapping.livemap.
    assert graph.has_edge("ui.site_map", "mapping.livemap")
    assert graph.has_edge("app", "ui.sidebar")


def test_there_are_no_import_cycles():
    graph = import_graph()
    cycles = sorted(
        sorted(component)
        for component in nx.strongly_connected_components(graph)
        if len(component) > 1
    )
    assert cycles == [], f"modules that import each other (directly or round a loop): {cycles}"


def test_layers_never_import_mapping_or_the_app():
    graph = import_graph()
    upward = sorted(
        (source, target)
        for source, target in graph.edges
        if source.split(".")[0] == "layers" and target.split(".")[0] in ("mapping", "app", "ui")
    )
    assert upward == [], f"layers/ must not depend on the drawing or the app: {upward}"


def test_mapping_never_imports_the_app():
    graph = import_graph()
    upward = sorted(
        (source, target)
        for source, target in graph.edges
        if source.split(".")[0] == "mapping" and target.split(".")[0] in ("app", "ui")
    )
    assert upward == [], upward

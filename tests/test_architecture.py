"""The shape of `articles/`: which rooms may import which. Read from the source's
module-level imports (imports inside functions are deferred on purpose and not counted)."""

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[1] / "articles"


def _module_name(path):
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports():
    """Every module of the app, mapped to the modules of the app it imports at load."""
    modules = {
        _module_name(path): path for path in APP.rglob("*.py") if "migrations" not in path.parts
    }
    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets = set()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Import):
                targets |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    source = ".".join(base + ([node.module] if node.module else []))
                else:
                    source = node.module
                targets |= {source, *(f"{source}.{alias.name}" for alias in node.names)}
        graph[name] = {target for target in targets if target in modules and target != name}
    return graph


def _cycles(graph):
    """Strongly connected groups of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while (member := stack.pop()) != node:
                on_stack.discard(member)
                group.append(member)
            on_stack.discard(node)
            if group:
                found.append(sorted([node, *group]))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_no_module_of_the_app_imports_one_that_imports_it_back():
    assert _cycles(_imports()) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [["a", "b", "c"]]


@pytest.mark.parametrize(
    "room, forbidden",
    [
        ("articles.models", ("articles.importer", "articles.admin", "articles.views")),
        ("articles.models", ("articles.services", "articles.caching")),
        ("articles.admin", ("articles.views",)),
        ("articles.services", ("articles.admin", "articles.views")),
    ],
)
def test_a_room_does_not_reach_into_the_rooms_above_it(room, forbidden):
    graph = _imports()
    offenders = {
        (module, target)
        for module, targets in graph.items()
        if module == room or module.startswith(room + ".")
        for target in targets
        if any(target == name or target.startswith(name + ".") for name in forbidden)
    }
    assert offenders == set()

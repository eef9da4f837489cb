"""The shape of the code, checked: no module over 400 lines and no class over 250, no import cycle
between modules (type-only imports included), and no module importing another's private name. A
newcomer can then read any module on its own terms."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "assistant"
MAX_MODULE_LINES = 400
MAX_CLASS_LINES = 250


def _modules() -> dict[str, ast.Module]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = ast.parse(path.read_text("utf-8"))
    return out


def _imports(name: str, tree: ast.Module, modules: dict[str, ast.Module]) -> list[tuple[str, str]]:
    """(module, imported name) for every ``from assistant... import`` in the module, at any depth."""
    package = name if name in modules and (PACKAGE / "/".join(name.split(".")[1:]) / "__init__.py").exists() else ""
    package = package or name.rsplit(".", 1)[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            if module.split(".")[0] == "assistant":
                out += [(module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            out += [(alias.name, "") for alias in node.names if alias.name.split(".")[0] == "assistant"]
    return out


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, tree in modules.items():
        for module, imported in _imports(name, tree, modules):
            target = f"{module}.{imported}" if f"{module}.{imported}" in modules else module
            if target in modules and target != name:
                graph[name].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_checks_find_what_they_look_for():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []
    graph = _graph()
    assert len(graph) > 20 and graph["assistant.service.coach"], "the import graph was not read"


def test_no_import_cycle():
    assert _cycles(_graph()) == []


def test_no_module_imports_another_modules_private_name():
    modules = _modules()
    private = [
        f"{name} imports {module}.{imported}"
        for name, tree in modules.items()
        for module, imported in _imports(name, tree, modules)
        if imported.startswith("_") and not imported.startswith("__")
    ]
    assert private == []


def test_no_module_or_class_is_too_long_to_read_whole():
    long_modules = [
        f"{path.name}: {n} lines"
        for path in sorted(PACKAGE.rglob("*.py"))
        if (n := len(path.read_text("utf-8").splitlines())) > MAX_MODULE_LINES
    ]
    long_classes = [
        f"{name}.{node.name}: {node.end_lineno - node.lineno + 1} lines"
        for name, tree in _modules().items()
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef) and node.end_lineno and node.end_lineno - node.lineno + 1 > MAX_CLASS_LINES
    ]
    assert long_modules == [] and long_classes == []


def test_the_judge_shares_no_code_with_the_verifier_it_measures():
    graph = _graph()
    reach, todo = set(), ["assistant.evaluation.judge"]
    while todo:
        for nxt in graph[todo.pop()] - reach:
            reach.add(nxt)
            todo.append(nxt)
    checks = {"assistant.model.verify", "assistant.model.facts", "assistant.model.meaning"}
    assert "assistant.model.statements" in reach  # it reads answers by the contract's statements, and no more
    assert reach & checks == set()

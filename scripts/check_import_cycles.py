"""Fails when modules of the project import each other in a circle at module level.

Only imports that run when a module is loaded count: an import inside a function (how a service
enqueues its task on commit) or under ``if TYPE_CHECKING:`` does not. Prints each circle found.
"""

import ast
import sys
from pathlib import Path

ROOTS = ("dms", "dealers", "orders", "logistics", "visits", "leads", "campaigns", "scoring")
BASE = Path(__file__).resolve().parent.parent


def module_files() -> dict[str, Path]:
    modules = {}
    for root in ROOTS:
        for path in (BASE / root).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(BASE).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def top_level_imports(tree: ast.Module, name: str, is_package: bool):
    """Import statements outside functions and outside ``if TYPE_CHECKING:`` blocks."""
    package = name if is_package else name.rpartition(".")[0]
    pending = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            pending.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.If | ast.Try | ast.With | ast.ClassDef):
            for field in ("body", "orelse", "finalbody", "handlers"):
                pending.extend(getattr(node, field, []))
        elif isinstance(node, ast.ExceptHandler):
            pending.extend(node.body)


def graph() -> dict[str, set[str]]:
    modules = module_files()
    edges: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        targets = set()
        for imported in top_level_imports(tree, name, path.name == "__init__.py"):
            if imported in modules and imported != name:
                targets.add(imported)
        edges[name] = targets
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def main() -> int:
    found = cycles(graph())
    for component in found:
        print("Modules importing each other in a circle:", ", ".join(component))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())

"""The floors of Vigil's code, read from its imports (docs/architecture.md).

    .venv/bin/python scripts/floors.py apps             # which app imports which
    .venv/bin/python scripts/floors.py modules vigil/policy   # one package, module by module

A module's floor is one above the highest module it imports at run time (floor 1 imports
nothing of the package). Imports under `if TYPE_CHECKING:` are for the type checker only and
make no floor; imports inside functions are counted apart, because each hides a cycle or a
slow import and should say why. Modules that import each other (a cycle) share a floor and are
listed. Nothing is imported or run: the files are parsed.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Imports:
    top: set[str] = field(default_factory=set)  # at module level, at run time
    typing: set[str] = field(default_factory=set)  # under `if TYPE_CHECKING:`
    inner: list[str] = field(default_factory=list)  # inside a function


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _targets(node: ast.Import | ast.ImportFrom, here: str, is_package: bool) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    base = node.module or ""
    if node.level:
        parts = here.split(".")
        keep = len(parts) - node.level + (1 if is_package else 0)
        base = ".".join(parts[:keep] + ([base] if base else []))
    yield base
    for alias in node.names:
        yield f"{base}.{alias.name}"  # `from package import module` imports the module


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def read(path: Path) -> Imports:
    here = module_name(path)
    is_package = path.name == "__init__.py"
    found = Imports()

    def visit(nodes: list[ast.stmt], where: str) -> None:
        for node in nodes:
            if isinstance(node, ast.Import | ast.ImportFrom):
                targets = list(_targets(node, here, is_package))
                if where == "top":
                    found.top.update(targets)
                elif where == "typing":
                    found.typing.update(targets)
                else:
                    found.inner.append(targets[0])
            elif isinstance(node, ast.If) and _is_type_checking(node.test):
                visit(node.body, "typing")
                visit(node.orelse, where)
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(node.body, "inner")
            elif isinstance(node, ast.ClassDef):
                visit(node.body, where)
            elif isinstance(node, ast.If | ast.Try | ast.With | ast.For | ast.While):
                for block in ("body", "orelse", "finalbody", "handlers"):
                    for child in getattr(node, block, []):
                        visit(child.body if isinstance(child, ast.ExceptHandler) else [child], where)

    visit(ast.parse(path.read_text(encoding="utf-8")).body, "top")
    return found


def sources(package: Path) -> list[Path]:
    return sorted(p for p in package.rglob("*.py") if "migrations" not in p.parts)


def resolve(target: str, known: set[str]) -> str | None:
    """The module of `known` that `target` names (or the package holding it)."""
    while target:
        if target in known:
            return target
        target = target.rpartition(".")[0]
    return None


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def strong(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    sys.setrecursionlimit(10_000)
    for v in sorted(graph):
        if v not in index:
            strong(v)
    return found


def floors(graph: dict[str, set[str]]) -> dict[str, int]:
    """One above the highest module imported; a cycle's modules share their floor."""
    group_of = {m: tuple(c) for c in cycles(graph) for m in c}
    floor: dict[str, int] = {}

    def of(m: str, seen: frozenset[str]) -> int:
        if m in floor:
            return floor[m]
        members = group_of.get(m, (m,))
        below = {d for x in members for d in graph[x]} - set(members)
        value = 1 + max((of(d, seen | set(members)) for d in below if d not in seen), default=0)
        for x in members:
            floor[x] = value
        return value

    for m in graph:
        of(m, frozenset())
    return floor


def modules_report(package: Path) -> None:
    paths = sources(package)
    names = {module_name(p): p for p in paths}
    known = set(names)
    graph: dict[str, set[str]] = {}
    inner: dict[str, list[str]] = {}
    for name, path in names.items():
        imports = read(path)
        graph[name] = {t for t in (resolve(x, known) for x in imports.top) if t and t != name}
        inner[name] = [t for t in (resolve(x, known) for x in imports.inner) if t and t != name]
    floor = floors(graph)
    print(f"{package}: {len(names)} modules, {max(floor.values(), default=0)} floors")
    for name in sorted(names, key=lambda n: (-floor[n], n)):
        lines = len(names[name].read_text(encoding="utf-8").splitlines())
        extra = f"  (+{len(inner[name])} inside functions)" if inner[name] else ""
        print(f"  floor {floor[name]:2}  {name}  {lines} lines{extra}")
    for group in cycles(graph):
        print(f"  cycle at run time: {', '.join(group)}")


def app_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "vigil" else None


@dataclass
class AppGraph:
    """Which app imports which: `top[(a, b)]` imports of b at module level in a, `inner[(a, b)]`
    inside functions; `graph[a]` every app a imports, either way."""

    apps: list[str]
    top: dict[tuple[str, str], int]
    inner: dict[tuple[str, str], int]
    total_inner: int

    @property
    def graph(self) -> dict[str, set[str]]:
        return {a: {b for (x, b) in self.top if x == a} | {b for (x, b) in self.inner if x == a} for a in self.apps}

    def mutual(self) -> list[tuple[str, str]]:
        """The pairs of apps that import each other (at module level or inside functions)."""
        graph = self.graph
        return sorted({(a, b) if a < b else (b, a) for a in self.apps for b in graph[a] if a in graph[b]})


def app_graph(vigil: Path | None = None) -> AppGraph:
    vigil = vigil or ROOT / "vigil"
    apps = sorted(p.name for p in vigil.iterdir() if p.is_dir() and (p / "__init__.py").exists())
    top: dict[tuple[str, str], int] = defaultdict(int)
    inner: dict[tuple[str, str], int] = defaultdict(int)
    total_inner = 0
    for path in sources(vigil):
        here = app_of(module_name(path))
        if here is None:
            continue
        imports = read(path)
        total_inner += sum(1 for t in imports.inner if t.startswith("vigil.") or t == "vigil")
        for target in imports.top:
            there = app_of(target)
            if there in apps and there != here:
                top[(here, there)] += 1
        for target in imports.inner:
            there = app_of(target)
            if there in apps and there != here:
                inner[(here, there)] += 1
    return AppGraph(apps=apps, top=dict(top), inner=dict(inner), total_inner=total_inner)


def apps_report() -> None:
    found = app_graph()
    apps, top, inner, graph = found.apps, found.top, found.inner, found.graph
    floor = floors(graph)
    print(f"vigil/: {len(apps)} apps; {found.total_inner} imports of vigil inside functions")
    for app in sorted(apps, key=lambda a: (-floor[a], a)):
        below = sorted(graph[app], key=lambda b: (-floor[b], b))
        words = [
            f"{b} ({top.get((app, b), 0)}+{inner[(app, b)]})" if inner.get((app, b)) else f"{b} ({top[(app, b)]})" for b in below
        ]
        print(f"  floor {floor[app]:2}  {app}: {', '.join(words) or 'imports no other app'}")
    mutual = found.mutual()
    print(f"  apps that import each other ({len(mutual)}): " + (", ".join(f"{a}<->{b}" for a, b in mutual) or "none"))
    print("  (n) imports at module level; (n+m) and m more inside functions")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    sub.add_parser("apps", help="which app imports which")
    one = sub.add_parser("modules", help="the modules of one package, floor by floor")
    one.add_argument("package", type=Path)
    args = parser.parse_args()
    if args.what == "apps":
        apps_report()
    else:
        modules_report((ROOT / args.package).resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())

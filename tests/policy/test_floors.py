"""The floors of docs/architecture.md, read from the imports by scripts/floors.py (the command
the architecture page quotes):

- the engine stays the bottom floor: it imports no Django and no other part of Vigil,
  anywhere, and its modules form no cycle at run time;
- `core` is the other base: it imports no domain app (only the engine's vocabulary);
- the apps that import each other are a ratchet: a new pair fails, named; a pair cut must be
  struck off `MUTUAL` too, so the list only shrinks."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "vigil" / "policy"


def _floors() -> ModuleType:
    spec = importlib.util.spec_from_file_location("floors", ROOT / "scripts" / "floors.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("floors", module)
    spec.loader.exec_module(module)
    return module


def test_the_engine_imports_no_django_and_nothing_else_of_vigil() -> None:
    floors = _floors()
    found = []
    for path in floors.sources(POLICY):
        imports = floors.read(path)
        for target in (*imports.top, *imports.typing, *imports.inner):
            if target.split(".")[0] == "django" or (target.startswith("vigil.") and not target.startswith("vigil.policy")):
                found.append(f"{path.relative_to(ROOT)}: {target}")
    assert found == []


def test_the_engine_has_no_cycle_at_run_time_and_each_rule_stands_alone() -> None:
    floors = _floors()
    names = {floors.module_name(p): p for p in floors.sources(POLICY)}
    graph = {
        name: {t for t in (floors.resolve(x, set(names)) for x in floors.read(path).top) if t and t != name}
        for name, path in names.items()
    }
    assert floors.cycles(graph) == []
    floor = floors.floors(graph)
    assert floor["vigil.policy.vocabulary"] == floor["vigil.policy.facts"] == 1
    assert floor["vigil.policy.loop"] > floor["vigil.policy.rules"]
    # A rule module imports no other rule and not the loop or the policy file's reader at run
    # time (it reaches the engine through `self.engine`): each can be read, and dropped, alone.
    rules = [n for n in names if n.startswith("vigil.policy.rules.") and re.match(r"[re]\d+_", n.rpartition(".")[2])]
    assert len(rules) >= 17
    above = {"vigil.policy.loop", "vigil.policy.config", "vigil.policy.engine", "vigil.policy.rules"}
    leaning = {r: sorted(graph[r] & (above | set(rules))) for r in rules if graph[r] & (above | set(rules))}
    assert leaning == {}


PROBE = """
from __future__ import annotations
from typing import TYPE_CHECKING
import django.db
from . import sibling
if TYPE_CHECKING:
    from vigil.cases import models
def record():
    from vigil.core import access
"""


def test_the_reader_sees_every_kind_of_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The checks above can fail: an import at the top of a file, under TYPE_CHECKING or in a
    function is seen, and two modules importing each other are a cycle."""
    floors = _floors()
    monkeypatch.setattr(floors, "ROOT", tmp_path)
    (tmp_path / "pkg").mkdir()
    probe = tmp_path / "pkg" / "probe.py"
    probe.write_text(PROBE, encoding="utf-8")
    imports = floors.read(probe)
    assert {"django.db", "pkg.sibling"} <= imports.top
    assert "vigil.cases.models" in imports.typing
    assert imports.inner == ["vigil.core"]
    assert floors.cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]
    assert floors.floors({"a": set(), "b": {"a"}, "c": {"b", "a"}}) == {"a": 1, "b": 2, "c": 3}


# --- the apps ----------------------------------------------------------------------------------

# What `core` may import of Vigil: the engine (its vocabulary is Django's choices). Nothing else.
CORE_MAY_IMPORT = {"core", "policy"}

# The pairs of apps that still import each other (docs/architecture.md says what each would
# take to cut). Strike a pair off when it is cut; never add one.
MUTUAL = {
    ("actions", "alarms"),
    ("actions", "audit"),
    ("actions", "cases"),
    ("actions", "disclosure"),
    ("actions", "orders"),
    ("actions", "people"),
    ("actions", "timeline"),
    ("actions", "warrants"),
    ("alarms", "audit"),
    ("api", "timeline"),
    ("audit", "cases"),
    ("audit", "orders"),
    ("audit", "people"),
    ("audit", "warrants"),
    ("cases", "people"),
    ("idva", "partners"),
}


def test_core_imports_no_domain_app_anywhere() -> None:
    """At module level, inside functions and for the type checker alike: core is the base every
    app builds on, so an import of one of them from core is a cycle waiting to happen."""
    floors = _floors()
    found = []
    for path in floors.sources(ROOT / "vigil" / "core"):
        imports = floors.read(path)
        for target in (*imports.top, *imports.typing, *imports.inner):
            app = floors.app_of(target)
            if app is not None and app not in CORE_MAY_IMPORT:
                found.append(f"{path.relative_to(ROOT)}: {target}")
    assert found == [], "core imports a domain app: move the code up to the app it needs, or pass a function in"


def test_the_apps_that_import_each_other_only_get_fewer() -> None:
    floors = _floors()
    mutual = set(floors.app_graph().mutual())
    new = sorted(mutual - MUTUAL)
    assert new == [], f"apps that now import each other: {new} (docs/architecture.md: move the code to its floor)"
    cut = sorted(MUTUAL - mutual)
    assert cut == [], f"pairs no longer importing each other: {cut}; strike them off MUTUAL so they stay cut"


def test_the_app_ratchet_sees_a_new_pair(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The ratchet can fail: two apps that import each other, one of them only inside a
    function, are a pair; an app importing the other one way is not."""
    floors = _floors()
    monkeypatch.setattr(floors, "ROOT", tmp_path)
    vigil = tmp_path / "vigil"
    bodies = {"base": "", "a": "from vigil.b import x\nfrom vigil.base import z\n", "b": "def f():\n    from vigil.a import y\n"}
    for app, body in bodies.items():
        (vigil / app).mkdir(parents=True)
        (vigil / app / "__init__.py").write_text("", encoding="utf-8")
        (vigil / app / "mod.py").write_text(body, encoding="utf-8")
    found = floors.app_graph(vigil)
    assert found.mutual() == [("a", "b")]
    assert found.inner == {("b", "a"): 1}

"""The audit trail's event names are one registry (vigil/audit/events.py): an unregistered
name is refused, and every name the code writes is registered."""

from __future__ import annotations

import ast
import pathlib

import pytest
from django.contrib import admin
from django.db import transaction

import vigil
from vigil.audit import events
from vigil.audit.chronology import kind_of
from vigil.audit.models import AuditEvent
from vigil.audit.services import AuditEntry, audit_record, audit_record_many
from vigil.core.constants import JusticeEventKind
from vigil.idva.models import EntryKind
from vigil.partners.admin import AuditedAdmin

SOURCE = pathlib.Path(vigil.__file__).parent

# The functions that write an audit row or pass an event name on to one, and where their
# name is when given by position.
WRITERS: dict[str, int | None] = {
    "audit_record": None,
    "audit_read": 1,
    "audit_view": 1,
    "_audit_view": 1,
    "create_audited": None,
    "update_audited": None,
    "AuditEntry": 1,
    "_Audit": 0,  # vigil/actions/bulk.py's rows for audit_record_many
    "_audit": 1,
    "_verified": 2,
    "get_referral_for_user": None,
}
# Functions that build the name from a noun they are given: (its position, the suffix).
NOUNS: dict[str, tuple[int, str]] = {"load_for_user": (3, ".view")}
# A name read from a row that was itself built with a literal name (scanned above).
COPIED = {"entry.action"}


def _names_in(node: ast.expr) -> list[str] | None:
    """The names an argument can be: a literal, either side of `a if c else b`, or None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        a, b = _names_in(node.body), _names_in(node.orelse)
        return None if a is None or b is None else a + b
    return None


class _Scan(ast.NodeVisitor):
    """The names passed to the writers: literal, formatted, and other expressions (with
    where they are), following the enclosing function so that a writer passing on its own
    `action` parameter is known to be one."""

    def __init__(self) -> None:
        self.literal: set[str] = set()
        self.formatted: set[str] = set()
        self.other: set[str] = set()
        self.where = ""
        self.stack: list[ast.FunctionDef | ast.AsyncFunctionDef] = []

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        for arg, default in zip(node.args.kwonlyargs, node.args.kw_defaults, strict=True):
            if arg.arg == "action" and isinstance(default, ast.Constant) and isinstance(default.value, str):
                self.literal.add(default.value)
        self.stack.append(node)
        self.generic_visit(node)
        self.stack.pop()

    def _forwarded(self, arg: ast.expr) -> bool:
        """`arg` is the enclosing writer's own parameter (its callers are scanned)."""
        if not isinstance(arg, ast.Name) or not self.stack:
            return False
        func = self.stack[-1]
        params = {a.arg for a in (*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs)}
        return func.name in WRITERS and arg.id in params

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name in NOUNS:
            position, suffix = NOUNS[name]
            if len(node.args) > position:
                nouns = _names_in(node.args[position])
                if nouns is None:
                    self.other.add(f"{self.where}: {ast.unparse(node.args[position])}")
                else:
                    self.literal.update(noun + suffix for noun in nouns)
        if name in WRITERS:
            given = [kw.value for kw in node.keywords if kw.arg == "action"]
            position = WRITERS[name]
            if position is not None and len(node.args) > position:
                given.append(node.args[position])
            for arg in given:
                names = _names_in(arg)
                if names is not None:
                    self.literal.update(names)
                elif isinstance(arg, ast.JoinedStr):
                    self.formatted.add(ast.unparse(arg))
                elif not self._forwarded(arg) and ast.unparse(arg) not in COPIED:
                    self.other.add(f"{self.where}: {ast.unparse(arg)}")
        self.generic_visit(node)


def _scan() -> _Scan:
    scan = _Scan()
    for path in sorted(SOURCE.rglob("*.py")):
        scan.where = str(path.relative_to(SOURCE))
        scan.visit(ast.parse(path.read_text(encoding="utf-8")))
    return scan


def test_every_event_the_code_writes_is_registered() -> None:
    scan = _scan()
    assert len(scan.literal) > 100, "the scan found too few names: has a writer been renamed?"
    registered = events.registered()
    assert sorted(n for n in scan.literal if n not in registered) == []
    # A name built at run time is one of a family's (its prefix is literal, the rest a code
    # of the family's vocabulary), or one of the audited admin pages' (below), or one built
    # from a noun (`NOUNS`, scanned above).
    prefixes = events.family_prefixes()
    for text in scan.formatted:
        stem = text[2:].split("{", 1)[0]  # f"justice.{kind}" -> "justice."
        if stem == "":  # f"{label}.add", f"{what}.view": the admin's rows, checked below, and NOUNS
            continue
        if stem.endswith(".") and stem[:-1] in prefixes:
            continue
        assert stem.startswith("schools.keyadult."), f"{text} is not a registered family"
    # Any other expression is a name this test cannot read: pass a literal, or teach it here.
    assert sorted(scan.other) == []
    # The audited admin pages write <model label>.add / .change / .delete.
    audited = [m for m, model_admin in admin.site._registry.items() if isinstance(model_admin, AuditedAdmin)]
    assert audited
    for model in audited:
        for verb in ("add", "change", "delete"):
            assert f"{model._meta.label_lower}.{verb}" in registered


def test_each_family_is_its_vocabulary() -> None:
    registered = events.registered()
    assert {f"justice.{code}" for code in JusticeEventKind.values} <= set(registered)
    assert {f"idva.{code}" for code in EntryKind.values} <= set(registered)
    assert "idva.withdrawn" in registered and "idva.active" not in registered  # a referral ends; it never starts so
    assert events.event_type("justice.arrest").words == "Arrest of the subject"
    assert events.event_type("decision.declined").part == events.Part.DECISION


def test_the_chronology_reads_each_events_part_from_the_registry() -> None:
    assert kind_of("action.create") == "policy"
    assert kind_of("action.escalate") == "escalation"
    assert kind_of("decision.completed") == "decision"
    assert kind_of("place.reveal") == "access"
    assert kind_of("report.record") == "fact"
    assert kind_of("an.old.name") == "fact"  # a row older than the registry still reads


@pytest.mark.django_db
def test_an_unregistered_event_is_refused_and_nothing_is_written() -> None:
    with pytest.raises(events.UnregisteredAuditEvent, match="'report.recorded' is not registered"), transaction.atomic():
        audit_record(actor="test", action="report.recorded", object_type="t", object_id=1)
    entry = AuditEntry(actor_label="policy", action="action.created", object_type="t", object_id="1", case_id=None)
    with pytest.raises(events.UnregisteredAuditEvent, match="'action.created'"), transaction.atomic():
        audit_record_many([AuditEntry("policy", "action.create", "t", "1", None), entry])
    with pytest.raises(events.UnregisteredAuditEvent, match="'justice.lunch'"), transaction.atomic():
        audit_record(actor="test", action="justice.lunch", object_type="t", object_id=1)
    assert AuditEvent.objects.count() == 0
    with transaction.atomic():
        audit_record(actor="test", action="justice.arrest", object_type="t", object_id=1)
    assert AuditEvent.objects.get().action == "justice.arrest"

"""The engine is its rules: one module per rule and escalator, registered in one list. A rule
from outside the package (tests/policy/toy_rule.py) is added by registering it and giving it
a table in the policy file, and nothing else changes."""

from __future__ import annotations

import sys
import tomllib

import pytest

from tests.policy import toy_rule
from tests.policy.builders import DAY, HOUR, at, kinds, report, run
from vigil.policy.config import DEFAULT_POLICY_PATH, PolicyError, load_policy, parse_policy
from vigil.policy.describe import describe
from vigil.policy.facts import EVENT_TYPES, TYPE_ORDER, Charge
from vigil.policy.rules import REGISTRY
from vigil.policy.rules.base import HOOKS, Rule
from vigil.policy.vocabulary import QUESTIONS, ActionKind, EventType, ExtensionEventType

T0 = at("2024-05-01 10:00")


def _with_toy(table: str = toy_rule.TABLE):  # type: ignore[no-untyped-def]
    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8") + table
    return parse_policy(tomllib.loads(text), "with-r99.toml", registry=(*REGISTRY, toy_rule.ToldOfCharge))


def test_a_registered_rule_acts_on_its_events() -> None:
    policy = _with_toy()
    events = [report(T0), Charge(at=T0 + DAY, subject="P", offence="assault")]
    [told] = [a for a in kinds(run(events, p=policy), "victim_contact") if a.rule == "R99"]
    assert (told.victim, told.subject, told.created_at, told.due_at, told.priority) == (
        "V",
        "P",
        T0 + DAY,
        T0 + DAY + 12 * HOUR,
        "medium",
    )
    assert "was charged" in told.reason
    # Without it, a charge is only recorded.
    assert kinds(run(events), "victim_contact") == []


def test_a_registered_rule_reads_its_own_table_and_says_itself() -> None:
    policy = _with_toy()
    assert policy.rules.R99.victim_contact.due == 12 * HOUR
    assert "R99 charge: the subject charged: victim_contact due 12 hours after the event (medium)" in describe(policy)
    with pytest.raises(PolicyError) as missing:
        parse_policy(
            tomllib.loads(DEFAULT_POLICY_PATH.read_text(encoding="utf-8")),
            "no-table.toml",
            registry=(*REGISTRY, toy_rule.ToldOfCharge),
        )
    assert (missing.value.key, missing.value.problem) == ("rules.R99", "missing required key")
    with pytest.raises(PolicyError) as unknown:
        _with_toy(toy_rule.TABLE + "victim_contact_due_minutes = 5\n")
    assert unknown.value.key == "rules.R99.victim_contact_due_minutes"
    off = _with_toy(toy_rule.TABLE + "enabled = false\n")
    assert "(switched off in this policy)" in describe(off)
    assert kinds(run([report(T0), Charge(at=T0 + DAY, subject="P")], p=off), "victim_contact") == []


def test_a_table_for_a_rule_that_is_not_registered_is_refused() -> None:
    with pytest.raises(PolicyError) as error:
        parse_policy(tomllib.loads(DEFAULT_POLICY_PATH.read_text(encoding="utf-8") + toy_rule.TABLE), "stray.toml")
    assert (error.value.key, error.value.problem) == ("rules.R99", "unknown key")


@pytest.mark.parametrize("rule", [*REGISTRY, toy_rule.ToldOfCharge], ids=lambda r: r.code)
def test_every_rule_is_whole(rule: type[Rule]) -> None:  # type: ignore[type-arg]
    """Each rule has a code, handles the event types it names (and only those), creates kinds
    of the vocabulary, and lives in its own module with its settings."""
    assert rule.code and rule.section in ("rules", "escalators")
    events = set(EventType.values) | set(ExtensionEventType.values)
    assert set(rule.events) <= events
    assert all(callable(getattr(rule, f"on_{kind}", None)) for kind in rule.events), rule.code
    own = {name.removeprefix("on_") for name in vars(rule) if name.startswith("on_")}
    assert own <= set(rule.events), f"{rule.code} handles {own - set(rule.events)} without saying so"
    handlers = set(rule.events)
    hooks = {name for name in HOOKS if getattr(rule, name) is not getattr(Rule, name)}
    assert handlers or hooks, f"{rule.code} acts on nothing"
    assert set(rule.creates) <= set(ActionKind.values)
    module = sys.modules[rule.__module__]
    assert hasattr(module, "Settings") and module.__doc__
    assert rule.parse.__func__ is not Rule.parse.__func__ and rule.sentence.__func__ is not Rule.sentence.__func__


def test_the_registry_is_the_policy_file_s_tables_in_order() -> None:
    data = tomllib.loads(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"))
    assert [r.code for r in REGISTRY if r.section == "escalators"] == list(data["escalators"])
    assert [r.code for r in REGISTRY if r.section == "rules"] == list(data["rules"])
    # POLICY.md's R1-R13, then Vigil's own extensions beyond it (R14), which say so.
    published = [r.code for r in REGISTRY if r.section == "rules" and not r.extension]
    assert published == [f"R{n}" for n in range(1, 14)]
    assert [r.code for r in REGISTRY if r.extension] == ["R14"]


def test_one_vocabulary() -> None:
    """Every event type is the vocabulary's, with its class and its place in the order of one
    moment; the instruments' question counts are the format's."""
    assert set(EVENT_TYPES) == set(EventType.values) | set(ExtensionEventType.values)
    assert set(TYPE_ORDER) == set(EVENT_TYPES)
    assert QUESTIONS == {"dash": 24, "sdash": 11, "lethality_screen": 11}
    policy = load_policy()
    assert (policy.risk.dash.questions, policy.risk.lethality_screen.questions, policy.risk.sdash.questions) == (24, 11, 11)


def test_the_django_choices_are_the_vocabulary() -> None:
    from vigil.core import constants
    from vigil.policy import vocabulary

    assert constants.ActionKind is vocabulary.ActionKind
    assert constants.OrderType is vocabulary.OrderType
    assert ("dvds_decision", "Decide on the Clare's Law disclosure") in constants.ActionKind.choices
    assert constants.ActionKind("notify_school").label == "Tell the school (Operation Encompass)"


def test_the_engine_imports_no_django() -> None:
    import subprocess

    code = (
        "import sys, vigil.policy.engine, vigil.policy.describe, vigil.bench.replay, vigil.timeline.reader;"
        " bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'));"
        " print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr

"""R1 intake: every domestic abuse, stalking or harassment report, and every report between
people who are or were partners, family or household, gets a risk assessment, database
checks and a supervisor's review."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from vigil.policy.facts import Report
from vigil.policy.rules.base import Rule
from vigil.policy.table import ActionSpec, Table, rule_header
from vigil.policy.vocabulary import ActionKind, RelationshipKind, ReportCategory, codes
from vigil.policy.words import due_words, either, kind_words

if TYPE_CHECKING:
    from vigil.policy.config import Policy
    from vigil.policy.loop import Engine
    from vigil.policy.outcome import Pair


_CATEGORY_WORDS = ReportCategory.words_map()


@dataclass(frozen=True)
class Settings:
    enabled: bool
    title: str
    categories: tuple[str, ...]
    relationships: tuple[str, ...]
    actions: tuple[ActionSpec, ...]


class Intake(Rule[Settings]):
    code = "R1"
    events = ("report",)
    creates = (ActionKind.COMPLETE_RISK_ASSESSMENT.value, ActionKind.DATABASE_CHECKS.value, ActionKind.SUPERVISOR_REVIEW.value)

    @classmethod
    def parse(cls, t: Table) -> Settings:
        settings = Settings(
            *rule_header(t),
            categories=t.choices("categories", codes(ReportCategory)),
            relationships=t.choices("relationships", codes(RelationshipKind)),
            actions=tuple(t.action(kind) for kind in cls.creates),
        )
        t.done()
        return settings

    @classmethod
    def sentence(cls, s: Settings, policy: Policy) -> str:
        return (
            f"a report of {either(s.categories)}, or of any category where the victim and suspect are or were"
            f" {either(s.relationships)}, creates " + "; ".join(due_words(a) for a in s.actions) + "."
        )

    def __init__(self, engine: Engine, settings: Settings) -> None:
        super().__init__(engine, settings)
        self._related: dict[Pair, bool] = {}  # are they partners, family or household
        self._relationships = frozenset(settings.relationships)
        self._actions = tuple((spec, kind_words(spec.kind)) for spec in settings.actions)  # and their words

    def on_report(self, e: Report) -> None:
        s = self.settings
        if not s.enabled:
            return
        engine = self.engine
        pair = engine.event_pair
        related = self._related.get(pair)
        if related is None:
            kinds = engine.relationship_kinds(pair)
            related = self._related[pair] = pair[1] is not None and not self._relationships.isdisjoint(kinds)
        if e.category not in s.categories and not related:
            return
        category = _CATEGORY_WORDS.get(e.category, e.category)
        why = f"every {category} report" if e.category in s.categories else "they are or were partners, family or household"
        what = f"report of {category} on {engine.when(e.at)}"
        victim, subject = pair
        about = f"{what} about {engine.who(victim)} and {engine.who(subject)} ({why})"
        for spec, asks in self._actions:
            engine.create(rule=self.code, spec=spec, pair=pair, at=e.at, reason=f"{about}: {asks}")

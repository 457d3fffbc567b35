"""R9 serial: one subject named in reports by two or more victims is flagged as a serial
perpetrator and reviewed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from vigil.policy.facts import Report
from vigil.policy.rules.base import Rule
from vigil.policy.table import ActionSpec, Table, rule_header
from vigil.policy.vocabulary import ActionKind
from vigil.policy.words import due_words

if TYPE_CHECKING:
    from vigil.policy.config import Policy
    from vigil.policy.loop import Engine


@dataclass(frozen=True)
class Settings:
    enabled: bool
    title: str
    victims: int
    review: ActionSpec


class Serial(Rule[Settings]):
    code = "R9"
    events = ("report",)
    creates = (ActionKind.SERIAL_PERPETRATOR_REVIEW.value,)

    @classmethod
    def parse(cls, t: Table) -> Settings:
        settings = Settings(
            *rule_header(t), victims=t.count("victims", minimum=2), review=t.action(ActionKind.SERIAL_PERPETRATOR_REVIEW.value)
        )
        t.done()
        return settings

    @classmethod
    def sentence(cls, s: Settings, policy: Policy) -> str:
        return f"one subject named in reports by {s.victims} or more victims: flag serial_perpetrator; {due_words(s.review)}."

    def __init__(self, engine: Engine, settings: Settings) -> None:
        super().__init__(engine, settings)
        self._victims: dict[str, dict[str, None]] = {}  # subject -> the victims of his reports, in order

    def on_report(self, e: Report) -> None:
        s = self.settings
        engine = self.engine
        pair = engine.event_pair
        victim, subject = pair
        if subject is None:
            return
        victims = self._victims.setdefault(subject, {})
        if victim in victims:
            return
        victims[victim] = None
        if not s.enabled or len(victims) < s.victims:
            return
        # The words give the number only: the flag and the review sit on this victim's case,
        # and the other victims' cases may be closed to its readers (the person page lists
        # them to those who may see them).
        engine.flag(
            "serial_perpetrator",
            (victim, subject),
            f"{engine.who(subject)} is named in reports by {len(victims)} victims (this report: {engine.who(victim)})",
            e.at,
        )
        engine.create(
            rule=self.code,
            spec=s.review,
            pair=pair,
            at=e.at,
            reason=f"{engine.who(subject)} is named in reports by {len(victims)} victims: review as a serial perpetrator",
        )

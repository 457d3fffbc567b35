"""R13 disclosure (Clare's Law): a disclosure request gets a decision for the person at risk
and the subject within 28 days, or 24 hours when that pair is high at the request; the
decision on the request closes it, except a decision not to disclose without a rationale."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vigil.policy.facts import DisclosureDecision, DisclosureRequest
from vigil.policy.outcome import DONE, OPEN, Action
from vigil.policy.rules.base import Rule
from vigil.policy.table import PRIORITIES, ActionSpec, Table, rule_header
from vigil.policy.vocabulary import ActionKind, DisclosureOutcome, DisclosureRoute
from vigil.policy.words import duration

if TYPE_CHECKING:
    from vigil.policy.config import Policy
    from vigil.policy.loop import Engine


@dataclass(frozen=True)
class Settings:
    enabled: bool
    title: str
    dvds_decision: ActionSpec
    dvds_decision_high: ActionSpec  # when the pair is high at the request
    rationale_required: bool  # for a decision not to disclose


class Disclosure(Rule[Settings]):
    code = "R13"
    events = ("disclosure_request", "disclosure_decision")
    creates = (ActionKind.DVDS_DECISION.value,)

    @classmethod
    def parse(cls, t: Table) -> Settings:
        kind = ActionKind.DVDS_DECISION.value
        settings = Settings(
            *rule_header(t),
            dvds_decision=ActionSpec(
                kind, dt.timedelta(days=t.positive_number(f"{kind}_due_days")), t.choice(f"{kind}_priority", PRIORITIES)
            ),
            dvds_decision_high=ActionSpec(kind, t.hours(f"{kind}_due_hours_high"), t.choice(f"{kind}_priority_high", PRIORITIES)),
            rationale_required=t.boolean("no_disclosure_rationale_required", True),
        )
        t.done()
        return settings

    @classmethod
    def sentence(cls, s: Settings, policy: Policy) -> str:
        closes = (
            ", except a decision not to disclose without a rationale, which is recorded and closes nothing."
            if s.rationale_required
            else "."
        )
        return (
            "a disclosure request: dvds_decision for the person at risk and the subject, due"
            f" {duration(s.dvds_decision.due)} after the request ({s.dvds_decision.priority}), or"
            f" {duration(s.dvds_decision_high.due)} ({s.dvds_decision_high.priority}) when that pair is"
            f" {policy.risk.high} at the request. The decision on the request closes it{closes}"
        )

    def __init__(self, engine: Engine, settings: Settings) -> None:
        super().__init__(engine, settings)
        self._requests: dict[str, list[Action]] = {}  # a request's dvds_decision actions

    def on_disclosure_request(self, e: DisclosureRequest) -> None:
        s = self.settings
        if not s.enabled:
            return
        engine = self.engine
        pair = engine.pair(e.person_at_risk, e.subject)
        high = engine.is_high(pair)
        spec = s.dvds_decision_high if high else s.dvds_decision
        applicant = f", applied for by {engine.who(e.applicant)}" if e.applicant else ""
        action = engine.create(
            rule=self.code,
            spec=spec,
            pair=pair,
            at=e.at,
            reason=f"Clare's Law {DisclosureRoute.words_of(e.route)} request {engine.named(e.request)} about"
            f" {engine.who(pair[1])} for {engine.who(pair[0])}{applicant} on {engine.when(e.at)}: decide whether to"
            " disclose" + (" (the risk is high)" if high else ""),
            child=e.request,
        )
        self._requests.setdefault(e.request, []).append(action)

    def on_disclosure_decision(self, e: DisclosureDecision) -> None:
        engine = self.engine
        requested = self._requests.get(e.request)
        if not requested:
            engine.note(f"disclosure request {engine.named(e.request)} is not known at this time")
            return
        if e.decision == DisclosureOutcome.NO_DISCLOSURE and self.settings.rationale_required and not e.rationale.strip():
            engine.note("a decision not to disclose without a rationale is recorded, not accepted: the decision stays open")
            return
        closing = [a for a in requested if a.status == OPEN]
        for action in closing:
            words = DisclosureOutcome.words_of(e.decision)
            engine.close(action, DONE, e.at, f"decided {words} on {engine.when(e.at)}", rationale=e.rationale)
        if not closing:
            engine.note("recorded decision: the request's decision was already closed")

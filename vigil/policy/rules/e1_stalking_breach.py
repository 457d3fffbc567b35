"""E1: an order in force broken by a subject for whom stalking is known (a stalking report
about the pair, DASH question 8, Lethality Screen question 11, or any S-DASH yes) raises the
pair to high."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vigil.policy.facts import Report
from vigil.policy.rules.escalator import Escalator
from vigil.policy.table import Table, rule_header
from vigil.policy.vocabulary import ReportCategory, codes
from vigil.policy.words import either

if TYPE_CHECKING:
    from vigil.policy.config import Policy
    from vigil.policy.loop import OrderState
    from vigil.policy.outcome import Pair


@dataclass(frozen=True)
class Settings:
    enabled: bool
    title: str
    stalking_report_categories: tuple[str, ...]  # reports that make stalking known for the pair


class StalkingBreach(Escalator[Settings]):
    code = "E1"
    events = ("report",)

    @classmethod
    def parse(cls, t: Table) -> Settings:
        settings = Settings(
            *rule_header(t),
            stalking_report_categories=(
                t.choices("stalking_report_categories", codes(ReportCategory)) if "stalking_report_categories" in t.data else ()
            ),
        )
        t.done()
        return settings

    @classmethod
    def sentence(cls, s: Settings, policy: Policy) -> str:
        dash, ls = policy.risk.dash, policy.risk.lethality_screen
        return (
            f"stalking is known from a {either(s.stalking_report_categories)} report, DASH question"
            f" {either(dash.stalking_questions)}, Lethality Screen question {either(ls.stalking_questions)} or any S-DASH yes"
        )

    def on_report(self, e: Report) -> None:
        """A report of one of these categories makes stalking known for the pair."""
        engine = self.engine
        pair = engine.event_pair
        if e.category in self.settings.stalking_report_categories and pair[1] is not None:
            engine.stalking_known(pair, f"a {e.category} report on {engine.when(e.at)}")

    def when_order_broken(self, pair: Pair, orders: Sequence[OrderState], at: dt.datetime) -> None:
        engine = self.engine
        st = engine.state(pair)
        if not self.settings.enabled or not st.stalking or not any(o.in_force(at) for o in orders):
            return
        order = orders[0]
        engine.escalator(
            pair,
            self.code,
            at,
            f"{order.words} {engine.named(order.event.order)} broken by a subject for whom stalking is known ({st.stalking})",
        )
        engine.evaluate(pair, at)

"""What a rule of the policy is, to the engine.

A rule (R1 ... R13) or an escalator (E1 ... E4) is one class in one module of this package.
It holds, together:

- `Settings`, a frozen dataclass of everything a force may change (with `enabled` and
  `title`), and `parse`, which reads the rule's table of the policy file (`[rules.R5]`,
  `[escalators.E1]`) into it, naming the key of anything wrong;
- `sentence`, the rule in words, for `vigil policy show`;
- `events`, the event types it acts on, each handled by its method `on_<type>`;
- the hooks it answers, when it acts on what another part decided: `when_linked` (a subject
  is newly linked to a victim), `when_risen` (a pair's level rose), `when_order_broken` (an
  event broke an order for a pair), `when_assessed` (a risk assessment's level is worked out);
- `creates`, the action kinds it creates.

One instance serves one run of the engine (`self.engine`, `self.settings`), so the state a
rule keeps for itself (R10's places already flagged, R13's requests) lives on it. The rules
are registered in one list, `vigil.policy.rules.REGISTRY`, in the order they act within one
event. docs/adding-a-rule.md walks through adding one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeVar

from vigil.policy.table import Table

if TYPE_CHECKING:
    from vigil.policy.config import Policy
    from vigil.policy.facts import Event
    from vigil.policy.loop import Engine, OrderState
    from vigil.policy.outcome import Pair
    from vigil.policy.risk import Assessed


class RuleSettings(Protocol):
    """What every rule's settings have."""

    @property
    def enabled(self) -> bool: ...

    @property
    def title(self) -> str: ...


S = TypeVar("S", bound=RuleSettings)


class Rule(Generic[S]):
    code: ClassVar[str] = ""  # "R5": its table is [rules.R5] (or [escalators.E1])
    section: ClassVar[str] = "rules"  # or "escalators"
    events: ClassVar[tuple[str, ...]] = ()  # the event types it handles, each by `on_<type>`
    creates: ClassVar[tuple[str, ...]] = ()  # the action kinds it creates
    # A Vigil extension beyond POLICY.md (R14): its table may be left out (the rule's own
    # defaults apply) and `vigil policy show` lists it apart from the published rules.
    extension: ClassVar[bool] = False

    @classmethod
    def parse(cls, t: Table) -> S:
        """The rule's settings from its table (call `t.done()` at the end)."""
        raise NotImplementedError

    @classmethod
    def sentence(cls, settings: S, policy: Policy) -> str:
        """The rule in words, after its code and title (`vigil policy show`)."""
        raise NotImplementedError

    def __init__(self, engine: Engine, settings: S) -> None:
        self.engine = engine
        self.settings = settings

    def handler(self, event_type: str) -> Callable[[Event], None]:
        found: Callable[[Event], None] = getattr(self, f"on_{event_type}")
        return found

    # --- hooks (the engine calls only the ones a rule defines) ----------------------------

    def when_linked(self, pair: Pair, at: dt.datetime) -> None:
        """The subject of `pair` is now linked to its victim."""

    def when_risen(self, pair: Pair, level: str, at: dt.datetime) -> None:
        """The pair's level rose into `level` at `at`."""

    def when_order_broken(self, pair: Pair, orders: Sequence[OrderState], at: dt.datetime) -> None:
        """An event at `at` broke `orders` (in force) protecting the pair's victim."""

    def when_assessed(self, assessed: Assessed) -> None:
        """A risk assessment has been applied and the pair's level worked out."""


HOOKS = ("when_linked", "when_risen", "when_order_broken", "when_assessed")


def answers(rule: Rule[Any], hook: str) -> bool:
    """Whether `rule` defines `hook` (rather than inheriting the base's nothing)."""
    return getattr(type(rule), hook) is not getattr(Rule, hook)

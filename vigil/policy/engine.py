"""The policy engine's public interface: `evaluate(policy, world, events, until)`, the
`Engine` that applies events one at a time, and what comes out.

The engine is a package whose shape is the policy: `rules/` (one module per rule and
escalator, registered in one list), `risk.py` (a pair's level), `ledger.py` (actions, closing
and the ladder), `loop.py` (the event loop), `words.py` and `vocabulary.py` (the words).
What comes out is plain data (`outcome.py`). docs/engine-semantics.md records how POLICY.md
is read; docs/adding-a-rule.md adds a rule.
"""

from __future__ import annotations

from vigil.policy.loop import Engine, evaluate
from vigil.policy.outcome import Action, ChronologyEntry, Flag, Outcome, Pair, RiskChange
from vigil.policy.words import kind_words

__all__ = ["Action", "ChronologyEntry", "Engine", "Flag", "Outcome", "Pair", "RiskChange", "evaluate", "kind_words"]

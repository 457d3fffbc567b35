"""The pure policy engine: facts and a clock in, actions, flags and risk changes out.

Its shape is the policy: `rules/` holds one module per rule (R1 ... R13) and per escalator
(E1 ... E4), registered in one list; `loop.py` applies the events, `risk.py` works out a
pair's level, `ledger.py` keeps the actions and their ladder, `vocabulary.py` and `words.py`
hold the words, `config.py` reads the policy file. `engine.py` is the public face.

Nothing in this package imports Django; the live system and `vigil replay` call the same
functions. See docs/engine-semantics.md for how POLICY.md is read, and docs/adding-a-rule.md.
"""

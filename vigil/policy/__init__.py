"""The pure policy engine: facts and a clock in, actions, flags and risk changes out.

Nothing in this package imports Django; the live system and `vigil replay` call the same
functions. See docs/engine-semantics.md for how POLICY.md is read.
"""

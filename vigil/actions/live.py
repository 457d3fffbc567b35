"""The live system's bridge to the pure policy engine.

Every service that records a fact calls `policy_reevaluate` inside its own transaction. The
bridge builds the facts of the people around the change from the database (the same
timeline shape `vigil replay` reads), runs the same engine up to now, and reconciles what it
says into stored rows by the engine's stable keys: new actions, flags and risk changes are
created; existing actions take the engine's due time, priority, status and escalations. No
row is ever deleted, and every change is audited with the actor 'policy'.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections.abc import Iterable, Iterator

from django.db import transaction

from vigil.core import times

_deferred: contextvars.ContextVar[set[int] | None] = contextvars.ContextVar("vigil_deferred_policy", default=None)


def policy_now() -> dt.datetime:
    """The time the policy evaluates at: the services' clock (`vigil.core.times.now`), which
    is now unless a bulk load or an import fixed it."""
    return times.now()


@contextlib.contextmanager
def deferred_policy(*, at: dt.datetime | None = None) -> Iterator[None]:
    """Collect the people touched inside the block and re-evaluate them once at its end.

    For bulk loads (demo data, imports), where re-running the policy after every single
    fact would only repeat work. The caller's transaction still covers both. `at` fixes the
    clock for the block (`vigil.core.times.clock_at`): the world is built as of that moment.
    """
    people: set[int] = set()
    with times.clock_at(at) if at is not None else contextlib.nullcontext():
        token = _deferred.set(people)
        try:
            yield
        finally:
            _deferred.reset(token)
        if people:
            policy_reevaluate(person_ids=people)


@contextlib.contextmanager
def policy_held() -> Iterator[set[int]]:
    """Collect the people touched inside the block without re-evaluating them: the caller runs
    the policy for them itself, at the moment it chooses (the event API evaluates each event
    at its own time before bringing the batch up to now). The caller's transaction covers both."""
    people: set[int] = set()
    token = _deferred.set(people)
    try:
        yield people
    finally:
        _deferred.reset(token)


def policy_deferred() -> bool:
    """Whether the policy runs later (inside `deferred_policy` or `policy_held`), not at once."""
    return _deferred.get() is not None


def policy_reevaluate(*, person_ids: Iterable[int]) -> None:
    ids = {int(pid) for pid in person_ids if pid is not None}
    if not ids:
        return
    pending = _deferred.get()
    if pending is not None:
        pending.update(ids)
        return
    run_engine(ids)


def run_engine(person_ids: set[int]) -> None:
    """Re-evaluate the cluster around `person_ids` now and store the answer: the one call
    every service's `policy_reevaluate` ends in (the tests' `live_bridge` fixture switches
    the bridge off here, and only here)."""
    from vigil.actions.reconcile import reevaluate_world

    with transaction.atomic():
        reevaluate_world(person_ids, until=policy_now())

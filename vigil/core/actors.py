"""Who does something the audit trail records: a user, or a named part of the system.

A person acting is their `User`; work nobody in particular did is named by a label that the
audit row keeps as its `actor_label`: `POLICY` (the policy engine and its escalation job),
`PORTAL` (a victim's or family's report), or the command or client that ran it ("keys
rotate", "api:<client>", "vigil schools load"). `Actor` is that type; `user_of` is the user
for a `..._by` column, None when a part of the system acted.
"""

from __future__ import annotations

from typing import TypeAlias

from vigil.core.models import User

SystemActor: TypeAlias = str  # a label naming the part of the system that acted
Actor: TypeAlias = User | SystemActor

POLICY: SystemActor = "policy"
PORTAL: SystemActor = "portal"


def user_of(actor: object) -> User | None:
    """The user who acted, or None when a part of the system did (for a `..._by` column)."""
    return actor if isinstance(actor, User) else None

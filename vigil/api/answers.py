"""What the policy did, as the API says it: the actions, flags and risk changes a block of
work stored, on the cases the client may see (others are left out, as the case page leaves
out what the officer may not see)."""

from __future__ import annotations

from typing import Any

from vigil.actions.effects import PolicyEffects
from vigil.api.models import ApiClient
from vigil.api.reads import action_out
from vigil.api.scope import cases_for_client


def policy_out(effects: PolicyEffects, client: ApiClient) -> dict[str, Any]:
    case_ids = {a.case_id for a in (*effects.created, *effects.closed, *effects.changed)}
    case_ids |= {f.case_id for f in effects.flags} | {r.case_id for r in effects.risk}
    visible = dict(cases_for_client(client).filter(pk__in=case_ids).values_list("pk", "reference"))

    def actions(rows: list[Any]) -> list[dict[str, Any]]:
        return [action_out(a) for a in rows if a.case_id in visible]

    return {
        "created": actions(effects.created),
        "closed": actions(effects.closed),
        "changed": actions(effects.changed),
        "flags": [
            {"case": visible[f.case_id], "kind": f.kind, "detail": f.detail} for f in effects.flags if f.case_id in visible
        ],
        "risk": [
            {"case": visible[r.case_id], "level": r.level, "source": r.source} for r in effects.risk if r.case_id in visible
        ],
    }

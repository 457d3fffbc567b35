"""What people do with actions: complete, decline (with a rationale), reassign, sign off.

A completion or decline is recorded as a `Decision`, a fact the policy reads: it closes
every open action of that kind for the pair, as POLICY.md says. R11 is read from the policy
file in use, never decided again here: whether a decline needs a rationale
(`rationale_required`), and whether declining an action of a pair at R3's level (high)
waits for a supervisor's sign-off (`enabled`); the engine raises that action to
`high_pair_escalation_level` at once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from vigil.actions.engine_adapter import policy
from vigil.actions.live import policy_reevaluate
from vigil.actions.models import Action, Decision
from vigil.core import times
from vigil.core.constants import ActionStatus, Role, SignOff
from vigil.core.services import create_audited, update_audited

# What a decline without a reason stores, when the force's policy does not require one (R11
# `rationale_required = false`): the record says plainly that none was given.
NO_RATIONALE = "No reason was recorded: this force's policy does not require one for a decline (R11)."
DECLINE_NEEDS_REASON = "Explain why this action will not be done"


def decline_rationale(rationale: str) -> str:
    """The rationale a decline stores: the officer's words; refused when blank and the policy
    requires one (R11 `rationale_required`), else NO_RATIONALE."""
    text = (rationale or "").strip()
    if text:
        return text
    if policy().rules.R11.rationale_required:
        raise ValidationError({"rationale": DECLINE_NEEDS_REASON})
    return NO_RATIONALE


def decline_needs_signoff(action: Action) -> bool:
    """R11 as the policy file says: a decline waits for a supervisor's sign-off when the rule
    is on and the action's pair is at R3's level (the engine raises it up the ladder then)."""
    rules = policy().rules
    return rules.R11.enabled and action.case.risk_level == rules.R3.level


def _require_open(action: Action) -> None:
    if action.status != ActionStatus.OPEN:
        raise ValidationError({"action": f"this action is already {action.get_status_display().lower()}"})


def _decide(*, actor: Any, action: Action, outcome: str, at: dt.datetime, rationale: str) -> Decision:
    decision = Decision(
        case=action.case,
        action_kind=action.kind,
        victim=action.victim,
        subject=action.subject,
        outcome=outcome,
        at=at,
        recorded_at=times.now(),
        rationale=rationale,
        decided_by=actor if hasattr(actor, "pk") else None,
        action=action,
    )
    return create_audited(decision, actor=actor, action=f"decision.{outcome}", case_id=action.case_id)


def action_complete(*, actor: Any, action: Action, note: str = "", at: dt.datetime | None = None) -> Action:
    at = times.reported(at, field="at", label="When it was done")
    _require_open(action)
    with transaction.atomic():
        _decide(actor=actor, action=action, outcome=Decision.Outcome.COMPLETED, at=at, rationale=note.strip())
        update_audited(
            action,
            actor=actor,
            action="action.complete",
            case_id=action.case_id,
            changes={
                "status": ActionStatus.DONE,
                "closed_at": at,
                "rationale": note.strip(),
                "decided_by": actor if hasattr(actor, "pk") else None,
            },
        )
        policy_reevaluate(person_ids={action.victim_id, *([action.subject_id] if action.subject_id else [])}, actor=actor)
        action.refresh_from_db()
        return action


def action_decline(*, actor: Any, action: Action, rationale: str, at: dt.datetime | None = None) -> Action:
    at = times.reported(at, field="at", label="When it was decided")
    rationale = decline_rationale(rationale)
    _require_open(action)
    with transaction.atomic():
        _decide(actor=actor, action=action, outcome=Decision.Outcome.DECLINED, at=at, rationale=rationale)
        update_audited(
            action,
            actor=actor,
            action="action.decline",
            case_id=action.case_id,
            changes={
                "status": ActionStatus.DECLINED,
                "closed_at": at,
                "rationale": rationale,
                "decided_by": actor if hasattr(actor, "pk") else None,
                "signoff": SignOff.AWAITING if decline_needs_signoff(action) else SignOff.NOT_NEEDED,
            },
        )
        policy_reevaluate(person_ids={action.victim_id, *([action.subject_id] if action.subject_id else [])}, actor=actor)
        action.refresh_from_db()
        return action


def decision_record(
    *,
    actor: Any,
    case: Any,
    kind: str,
    victim: Any,
    subject: Any,
    outcome: str,
    rationale: str = "",
    at: dt.datetime | None = None,
) -> Decision:
    """An officer's completion or decline of a kind of action for a pair (as a timeline's
    `action_completed` / `action_declined`). With an open action of that kind for the pair
    stored, it is that action's completion or decline; without one it is kept as a recorded
    decision, which the policy reads and which changes nothing else."""
    from vigil.people.linking import linked_ids

    at = times.reported(at, field="at", label="When it was decided")
    victims = linked_ids(victim)
    subjects = linked_ids(subject) if subject is not None else set()
    matching = Action.objects.filter(status=ActionStatus.OPEN, kind=kind, victim_id__in=victims)
    matching = matching.filter(subject_id__in=subjects) if subject is not None else matching.filter(subject__isnull=True)
    action = matching.order_by("created_at", "pk").first()
    if action is not None:
        if outcome == Decision.Outcome.COMPLETED:
            action_complete(actor=actor, action=action, note=rationale, at=at)
        else:
            action_decline(actor=actor, action=action, rationale=rationale, at=at)
        return Decision.objects.filter(action=action).latest("pk")
    if outcome == Decision.Outcome.DECLINED:
        rationale = decline_rationale(rationale)
    with transaction.atomic():
        decision = create_audited(
            Decision(
                case=case,
                action_kind=kind,
                victim=victim,
                subject=subject,
                outcome=outcome,
                at=at,
                recorded_at=times.now(),
                rationale=rationale.strip(),
                decided_by=actor if hasattr(actor, "pk") else None,
            ),
            actor=actor,
            action=f"decision.{outcome}",
            case_id=case.pk,
        )
        policy_reevaluate(person_ids={victim.pk, *([subject.pk] if subject is not None else [])}, actor=actor)
        return decision


def action_reassign(*, actor: Any, action: Action, owner: Any) -> Action:
    _require_open(action)
    if owner.team_id is None:
        raise ValidationError({"owner": f"{owner} belongs to no team"})
    with transaction.atomic():
        return update_audited(action, actor=actor, action="action.reassign", case_id=action.case_id, changes={"owner": owner})


def _require_signoff_rights(actor: Any, action: Action) -> None:
    if action.signoff != SignOff.AWAITING:
        raise ValidationError({"action": "this action is not waiting for sign-off"})
    if getattr(actor, "escalation_level", 1) < 2 or actor.role == Role.ADMIN:
        raise ValidationError({"action": "only a supervisor or above can sign off a declined action"})


def action_signoff(*, actor: Any, action: Action, note: str = "") -> Action:
    _require_signoff_rights(actor, action)
    with transaction.atomic():
        return update_audited(
            action,
            actor=actor,
            action="action.signoff",
            case_id=action.case_id,
            changes={
                "signoff": SignOff.SIGNED_OFF,
                "signoff_by": actor,
                "signoff_at": times.now(),
                "signoff_note": note.strip(),
            },
        )


def action_send_back(*, actor: Any, action: Action, note: str) -> Action:
    """The supervisor does not accept the decline: the decision is withdrawn and the action reopens."""
    _require_signoff_rights(actor, action)
    if not note.strip():
        raise ValidationError({"note": "Say why the action is sent back"})
    with transaction.atomic():
        now = times.now()
        for decision in Decision.objects.filter(action=action, outcome=Decision.Outcome.DECLINED, withdrawn=False):
            update_audited(
                decision,
                actor=actor,
                action="decision.withdraw",
                case_id=action.case_id,
                changes={"withdrawn": True, "withdrawn_by": actor, "withdrawn_at": now, "withdrawn_note": note.strip()},
            )
        update_audited(
            action,
            actor=actor,
            action="action.send_back",
            case_id=action.case_id,
            changes={
                "status": ActionStatus.OPEN,
                "closed_at": None,
                "signoff": SignOff.SENT_BACK,
                "signoff_by": actor,
                "signoff_at": now,
                "signoff_note": note.strip(),
            },
        )
        policy_reevaluate(person_ids={action.victim_id, *([action.subject_id] if action.subject_id else [])}, actor=actor)
        action.refresh_from_db()
        return action

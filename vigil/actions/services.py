"""What people do with actions: complete, decline (with a rationale), reassign, sign off.

A completion or decline is recorded as a `Decision`, a fact the policy reads: it closes
every open action of that kind for the pair, as POLICY.md says. R11 is read from the policy
file in use, never decided again here: whether a decline needs a rationale
(`rationale_required`), and whether declining an action of a pair at R3's level (high)
waits for a supervisor's sign-off (`enabled`); the engine raises that action to
`high_pair_escalation_level` at once.

A decline made in Vigil needs a reason that is a sentence (vigil.core.rationale): at least
four words and twenty characters, so "x" or "n/a" is refused. A decision read from a
timeline file (`vigil import timeline`) was made elsewhere and is kept in the words it was
written (`as_written`), as `vigil replay` keeps it, so the live store stays equal to replay.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from vigil.actions.engine_adapter import policy
from vigil.actions.live import policy_reevaluate
from vigil.actions.models import Action, Decision
from vigil.audit.services import create_audited, update_audited
from vigil.core import times
from vigil.core.actors import user_of
from vigil.core.constants import ActionKind, ActionStatus, Role, SignOff
from vigil.core.rationale import DECLINE

# What a decline without a reason stores, when the force's policy does not require one (R11
# `rationale_required = false`): the record says plainly that none was given.
NO_RATIONALE = "No reason was recorded: this force's policy does not require one for a decline (R11)."


def decline_rationale(rationale: str, *, as_written: bool = False) -> str:
    """The rationale a decline stores: the officer's words, refused unless they are a
    sentence (vigil.core.rationale, the rule a decision not to disclose obeys too) when the
    policy requires a reason (R11 `rationale_required`); a blank one is then NO_RATIONALE.
    With `as_written` (a decision read from a timeline file) only a blank reason is refused,
    as replay refuses it."""
    if not policy().rules.R11.rationale_required:
        return (rationale or "").strip() or NO_RATIONALE
    return DECLINE.clean(rationale, as_written=as_written)


def decline_needs_signoff(action: Action) -> bool:
    """R11 as the policy file says: a decline waits for a supervisor's sign-off when the rule
    is on and the action's pair is at R3's level (the engine raises it up the ladder then)."""
    rules = policy().rules
    return rules.R11.enabled and action.case.risk_level == rules.R3.level


def _require_open(action: Action) -> None:
    if action.status != ActionStatus.OPEN:
        raise ValidationError({"action": f"this action is already {action.get_status_display().lower()}"})


def _lock(action: Action) -> Action:
    """Take the action's row under lock, inside the caller's transaction, and bring the copy in
    hand up to date: of two people deciding at once, the second waits and then sees the first's
    decision (SQLite already serialises writers)."""
    current = Action.objects.select_for_update().values("status", "signoff").get(pk=action.pk)
    action.status, action.signoff = current["status"], current["signoff"]
    return action


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
        decided_by=user_of(actor),
        action=action,
    )
    return create_audited(decision, actor=actor, action=f"decision.{outcome}", case_id=action.case_id)


def action_complete(*, actor: Any, action: Action, note: str = "", at: dt.datetime | None = None) -> Action:
    at = times.reported(at, field="at", label="When it was done")
    _require_open(action)
    with transaction.atomic():
        _require_open(_lock(action))
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
                "decided_by": user_of(actor),
            },
        )
        policy_reevaluate(person_ids={action.victim_id, *([action.subject_id] if action.subject_id else [])})
        action.refresh_from_db()
        return action


# The actions an arrest settles: completing one records the arrest (or the warrant's
# execution), and the policy closes it and the others it settles, as replay does.
CUSTODY_KINDS = (ActionKind.ARREST_SUSPECT, ActionKind.EXECUTE_WARRANT)
_CUSTODY_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9/ .-]*")


def action_warrant(action: Action) -> Any:
    """The warrant an `execute_warrant` action is for (its key ends with the warrant's
    reference in the policy's document, `W<pk>`), or None."""
    from vigil.warrants.models import Warrant

    tail = action.key.rsplit(":", 1)[-1].split("#", 1)[0]
    if action.kind != ActionKind.EXECUTE_WARRANT or not tail.startswith("W") or not tail[1:].isdigit():
        return None
    return Warrant.objects.filter(pk=int(tail[1:])).first()


def _custody_checks(action: Action, at: dt.datetime, arrested_by: str, custody_reference: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if action.kind not in CUSTODY_KINDS:
        errors["action"] = f"“{action.get_kind_display()}” is not completed by an arrest"
    elif action.subject_id is None:
        errors["action"] = "this action has no suspect to arrest"
    if at < action.created_at:
        errors["at"] = f"The time of the arrest must be after this action was raised, at {times.words(action.created_at)}"
    if not arrested_by:
        errors["arrested_by"] = "Enter who made the arrest"
    elif len(arrested_by) > 200:
        errors["arrested_by"] = "Who made the arrest must be 200 characters or fewer"
    if not custody_reference:
        errors["custody_reference"] = "Enter the custody reference"
    elif len(custody_reference) > 60 or not _CUSTODY_REFERENCE.fullmatch(custody_reference):
        errors["custody_reference"] = (
            "The custody reference must be 60 characters or fewer: letters, numbers, spaces, full stops, / and -"
        )
    return errors


def action_complete_by_arrest(
    *,
    actor: Any,
    action: Action,
    arrested_by: str,
    custody_reference: str,
    at: dt.datetime | None = None,
    note: str = "",
) -> Action:
    """Complete `arrest_suspect` or `execute_warrant` by recording what settles it: for a
    warrant, its execution (`warrant_execute`), and in both cases the arrest (a justice
    event, `justice_event_record`) at `at`, by `arrested_by`, with the custody record's
    reference. The policy reads the new `warrant_executed` / `arrest` facts and closes this
    action and every other open arrest and warrant action for the suspect, exactly as
    replay does; the action then records who completed it and how. Refused, with nothing
    saved, when the arrest would not close this action (checked unless the policy is
    deferred by a bulk load, which closes it at the load's end)."""
    from vigil.actions.live import deferred_policy, policy_deferred
    from vigil.cases.services import justice_event_record
    from vigil.core.constants import JusticeEventKind, WarrantStatus
    from vigil.warrants.services import warrant_execute

    at = times.reported(at, field="at", label="When the arrest was made")
    arrested_by, custody_reference, note = arrested_by.strip(), custody_reference.strip(), note.strip()
    _require_open(action)
    errors = _custody_checks(action, at, arrested_by, custody_reference)
    if errors:
        raise ValidationError(errors)
    warrant = action_warrant(action)
    subject = action.subject
    assert subject is not None  # checked above
    with transaction.atomic():
        # Two officers completing it at once: the second waits here, then finds it closed.
        _require_open(_lock(action))
        with deferred_policy():
            if warrant is not None and warrant.status == WarrantStatus.OUTSTANDING and warrant.issued_at <= at:
                warrant_execute(actor=actor, warrant=warrant, at=at, executed_by=arrested_by, custody_reference=custody_reference)
            justice_event_record(
                actor=actor,
                subject=subject,
                kind=JusticeEventKind.ARREST,
                reported_at=at,
                happened=times.Happened.at(at),
                summary=note,
                custody_reference=custody_reference,
                arrested_by=arrested_by,
            )
        action.refresh_from_db()
        # Inside a bulk load (`deferred_policy`) the policy runs at the block's end, so the
        # action closes then; otherwise it has closed by now, or nothing is saved.
        if action.status != ActionStatus.DONE and not policy_deferred():
            raise ValidationError({"at": "The arrest at this time does not close this action: check the time of the arrest"})
        on_warrant = f" on warrant {warrant.reference}" if warrant is not None else ""
        how = f"Arrested{on_warrant} at {times.words(at)} by {arrested_by}; custody reference {custody_reference}."
        return update_audited(
            action,
            actor=actor,
            action="action.complete",
            case_id=action.case_id,
            changes={"decided_by": user_of(actor), "rationale": f"{how} {note}".strip()},
        )


def action_decline(
    *, actor: Any, action: Action, rationale: str, at: dt.datetime | None = None, as_written: bool = False
) -> Action:
    """Decline the action with the officer's reason (see `decline_rationale`; `as_written` for
    a decision read from a timeline file)."""
    at = times.reported(at, field="at", label="When it was decided")
    rationale = decline_rationale(rationale, as_written=as_written)
    _require_open(action)
    with transaction.atomic():
        _require_open(_lock(action))
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
                "decided_by": user_of(actor),
                "signoff": SignOff.AWAITING if decline_needs_signoff(action) else SignOff.NOT_NEEDED,
            },
        )
        policy_reevaluate(person_ids={action.victim_id, *([action.subject_id] if action.subject_id else [])})
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
    as_written: bool = False,
) -> Decision:
    """An officer's completion or decline of a kind of action for a pair (as a timeline's
    `action_completed` / `action_declined`). With an open action of that kind for the pair
    stored, it is that action's completion or decline; without one it is kept as a recorded
    decision, which the policy reads and which changes nothing else. `as_written`: a decision
    read from a timeline file, its reason kept as written (`decline_rationale`)."""
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
            action_decline(actor=actor, action=action, rationale=rationale, at=at, as_written=as_written)
        return Decision.objects.filter(action=action).latest("pk")
    if outcome == Decision.Outcome.DECLINED:
        rationale = decline_rationale(rationale, as_written=as_written)
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
                decided_by=user_of(actor),
            ),
            actor=actor,
            action=f"decision.{outcome}",
            case_id=case.pk,
        )
        policy_reevaluate(person_ids={victim.pk, *([subject.pk] if subject is not None else [])})
        return decision


def action_reassign(*, actor: Any, action: Action, owner: Any) -> Action:
    _require_open(action)
    if owner.team_id is None:
        raise ValidationError({"owner": f"{owner} belongs to no team"})
    with transaction.atomic():
        _require_open(_lock(action))
        return update_audited(action, actor=actor, action="action.reassign", case_id=action.case_id, changes={"owner": owner})


def _require_signoff_rights(actor: Any, action: Action) -> None:
    if action.signoff != SignOff.AWAITING:
        raise ValidationError({"action": "this action is not waiting for sign-off"})
    if getattr(actor, "escalation_level", 1) < 2 or actor.role == Role.ADMIN:
        raise ValidationError({"action": "only a supervisor or above can sign off a declined action"})


def action_signoff(*, actor: Any, action: Action, note: str = "") -> Action:
    _require_signoff_rights(actor, action)
    with transaction.atomic():
        _require_signoff_rights(actor, _lock(action))
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
        _require_signoff_rights(actor, _lock(action))
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
        policy_reevaluate(person_ids={action.victim_id, *([action.subject_id] if action.subject_id else [])})
        action.refresh_from_db()
        return action

"""Who is told of what: read from the audit trail, so every way work reaches someone (the
policy creating an action, a reassignment, an escalation step, a MARAC agenda going out, a
MARAC action agreed or overdue) is noticed whichever code path wrote it.

The notifier keeps a cursor (the last audit `seq` it read). The audit trail is appended in
commit order under its lock, so a row never appears behind the cursor. The first run starts
at the trail's end: history (a demo load, an import) is not mailed out.

Emails name no victim, child or address: they say what the work is, the case reference and
where to open it (a signed-in page that checks access).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max
from django.urls import reverse

from vigil.audit.models import AuditEvent
from vigil.core.constants import Priority as ActionPriority
from vigil.core.constants import Role
from vigil.notifications.models import Cursor, Priority
from vigil.notifications.services import message_queue

log = logging.getLogger(__name__)

WATCHED = (
    "action.create",
    "action.reassign",
    "action.escalate",
    "marac.agenda.circulate",
    "marac.plan.add",
    "marac.plan.escalate",
)
LEVEL_ROLE = {2: Role.SUPERVISOR, 3: Role.INSPECTOR, 4: Role.SUPERINTENDENT}


def _users() -> Any:
    return get_user_model().objects.filter(is_active=True)


def _notice(user: Any, template: str, subject: str, key: str, priority: str = Priority.NORMAL, **context: Any) -> dict[str, Any]:
    return {"user": user, "template": template, "subject": subject, "key": key, "priority": priority, "context": context}


def _caused_by(row: AuditEvent, user_id: int) -> bool:
    """Whether the row came from a request of this person (the policy acting on their report)."""
    return bool(row.request_id) and AuditEvent.objects.filter(request_id=row.request_id, actor_id=user_id).exists()


def _action_notices(row: AuditEvent) -> Iterator[dict[str, Any]]:
    from vigil.actions.models import Action, Escalation

    if row.action == "action.escalate":
        step = Escalation.objects.select_related("action", "action__team", "action__case").filter(pk=row.object_id).first()
        if step is None or step.action.status != "open":
            return
        escalated, level = step.action, step.level
        people = _users().filter(role=LEVEL_ROLE.get(level, Role.SUPERINTENDENT))
        if level == 2:
            people = people.filter(team_id=escalated.team_id)
        elif level == 3:
            people = people.filter(team__area_id=escalated.team.area_id)
        priority = Priority.IMMEDIATE if escalated.priority == ActionPriority.IMMEDIATE else Priority.NORMAL
        for user in people:
            yield _notice(
                user,
                "action_escalated",
                f"Overdue, now with you: {escalated.get_kind_display()} ({escalated.case.reference})",
                f"audit:{row.seq}:{user.pk}",
                priority,
                action=escalated,
                level=level,
                url=reverse("action_detail", args=[escalated.pk]),
            )
        return
    action = Action.objects.select_related("owner", "case").filter(pk=row.object_id).first()
    if action is None or action.owner_id is None or action.status != "open":
        return
    if row.actor_id == action.owner_id or _caused_by(row, action.owner_id):
        return  # nobody is emailed about what they did themselves (the page told them)
    priority = Priority.IMMEDIATE if action.priority == ActionPriority.IMMEDIATE else Priority.NORMAL
    yield _notice(
        action.owner,
        "action_assigned",
        f"New for you: {action.get_kind_display()} ({action.case.reference})",
        f"audit:{row.seq}:{action.owner_id}",
        priority,
        action=action,
        url=reverse("action_detail", args=[action.pk]),
    )


def _marac_notices(row: AuditEvent) -> Iterator[dict[str, Any]]:
    from vigil.marac.models import MaracMeeting, PlanAction, PlanEscalation

    if row.action == "marac.agenda.circulate":
        meeting = MaracMeeting.objects.filter(pk=row.object_id).select_related("area").first()
        if meeting is None:
            return
        people = _users().filter(agency_membership__agency__in=meeting.agencies.all()).distinct()
        cases = meeting.referrals.count()
        for user in people:
            yield _notice(
                user,
                "marac_agenda",
                f"MARAC agenda: {meeting}",
                f"audit:{row.seq}:{user.pk}",
                meeting=meeting,
                cases=cases,
                url=reverse("marac_meeting", args=[meeting.pk]),
            )
        return
    if row.action == "marac.plan.add":
        plan = PlanAction.objects.filter(pk=row.object_id).select_related("owner", "referral__case").first()
        if plan is not None and plan.status == "open":
            yield _notice(
                plan.owner,
                "marac_action",
                f"MARAC action for you, by {plan.due_at:%-d %b}",
                f"audit:{row.seq}:{plan.owner_id}",
                plan=plan,
                url=reverse("marac_plan_action", args=[plan.pk]),
            )
        return
    step = PlanEscalation.objects.filter(pk=row.object_id).select_related("plan_action__referral__meeting").first()
    if step is None or step.plan_action.status != "open":
        return
    plan = step.plan_action
    if step.level == 2:
        people = _users().filter(agency_membership__agency_id=plan.agency_id, agency_membership__lead=True)
    else:
        coordinator = plan.referral.meeting.coordinator if plan.referral.meeting else None
        people = _users().filter(pk=coordinator.pk) if coordinator else _users().filter(role=Role.MARAC_COORDINATOR)
    for user in people:
        yield _notice(
            user,
            "marac_action_overdue",
            f"Overdue MARAC action, now with you (deadline {plan.due_at:%-d %b})",
            f"audit:{row.seq}:{user.pk}",
            plan=plan,
            level=step.level,
            url=reverse("marac_plan_action", args=[plan.pk]),
        )


def _notices(row: AuditEvent) -> Iterator[dict[str, Any]]:
    if row.action.startswith("action."):
        yield from _action_notices(row)
    else:
        yield from _marac_notices(row)


def notify_from_audit(*, limit: int = 2000) -> int:
    """Queue the messages for what the audit trail recorded since the cursor. Returns how many."""
    queued = 0
    with transaction.atomic():
        head = AuditEvent.objects.aggregate(top=Max("seq"))["top"] or 0
        cursor = Cursor.objects.select_for_update().filter(name="audit").first()
        if cursor is None:
            Cursor.objects.create(name="audit", seq=head)
            return 0
        rows = list(AuditEvent.objects.filter(seq__gt=cursor.seq, seq__lte=head, action__in=WATCHED).order_by("seq")[:limit])
        upto = rows[-1].seq if len(rows) == limit else head
        for row in rows:
            for notice in _notices(row):
                if message_queue(**notice) is not None:
                    queued += 1
        cursor.seq = upto
        cursor.save(update_fields=["seq"])
    return queued


def start_cursor() -> None:
    """Start reading the audit trail from its end (the first run does this by itself)."""
    head = AuditEvent.objects.aggregate(top=Max("seq"))["top"] or 0
    Cursor.objects.update_or_create(name="audit", defaults={"seq": head})

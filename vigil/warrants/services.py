from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from vigil.actions.live import policy_reevaluate
from vigil.core.constants import WarrantStatus
from vigil.core.services import create_audited, require_aware, update_audited
from vigil.people.models import Person
from vigil.warrants.models import Warrant


def warrant_issue(
    *, actor: Any, reference: str, subject: Person, reason: str, issued_at: dt.datetime, officer_in_case: Any = None
) -> Warrant:
    require_aware("issued_at", issued_at)
    with transaction.atomic():
        warrant = Warrant(
            reference=reference,
            subject=subject,
            reason=reason,
            issued_at=issued_at,
            officer_in_case=officer_in_case,
            recorded_at=timezone.now(),
        )
        create_audited(warrant, actor=actor, action="warrant.issue")
        policy_reevaluate(person_ids={subject.pk}, actor=actor)
        return warrant


def warrant_execute(*, actor: Any, warrant: Warrant, at: dt.datetime) -> Warrant:
    require_aware("at", at)
    if warrant.status != WarrantStatus.OUTSTANDING:
        raise ValidationError({"warrant": f"warrant {warrant.reference} is not outstanding"})
    with transaction.atomic():
        update_audited(
            warrant, actor=actor, action="warrant.execute", changes={"status": WarrantStatus.EXECUTED, "executed_at": at}
        )
        policy_reevaluate(person_ids={warrant.subject_id}, actor=actor)
        return warrant


def warrant_withdraw(*, actor: Any, warrant: Warrant, at: dt.datetime, reason: str) -> Warrant:
    require_aware("at", at)
    if not reason.strip():
        raise ValidationError({"reason": "Give the reason the warrant was withdrawn"})
    if warrant.status != WarrantStatus.OUTSTANDING:
        raise ValidationError({"warrant": f"warrant {warrant.reference} is not outstanding"})
    with transaction.atomic():
        update_audited(
            warrant,
            actor=actor,
            action="warrant.withdraw",
            changes={"status": WarrantStatus.WITHDRAWN, "withdrawn_at": at, "withdrawn_reason": reason.strip()},
        )
        policy_reevaluate(person_ids={warrant.subject_id}, actor=actor)
        return warrant


def warrants_execute_on_arrest(*, actor: Any, subject: Person, at: dt.datetime) -> list[Warrant]:
    """An arrest of the subject executes every warrant outstanding for them at that time."""
    from vigil.people.linking import linked_ids

    executed = []
    for warrant in Warrant.objects.filter(
        subject_id__in=linked_ids(subject), status=WarrantStatus.OUTSTANDING, issued_at__lte=at
    ):
        update_audited(
            warrant, actor=actor, action="warrant.execute", changes={"status": WarrantStatus.EXECUTED, "executed_at": at}
        )
        executed.append(warrant)
    return executed

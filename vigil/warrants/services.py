from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from vigil.actions.live import policy_reevaluate
from vigil.audit.services import create_audited, update_audited
from vigil.cases.services import register_arrest_step
from vigil.core import times
from vigil.core.constants import WarrantStatus
from vigil.people.models import Person
from vigil.warrants.models import Warrant


def warrant_issue(
    *,
    actor: Any,
    reference: str,
    subject: Person,
    reason: str,
    issued_at: dt.datetime,
    reported_at: dt.datetime | None = None,
    officer_in_case: Any = None,
) -> Warrant:
    """A warrant issued at `issued_at`; `reported_at` is when the police were told (default
    now). The policy reads it from the later of the two."""
    times.check_moment("issued_at", "When the warrant was issued", issued_at)
    reported = times.reported(reported_at)
    with transaction.atomic():
        warrant = Warrant(
            reference=reference,
            subject=subject,
            reason=reason,
            issued_at=issued_at,
            officer_in_case=officer_in_case,
            reported_at=reported,
            recorded_at=times.now(),
        )
        create_audited(warrant, actor=actor, action="warrant.issue")
        policy_reevaluate(person_ids={subject.pk})
        return warrant


def _execution(at: dt.datetime, executed_by: str, custody_reference: str) -> dict[str, Any]:
    return {
        "status": WarrantStatus.EXECUTED,
        "executed_at": at,
        "executed_by": executed_by.strip(),
        "custody_reference": custody_reference.strip(),
    }


def warrant_execute(
    *,
    actor: Any,
    warrant: Warrant,
    at: dt.datetime | None = None,
    executed_by: str = "",
    custody_reference: str = "",
) -> Warrant:
    """The subject was arrested on the warrant at `at` (default now; never in the future), by
    `executed_by`, with the custody record `custody_reference` (both as known)."""
    at = times.reported(at, field="at", label="When the warrant was executed")
    if warrant.status != WarrantStatus.OUTSTANDING:
        raise ValidationError({"warrant": f"warrant {warrant.reference} is not outstanding"})
    with transaction.atomic():
        update_audited(warrant, actor=actor, action="warrant.execute", changes=_execution(at, executed_by, custody_reference))
        policy_reevaluate(person_ids={warrant.subject_id})
        return warrant


def warrant_withdraw(*, actor: Any, warrant: Warrant, at: dt.datetime | None = None, reason: str) -> Warrant:
    """The warrant was withdrawn at `at` (default now; never in the future), for `reason`."""
    at = times.reported(at, field="at", label="When the warrant was withdrawn")
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
        policy_reevaluate(person_ids={warrant.subject_id})
        return warrant


def warrants_execute_on_arrest(
    *, actor: Any, subject: Person, at: dt.datetime, executed_by: str = "", custody_reference: str = ""
) -> list[Warrant]:
    """An arrest of the subject executes every warrant outstanding for them at that time (by
    the arresting officer, under the arrest's custody record)."""
    from vigil.people.linking import linked_ids

    executed = []
    for warrant in Warrant.objects.filter(
        subject_id__in=linked_ids(subject), status=WarrantStatus.OUTSTANDING, issued_at__lte=at
    ):
        update_audited(warrant, actor=actor, action="warrant.execute", changes=_execution(at, executed_by, custody_reference))
        executed.append(warrant)
    return executed


register_arrest_step("warrants", warrants_execute_on_arrest)

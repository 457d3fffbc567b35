"""Writes about cases: opening a case and recording what becomes known about the pair.

Every function runs in one transaction, validates its input, writes the audit trail and
re-runs the policy for the people concerned before it commits.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from vigil.actions.engine_adapter import policy as active_policy
from vigil.actions.live import policy_reevaluate
from vigil.cases.models import (
    AssessmentAnswer,
    Case,
    CaseAccess,
    ContactAttempt,
    Intelligence,
    JusticeEvent,
    Report,
    RiskAssessment,
    Sighting,
)
from vigil.core.constants import Answer, Instrument, JusticeEventKind, RiskLevel, Source
from vigil.core.models import Team
from vigil.core.services import create_audited, require_aware
from vigil.people.models import Person, Place
from vigil.policy.scoring import score

QUESTION_COUNTS = {Instrument.DASH: 24, Instrument.SDASH: 11, Instrument.LETHALITY_SCREEN: 11}


def new_case_reference() -> str:
    return f"VG-{secrets.token_hex(3).upper()}"


def case_open(
    *,
    actor: Any,
    victim: Person,
    subject: Person | None,
    team: Team,
    sensitive: bool = False,
    reference: str | None = None,
    allocate: Iterable[Any] = (),
) -> Case:
    with transaction.atomic():
        restricted = sensitive or victim.is_police_staff or bool(subject and subject.is_police_staff)
        case = Case(
            reference=reference or new_case_reference(),
            victim=victim,
            subject=subject,
            team=team,
            sensitive=restricted,
            created_at=timezone.now(),
            created_by=actor if hasattr(actor, "pk") else None,
        )
        create_audited(case, actor=actor, action="case.open", exclude=["risk_level"])
        audit_case_id = case.pk
        for user in allocate:
            create_audited(
                CaseAccess(case=case, user=user, granted_at=timezone.now(), granted_by=actor if hasattr(actor, "pk") else None),
                actor=actor,
                action="case.allocate",
                case_id=audit_case_id,
            )
        return case


def case_for_pair(*, actor: Any, victim: Person, subject: Person | None, team: Team) -> Case:
    """The pair's case, opened if this is the first time they are recorded together."""
    existing = Case.objects.filter(victim=victim, subject=subject).first()
    return existing or case_open(actor=actor, victim=victim, subject=subject, team=team)


def _people(*people: Person | None) -> set[int]:
    return {p.pk for p in people if p is not None}


def report_record(
    *,
    actor: Any,
    case: Case,
    category: str,
    occurred_at: dt.datetime,
    place: Place | None = None,
    reported_by: Person | None = None,
    children_present: Iterable[Person] = (),
    summary: str = "",
    source: str = Source.OFFICER,
) -> Report:
    require_aware("occurred_at", occurred_at)
    with transaction.atomic():
        report = Report(
            case=case,
            category=category,
            occurred_at=occurred_at,
            place=place,
            reported_by=reported_by,
            victim_record=case.victim,
            suspect_record=case.subject,
            summary=summary,
            source=source,
            recorded_by=actor if hasattr(actor, "pk") else None,
            recorded_at=timezone.now(),
        )
        create_audited(report, actor=actor, action="report.record", case_id=case.pk)
        children = list(children_present)
        if children:
            report.children_present.set(children)
        policy_reevaluate(person_ids=_people(case.victim, case.subject, *children), actor=actor)
        return report


def assessment_record(
    *,
    actor: Any,
    case: Case,
    instrument: str,
    answers: Mapping[int, str],
    completed_at: dt.datetime,
    officer_level: str = "",
    officer_rationale: str = "",
) -> RiskAssessment:
    """Record a completed risk assessment. Answers are 'yes', 'no' or 'not_known'; only yes counts."""
    require_aware("completed_at", completed_at)
    if instrument not in QUESTION_COUNTS:
        raise ValidationError({"instrument": f"unknown instrument {instrument!r}"})
    count = QUESTION_COUNTS[Instrument(instrument)]
    for number, answer in answers.items():
        if not 1 <= int(number) <= count:
            raise ValidationError({"answers": f"question {number} is not on the {instrument} ({count} questions)"})
        if answer not in Answer.values:
            raise ValidationError({"answers": f"question {number}: answer must be yes, no or not known, got {answer!r}"})
    if officer_level and officer_level not in RiskLevel.values:
        raise ValidationError({"officer_level": f"unknown risk level {officer_level!r}"})
    # The instrument's own level under the active policy, kept beside the officer's grading
    # so a reviewer sees both (the engine still decides the victim's level from all facts).
    scored = score(active_policy(), instrument, {int(n): a == Answer.YES for n, a in answers.items()})
    with transaction.atomic():
        assessment = RiskAssessment(
            case=case,
            instrument=instrument,
            completed_at=completed_at,
            officer_level=officer_level,
            officer_rationale=officer_rationale,
            computed_level=scored.level or "",
            assessed_by=actor if hasattr(actor, "pk") else None,
        )
        create_audited(assessment, actor=actor, action="assessment.record", case_id=case.pk)
        AssessmentAnswer.objects.bulk_create(
            [AssessmentAnswer(assessment=assessment, question=int(n), answer=a) for n, a in sorted(answers.items())]
        )
        policy_reevaluate(person_ids=_people(case.victim, case.subject), actor=actor)
        assessment.refresh_from_db()
        return assessment


def sighting_record(
    *,
    actor: Any,
    subject: Person,
    seen_at: dt.datetime,
    near: Person | None = None,
    place: Place | None = None,
    lat: float | None = None,
    lon: float | None = None,
    reported_by: Person | None = None,
    summary: str = "",
    source: str = Source.OFFICER,
) -> Sighting:
    require_aware("seen_at", seen_at)
    with transaction.atomic():
        sighting = Sighting(
            subject=subject,
            near=near,
            place=place,
            lat=lat,
            lon=lon,
            seen_at=seen_at,
            reported_by=reported_by,
            summary=summary,
            source=source,
            recorded_at=timezone.now(),
        )
        create_audited(sighting, actor=actor, action="sighting.record")
        policy_reevaluate(person_ids=_people(subject, near), actor=actor)
        return sighting


def contact_attempt_record(
    *,
    actor: Any,
    subject: Person,
    victim: Person,
    channel: str,
    at: dt.datetime,
    reported_by: Person | None = None,
    summary: str = "",
    source: str = Source.OFFICER,
) -> ContactAttempt:
    require_aware("at", at)
    with transaction.atomic():
        attempt = ContactAttempt(
            subject=subject,
            victim=victim,
            channel=channel,
            at=at,
            reported_by=reported_by,
            summary=summary,
            source=source,
            recorded_at=timezone.now(),
        )
        create_audited(attempt, actor=actor, action="contact_attempt.record")
        policy_reevaluate(person_ids=_people(subject, victim), actor=actor)
        return attempt


def intelligence_record(
    *,
    actor: Any,
    subject: Person,
    received_at: dt.datetime,
    place: Place | None = None,
    weapons: bool = False,
    threat_to_kill: bool = False,
    summary: str = "",
) -> Intelligence:
    require_aware("received_at", received_at)
    with transaction.atomic():
        item = Intelligence(
            subject=subject,
            place=place,
            weapons=weapons,
            threat_to_kill=threat_to_kill,
            received_at=received_at,
            summary=summary,
            recorded_by=actor if hasattr(actor, "pk") else None,
        )
        create_audited(item, actor=actor, action="intelligence.record")
        policy_reevaluate(person_ids=_people(subject), actor=actor)
        return item


def justice_event_record(
    *,
    actor: Any,
    subject: Person,
    kind: str,
    at: dt.datetime,
    offence: str = "",
    outcome: str = "",
    bail_until: dt.datetime | None = None,
    summary: str = "",
) -> JusticeEvent:
    """Record an arrest, charge, release or court hearing. An arrest executes outstanding warrants."""
    require_aware("at", at)
    require_aware("bail_until", bail_until)
    with transaction.atomic():
        event = JusticeEvent(
            subject=subject,
            kind=kind,
            at=at,
            offence=offence,
            outcome=outcome,
            bail_until=bail_until,
            summary=summary,
            recorded_at=timezone.now(),
        )
        create_audited(event, actor=actor, action=f"justice.{kind}")
        if kind == JusticeEventKind.ARREST:
            from vigil.warrants.services import warrants_execute_on_arrest

            warrants_execute_on_arrest(actor=actor, subject=subject, at=at)
        policy_reevaluate(person_ids=_people(subject), actor=actor)
        return event

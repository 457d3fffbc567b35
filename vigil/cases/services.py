"""Writes about cases: opening a case and recording what becomes known about the pair.

Every function runs in one transaction, validates its input, writes the audit trail and
re-runs the policy for the people concerned before it commits.

Each fact keeps three times (vigil/core/times.py): `reported_at`, when the police were told
(default now, never in the future: the policy's time), `recorded_at` (now, set here) and
`happened`, when it happened as far as it is known (a moment, a window, a day, or not known).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from vigil.actions.engine_adapter import policy as active_policy
from vigil.actions.live import policy_reevaluate
from vigil.audit.services import create_audited
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
from vigil.core import times
from vigil.core.actors import user_of
from vigil.core.constants import Answer, Instrument, JusticeEventKind, RiskLevel, Source
from vigil.core.models import Team
from vigil.core.services import require_aware
from vigil.core.times import Happened
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
            created_at=times.now(),
            created_by=user_of(actor),
        )
        create_audited(case, actor=actor, action="case.open", exclude=["risk_level"])
        audit_case_id = case.pk
        for user in allocate:
            create_audited(
                CaseAccess(case=case, user=user, granted_at=times.now(), granted_by=user_of(actor)),
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


def fact_times(
    reported_at: dt.datetime | None, happened: Happened | None, name: str, *, field: str = "happened"
) -> tuple[dt.datetime, dict[str, object]]:
    """`reported_at` checked (default now) and the columns of the happened time stored under
    `name`, checked against it. Refuses a time in the future, an impossible date, a window
    that ends before it starts and a happening after the police were told, naming the field."""
    reported = times.reported(reported_at)
    when = happened or Happened()
    when.check(field, reported_at=reported)
    return reported, when.columns(name)


def report_record(
    *,
    actor: Any,
    case: Case,
    category: str,
    reported_at: dt.datetime | None = None,
    happened: Happened | None = None,
    place: Place | None = None,
    reported_by: Person | None = None,
    children_present: Iterable[Person] = (),
    summary: str = "",
    source: str = Source.OFFICER,
) -> Report:
    reported, occurred = fact_times(reported_at, happened, "occurred_at")
    with transaction.atomic():
        report = Report(
            case=case,
            category=category,
            reported_at=reported,
            **occurred,
            place=place,
            reported_by=reported_by,
            victim_record=case.victim,
            suspect_record=case.subject,
            summary=summary,
            source=source,
            recorded_by=user_of(actor),
            recorded_at=times.now(),
        )
        create_audited(report, actor=actor, action="report.record", case_id=case.pk)
        children = list(children_present)
        if children:
            report.children_present.set(children)
        policy_reevaluate(person_ids=_people(case.victim, case.subject, *children))
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
    """Record a completed risk assessment. Answers are 'yes', 'no' or 'not_known'; only yes counts.
    `completed_at` (when it was done with the victim) is when the police learnt the answers:
    the policy's time."""
    times.check_moment("completed_at", "When the assessment was completed", completed_at)
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
            assessed_by=user_of(actor),
            recorded_at=times.now(),
        )
        create_audited(assessment, actor=actor, action="assessment.record", case_id=case.pk)
        AssessmentAnswer.objects.bulk_create(
            [AssessmentAnswer(assessment=assessment, question=int(n), answer=a) for n, a in sorted(answers.items())]
        )
        policy_reevaluate(person_ids=_people(case.victim, case.subject))
        assessment.refresh_from_db()
        return assessment


def sighting_record(
    *,
    actor: Any,
    subject: Person,
    reported_at: dt.datetime | None = None,
    happened: Happened | None = None,
    near: Person | None = None,
    place: Place | None = None,
    lat: float | None = None,
    lon: float | None = None,
    reported_by: Person | None = None,
    summary: str = "",
    source: str = Source.OFFICER,
) -> Sighting:
    """A sighting of the subject. `reported_at` is when the police were told (a portal report:
    when the portal received it), `happened` when he was seen."""
    reported, seen = fact_times(reported_at, happened, "seen_at")
    with transaction.atomic():
        sighting = Sighting(
            subject=subject,
            near=near,
            place=place,
            lat=lat,
            lon=lon,
            reported_at=reported,
            **seen,
            reported_by=reported_by,
            summary=summary,
            source=source,
            recorded_at=times.now(),
        )
        create_audited(sighting, actor=actor, action="sighting.record")
        policy_reevaluate(person_ids=_people(subject, near))
        return sighting


def contact_attempt_record(
    *,
    actor: Any,
    subject: Person,
    victim: Person,
    channel: str,
    reported_at: dt.datetime | None = None,
    happened: Happened | None = None,
    reported_by: Person | None = None,
    summary: str = "",
    source: str = Source.OFFICER,
) -> ContactAttempt:
    reported, when = fact_times(reported_at, happened, "at")
    with transaction.atomic():
        attempt = ContactAttempt(
            subject=subject,
            victim=victim,
            channel=channel,
            reported_at=reported,
            **when,
            reported_by=reported_by,
            summary=summary,
            source=source,
            recorded_at=times.now(),
        )
        create_audited(attempt, actor=actor, action="contact_attempt.record")
        policy_reevaluate(person_ids=_people(subject, victim))
        return attempt


def intelligence_record(
    *,
    actor: Any,
    subject: Person,
    reported_at: dt.datetime | None = None,
    happened: Happened | None = None,
    place: Place | None = None,
    weapons: bool = False,
    threat_to_kill: bool = False,
    summary: str = "",
) -> Intelligence:
    """Information about the subject. `reported_at` is when it came in; `happened` when what
    it tells of happened, if known."""
    reported, when = fact_times(reported_at, happened, "happened_at")
    with transaction.atomic():
        item = Intelligence(
            subject=subject,
            place=place,
            weapons=weapons,
            threat_to_kill=threat_to_kill,
            reported_at=reported,
            **when,
            summary=summary,
            recorded_by=user_of(actor),
            recorded_at=times.now(),
        )
        create_audited(item, actor=actor, action="intelligence.record")
        policy_reevaluate(person_ids=_people(subject))
        return item


# What an arrest does beyond its own record, given by the app that builds on cases: the
# warrants app's "execute the subject's outstanding warrants" (`warrants_execute_on_arrest`,
# registered when that app is ready), so this app need not import it.
ArrestStep = Callable[..., Any]
_ARREST_STEPS: dict[str, ArrestStep] = {}


def register_arrest_step(name: str, step: ArrestStep) -> None:
    _ARREST_STEPS[name] = step


def justice_event_record(
    *,
    actor: Any,
    subject: Person,
    kind: str,
    reported_at: dt.datetime | None = None,
    happened: Happened | None = None,
    offence: str = "",
    outcome: str = "",
    bail_until: dt.datetime | None = None,
    summary: str = "",
    custody_reference: str = "",
    arrested_by: str = "",
) -> JusticeEvent:
    """Record an arrest, charge, release or court hearing. An arrest (made by `arrested_by`,
    custody record `custody_reference`, as known) executes outstanding warrants, at the time
    the police learnt of it (the policy's time)."""
    reported, when = fact_times(reported_at, happened, "at")
    require_aware("bail_until", bail_until)
    with transaction.atomic():
        event = JusticeEvent(
            subject=subject,
            kind=kind,
            reported_at=reported,
            **when,
            offence=offence,
            outcome=outcome,
            bail_until=bail_until,
            summary=summary,
            custody_reference=custody_reference.strip(),
            arrested_by=arrested_by.strip(),
            recorded_at=times.now(),
        )
        create_audited(event, actor=actor, action=f"justice.{kind}")
        if kind == JusticeEventKind.ARREST:
            # KeyError if the warrants app has not registered it: an arrest must not be saved
            # with the subject's warrants left outstanding.
            _ARREST_STEPS["warrants"](
                actor=actor,
                subject=subject,
                at=reported,
                executed_by=event.arrested_by,
                custody_reference=event.custody_reference,
            )
        policy_reevaluate(person_ids=_people(subject))
        return event

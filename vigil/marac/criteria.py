"""The SafeLives MARAC referral criteria, worked out from what Vigil holds about the pair.

- visible high risk: the case's latest DASH has as many yeses as the policy's high band
  (14 or more by default);
- potential escalation: three or more reports about the pair in the 12 months before the
  referral (SafeLives' suggested count of police call-outs);
- repeat MARAC: a new incident for the same victim and subject within 12 months of their last
  MARAC listing (the meeting that discussed them);
- professional judgement: the referrer's own, in words (never worked out).

The pair is the victim and the subject as the identity links group them, as the policy does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from vigil.cases.models import Case, Report, RiskAssessment
from vigil.core.constants import Answer, Instrument
from vigil.marac.models import Criterion, MaracMeeting, MaracReferral
from vigil.people.linking import linked_ids

REPEAT_MONTHS = 12
ESCALATION_MONTHS = 12
ESCALATION_REPORTS = 3


def months_after(moment: dt.datetime, months: int) -> dt.datetime:
    """The same local day and time `months` calendar months later (31 Jan + 1 month = 28/29 Feb)."""
    return moment + relativedelta(months=months)


def pair_ids(case: Case) -> tuple[set[int], set[int]]:
    victims = linked_ids(case.victim)
    subjects = linked_ids(case.subject) if case.subject else set()
    return victims, subjects


def pair_referrals(case: Case) -> list[MaracReferral]:
    victims, subjects = pair_ids(case)
    if not subjects:
        return list(MaracReferral.objects.filter(case=case).select_related("meeting"))
    return list(
        MaracReferral.objects.filter(case__victim_id__in=victims, case__subject_id__in=subjects).select_related("meeting")
    )


def last_listing(case: Case, *, before: dt.datetime) -> MaracMeeting | None:
    """The last meeting held before `before` at which the pair was listed."""
    held = [r.meeting for r in pair_referrals(case) if r.meeting is not None and r.meeting.held_at < before]
    return max(held, key=lambda m: m.held_at, default=None)


def pending_referral(case: Case, *, at: dt.datetime) -> MaracReferral | None:
    """A referral of the pair still waiting for its meeting (unscheduled, or listed for a
    meeting not yet held)."""
    waiting = [r for r in pair_referrals(case) if r.meeting is None or r.meeting.held_at >= at]
    return min(waiting, key=lambda r: r.referred_at, default=None)


@dataclass(frozen=True)
class Repeat:
    repeat: bool
    last_listed_at: dt.datetime | None
    incident_at: dt.datetime | None


def repeat_marac(case: Case, *, at: dt.datetime) -> Repeat:
    """Whether a referral at `at` is a repeat MARAC: an incident reported after the pair's last
    listing and no later than 12 months after it."""
    meeting = last_listing(case, before=at)
    if meeting is None:
        return Repeat(False, None, None)
    victims, subjects = pair_ids(case)
    window_end = min(at, months_after(meeting.held_at, REPEAT_MONTHS))
    incident = (
        Report.objects.filter(
            victim_record_id__in=victims,
            suspect_record_id__in=subjects,
            reported_at__gt=meeting.held_at,
            reported_at__lte=window_end,
        )
        .order_by("-reported_at")
        .first()
    )
    return Repeat(incident is not None, meeting.held_at, incident.reported_at if incident else None)


def latest_dash(case: Case, *, at: dt.datetime) -> int | None:
    """How many DASH questions were answered yes in the case's latest DASH up to `at`."""
    assessment = (
        RiskAssessment.objects.filter(case=case, instrument=Instrument.DASH, completed_at__lte=at)
        .order_by("-completed_at", "-pk")
        .first()
    )
    if assessment is None:
        return None
    return assessment.answers.filter(answer=Answer.YES).count()


def officer_graded_high(case: Case, *, at: dt.datetime) -> str:
    """The officer's own grading of high at the latest assessment, in words, or ''."""
    from vigil.core.times import words

    assessment = RiskAssessment.objects.filter(case=case, completed_at__lte=at).order_by("-completed_at", "-pk").first()
    if assessment is None or assessment.officer_level != "high":
        return ""
    why = f": {assessment.officer_rationale.strip()}" if assessment.officer_rationale.strip() else ""
    return f"the officer graded the risk high on {words(assessment.completed_at)}{why}"


def reports_in_year(case: Case, *, at: dt.datetime) -> int:
    victims, subjects = pair_ids(case)
    since = months_after(at, -ESCALATION_MONTHS)
    return Report.objects.filter(
        victim_record_id__in=victims,
        suspect_record_id__in=subjects or {-1},
        reported_at__gt=since,
        reported_at__lte=at,
    ).count()


@dataclass(frozen=True)
class CriteriaFound:
    criteria: list[dict[str, str]]
    dash_score: int | None
    repeat: Repeat

    @property
    def codes(self) -> list[str]:
        return [c["code"] for c in self.criteria]


def safelives_criteria(case: Case, *, at: dt.datetime, judgement: str = "") -> CriteriaFound:
    from vigil.actions.engine_adapter import policy

    high = policy().risk.dash.high
    found: list[dict[str, str]] = []
    dash = latest_dash(case, at=at)
    if dash is not None and dash >= high:
        found.append({"code": Criterion.VISIBLE_HIGH_RISK, "detail": f"DASH: {dash} of 24 answers yes ({high} or more)"})
    graded = officer_graded_high(case, at=at)
    if judgement.strip() or graded:
        found.append({"code": Criterion.PROFESSIONAL_JUDGEMENT, "detail": judgement.strip() or graded})
    reports = reports_in_year(case, at=at)
    if reports >= ESCALATION_REPORTS:
        found.append(
            {"code": Criterion.POTENTIAL_ESCALATION, "detail": f"{reports} reports about the pair in the last 12 months"}
        )
    repeat = repeat_marac(case, at=at)
    if repeat.repeat and repeat.last_listed_at and repeat.incident_at:
        from vigil.core.times import words

        found.append(
            {
                "code": Criterion.REPEAT,
                "detail": f"a new incident on {words(repeat.incident_at)}, within 12 months of the last listing"
                f" on {words(repeat.last_listed_at)}",
            }
        )
    return CriteriaFound(found, dash, repeat)

"""Writes for risk assessments in progress: start a draft, save a section, submit.

Submitting records the assessment through `vigil.cases.services.assessment_record`, in the
same transaction, so the policy engine runs on it before anything is committed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from vigil.audit.services import create_audited, update_audited
from vigil.cases.models import Case, RiskAssessment
from vigil.cases.services import assessment_record
from vigil.core import times
from vigil.core.constants import RISK_RANK, Answer, RiskLevel
from vigil.core.services import require_aware
from vigil.risk.catalogue import Instrument, get_instrument
from vigil.risk.models import AssessmentDraft
from vigil.risk.preview import Score, score


def _instrument(key: str) -> Instrument:
    instrument = get_instrument(key)
    if instrument is None:
        raise ValidationError({"instrument": f"unknown instrument {key!r}"})
    return instrument


def draft_answers(draft: AssessmentDraft) -> dict[int, str]:
    return {int(n): a for n, a in (draft.answers or {}).items()}


def draft_score(draft: AssessmentDraft) -> Score:
    instrument = _instrument(draft.instrument)
    return score(draft.instrument, draft_answers(draft), drivers={n: q.driver for n, q in instrument.questions.items()})


def escalators_in(instrument: str, answers: Mapping[int, str]) -> tuple[str, list[str]]:
    """The escalators these answers raise by themselves (POLICY.md E2, a believed threat to
    kill; E3, attempted strangulation or choking), read by the policy engine's own scoring,
    and the level they hold the pair at: ("", []) when none."""
    from vigil.actions.engine_adapter import policy as live_policy
    from vigil.policy.scoring import score

    chosen = live_policy()
    found = score(chosen, instrument, {n: a == Answer.YES for n, a in answers.items()})
    days = chosen.risk.escalator_days
    words = [
        f"{chosen.escalators[code].title} holds the risk at {chosen.risk.escalator_level} for {days} days ({code})"
        for code in found.escalators
    ]
    return (chosen.risk.escalator_level if words else ""), words


def grading_reference(case: Case, result: Score, escalation: tuple[str, list[str]] | None = None) -> tuple[str, str]:
    """The level below which an officer's grading is a disagreement, and why: the highest of
    what these answers give, the escalators they raise (`escalators_in`), and the level the
    case already holds."""
    held, escalators = escalation or ("", [])
    if RISK_RANK.get(case.risk_level, 0) > max(result.rank, RISK_RANK.get(held, 0)):
        return case.risk_level, f"the case is already at {case.get_risk_level_display().lower()}"
    if held and RISK_RANK[held] > result.rank:
        return held, "; ".join(escalators)
    if result.level:
        return result.level, f"the answers give {RiskLevel(result.level).label.lower()}"
    return "", ""


def assessment_draft_start(*, actor: Any, case: Case, instrument: str) -> AssessmentDraft:
    """The officer's open draft of this instrument for the case, started if there is none."""
    _instrument(instrument)
    with transaction.atomic():
        existing = (
            AssessmentDraft.objects.select_for_update()
            .filter(case=case, instrument=instrument, started_by=actor, submitted_at__isnull=True)
            .first()
        )
        if existing is not None:
            return existing
        now = times.now()
        draft = AssessmentDraft(case=case, instrument=instrument, started_by=actor, started_at=now, updated_at=now)
        return create_audited(draft, actor=actor, action="assessment_draft.start", case_id=case.pk)


def assessment_draft_save(*, actor: Any, draft: AssessmentDraft, section: str, answers: Mapping[int, str]) -> AssessmentDraft:
    """Save the answers to one section and move the draft on to the next."""
    instrument = _instrument(draft.instrument)
    part = instrument.section(section)
    if part is None:
        raise ValidationError({"section": f"the {instrument.name} has no section {section!r}"})
    expected = {q.number for q in part.questions}
    for number, answer in answers.items():
        if int(number) not in expected:
            raise ValidationError({"answers": f"question {number} is not in the section '{part.title}'"})
        if answer not in Answer.values:
            raise ValidationError({"answers": f"question {number}: answer must be yes, no or not known, got {answer!r}"})
    missing = sorted(expected - {int(n) for n in answers})
    if missing:
        raise ValidationError({"answers": f"questions {', '.join(map(str, missing))} need an answer"})
    with transaction.atomic():
        locked = AssessmentDraft.objects.select_for_update().get(pk=draft.pk)
        if locked.submitted_at is not None:
            raise ValidationError("This assessment has already been submitted.")
        index = instrument.section_index(section)
        following = instrument.sections[index + 1].slug if index + 1 < len(instrument.sections) else "check"
        merged = {**(locked.answers or {}), **{str(int(n)): a for n, a in answers.items()}}
        return update_audited(
            locked,
            actor=actor,
            action="assessment_draft.save",
            changes={"answers": merged, "current_section": following, "updated_at": times.now()},
            case_id=locked.case_id,
        )


def assessment_draft_submit(
    *,
    actor: Any,
    draft: AssessmentDraft,
    officer_level: str,
    officer_rationale: str = "",
    completed_at: dt.datetime | None = None,
) -> RiskAssessment:
    """Record the finished assessment with the officer's own grading, and close the draft.

    A grading below the computed level (or the level the case already holds) needs a
    written rationale: the policy keeps it as a recorded disagreement for a supervisor.
    """
    completed_at = completed_at or times.now()
    require_aware("completed_at", completed_at)
    if officer_level not in RiskLevel.values:
        raise ValidationError({"officer_level": "Choose your own grading of the risk"})
    officer_rationale = officer_rationale.strip()
    with transaction.atomic():
        locked = AssessmentDraft.objects.select_for_update().select_related("case").get(pk=draft.pk)
        if locked.submitted_at is not None:
            raise ValidationError("This assessment has already been submitted.")
        case = Case.objects.select_for_update().get(pk=locked.case_id)
        result = draft_score(locked)
        if result.unanswered:
            raise ValidationError(
                {"answers": f"questions {', '.join(map(str, result.unanswered))} need an answer before you submit"}
            )
        reference, why = grading_reference(case, result, escalators_in(locked.instrument, draft_answers(locked)))
        if RISK_RANK[officer_level] < RISK_RANK.get(reference, 0) and not officer_rationale:
            raise ValidationError({"officer_rationale": f"Explain why you grade the risk lower than {reference}: {why}"})
        assessment = assessment_record(
            actor=actor,
            case=case,
            instrument=locked.instrument,
            answers=draft_answers(locked),
            completed_at=completed_at,
            officer_level=officer_level,
            officer_rationale=officer_rationale,
        )
        update_audited(
            locked,
            actor=actor,
            action="assessment_draft.submit",
            changes={"submitted_at": times.now(), "assessment": assessment, "updated_at": times.now()},
            case_id=case.pk,
        )
        return assessment

"""The guided risk assessment: choose an instrument, answer it a section per page, check the
answers and see what they give, then record your own grading. Views only validate input and
call the services in vigil.risk.services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from vigil.audit.services import audit_read
from vigil.cases.access import get_rw_case_for_user
from vigil.cases.models import Case
from vigil.core.constants import Answer
from vigil.core.forms import add_service_errors
from vigil.risk.catalogue import Instrument, all_instruments, get_instrument
from vigil.risk.forms import GradingForm, InstrumentChoiceForm, SectionForm
from vigil.risk.models import AssessmentDraft
from vigil.risk.services import (
    assessment_draft_save,
    assessment_draft_start,
    assessment_draft_submit,
    draft_answers,
    draft_score,
    escalators_in,
    grading_reference,
)


def _load(request: HttpRequest, pk: int, draft_pk: int) -> tuple[Case, AssessmentDraft, Instrument]:
    case = get_rw_case_for_user(request.user, pk)
    draft = AssessmentDraft.objects.filter(
        pk=draft_pk, case=case, started_by_id=request.user.pk, submitted_at__isnull=True
    ).first()
    if draft is None:
        raise Http404("No such assessment in progress")
    instrument = get_instrument(draft.instrument)
    if instrument is None:
        raise Http404("This instrument is no longer in use")
    return case, draft, instrument


def _next_url(case: Case, draft: AssessmentDraft, instrument: Instrument) -> str:
    slug = draft.current_section or instrument.sections[0].slug
    if slug == "check":
        return reverse("risk_assessment_check", args=[case.pk, draft.pk])
    return reverse("risk_assessment_section", args=[case.pk, draft.pk, slug])


@login_required
def assessment_start(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_rw_case_for_user(request.user, pk, audit=request.method == "GET")
    instruments = all_instruments()
    form = InstrumentChoiceForm(request.POST if request.method == "POST" else None, instruments=instruments)
    if request.method == "POST" and form.is_valid():
        try:
            draft = assessment_draft_start(actor=request.user, case=case, instrument=form.cleaned_data["instrument"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(_next_url(case, draft, instruments[draft.instrument]))
    drafts = AssessmentDraft.objects.filter(case=case, started_by_id=request.user.pk, submitted_at__isnull=True)
    resume = [
        (d, instruments[d.instrument], _next_url(case, d, instruments[d.instrument]))
        for d in drafts
        if d.instrument in instruments
    ]
    context = {"case": case, "form": form, "instruments": instruments, "resume": resume, "page_title": "Start a risk assessment"}
    return render(request, "risk/start.html", context)


@login_required
def assessment_section(request: HttpRequest, pk: int, draft_pk: int, section: str) -> HttpResponse:
    case, draft, instrument = _load(request, pk, draft_pk)
    part = instrument.section(section)
    if part is None:
        raise Http404("No such section")
    index = instrument.section_index(section)
    saved = draft_answers(draft)
    initial = {f"q{q.number}": saved[q.number] for q in part.questions if q.number in saved}
    form = SectionForm(request.POST if request.method == "POST" else None, section=part, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            draft = assessment_draft_save(actor=request.user, draft=draft, section=section, answers=form.answers())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if request.POST.get("return") == "check":
                return redirect("risk_assessment_check", pk=case.pk, draft_pk=draft.pk)
            return redirect(_next_url(case, draft, instrument))
    previous = instrument.sections[index - 1].slug if index > 0 else None
    context = {
        "case": case,
        "draft": draft,
        "instrument": instrument,
        "section": part,
        "form": form,
        "step": index + 1,
        "steps": len(instrument.sections),
        "previous": previous,
        "returning": request.GET.get("return") == "check" or request.POST.get("return") == "check",
        "answer_choices": Answer.choices,
        "page_title": f"{instrument.name}: {part.title}",
    }
    return render(request, "risk/section.html", context)


@login_required
def assessment_check(request: HttpRequest, pk: int, draft_pk: int) -> HttpResponse:
    case, draft, instrument = _load(request, pk, draft_pk)
    if request.method == "GET":  # every answer on one page: the read is audited
        audit_read(request.user, "assessment.view", draft, case_id=case.pk)
    result = draft_score(draft)
    held, escalators = escalators_in(draft.instrument, draft_answers(draft))
    reference, why = grading_reference(case, result, (held, escalators))
    form = GradingForm(request.POST if request.method == "POST" else None, reference=reference, reference_why=why)
    if request.method == "POST" and not result.unanswered and form.is_valid():
        try:
            assessment_draft_submit(
                actor=request.user,
                draft=draft,
                officer_level=form.cleaned_data["officer_level"],
                officer_rationale=form.cleaned_data["officer_rationale"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"The {instrument.name} was recorded and the policy has been applied.")
            return redirect("case_detail", pk=case.pk)
    answers = draft_answers(draft)
    labels = dict(Answer.choices)
    sections = [
        (s, [(q, answers.get(q.number, ""), labels.get(answers.get(q.number, ""), "")) for q in s.questions])
        for s in instrument.sections
    ]
    context: dict[str, Any] = {
        "case": case,
        "draft": draft,
        "instrument": instrument,
        "sections": sections,
        "last_section": instrument.sections[-1].slug,
        "result": result,
        "held": held,
        "escalators": escalators,
        "reference": reference,
        "reference_why": why,
        "form": form,
        "page_title": f"{instrument.name}: check your answers",
    }
    return render(request, "risk/check.html", context)

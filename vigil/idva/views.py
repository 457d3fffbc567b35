"""The IDVA's caseload pages, and the police's referral to the IDVA service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from vigil.cases.access import get_rw_case_for_user
from vigil.core import times
from vigil.core.forms import add_service_errors
from vigil.core.roles import for_roles
from vigil.idva.forms import CaseworkForm, ConcernForm, EndForm, ReferForm
from vigil.idva.models import EntryKind, IdvaReferral
from vigil.idva.selectors import caseload, concerns_with_reviews, get_referral_for_user
from vigil.idva.services import casework_record, concern_raise, idva_refer, idva_referral_end

# Not spoken with for this long: shown in red on the caseload.
STALE_CONTACT = dt.timedelta(days=14)


@login_required
@for_roles("idva_caseload")
def caseload_page(request: HttpRequest) -> HttpResponse:
    now = times.now()
    context = {
        "referrals": caseload(request.user),
        "today": timezone.localdate(times.now()),
        "stale": now - STALE_CONTACT,
        "page_title": "Your caseload",
    }
    return render(request, "idva/caseload.html", context)


def _page(request: HttpRequest, referral: IdvaReferral, **forms: Form) -> HttpResponse:
    context: dict[str, Any] = {
        "referral": referral,
        "case": referral.case,
        "casework": referral.casework.select_related("recorded_by"),
        "plan": referral.casework.filter(kind=EntryKind.SAFETY_PLAN).order_by("-at", "-pk").first(),
        "today": timezone.localdate(times.now()),
        "concerns": concerns_with_reviews(referral),
        "casework_form": CaseworkForm(),
        "concern_form": ConcernForm(),
        "end_form": EndForm(),
        "page_title": f"{referral.case.victim}",
    }
    context.update(forms)
    return render(request, "idva/referral.html", context, status=400 if any(f.errors for f in forms.values()) else 200)


@login_required
def referral_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, get_referral_for_user(request.user, pk))


@login_required
@require_POST
def casework(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_referral_for_user(request.user, pk, audit=False)
    form = CaseworkForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            casework_record(
                actor=request.user,
                referral=referral,
                kind=data["kind"],
                at=data["at"],
                text=data["text"],
                channel=data["channel"],
                review_on=data["review_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Recorded.")
            return redirect("idva_referral", pk=referral.pk)
    return _page(request, referral, casework_form=form)


@login_required
@require_POST
def concern(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_referral_for_user(request.user, pk, audit=False)
    form = ConcernForm(request.POST)
    if form.is_valid():
        try:
            concern_raise(actor=request.user, referral=referral, concern=form.cleaned_data["concern"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Your concern was sent to the police: a supervisor is asked to review the case.")
            return redirect("idva_referral", pk=referral.pk)
    return _page(request, referral, concern_form=form)


@login_required
@require_POST
def end(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_referral_for_user(request.user, pk, audit=False)
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            idva_referral_end(
                actor=request.user, referral=referral, status=form.cleaned_data["status"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The referral has ended: the case is no longer on your caseload.")
            return redirect("idva_caseload")
    return _page(request, referral, end_form=form)


@login_required
def refer(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_rw_case_for_user(request.user, pk)
    form = ReferForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        idva = get_user_model().objects.filter(pk=data["idva"]).first()
        try:
            referral = idva_refer(
                actor=request.user,
                case=case,
                idva=idva,
                consent_given=data["consent_given"],
                consent_at=data["consent_at"],
                consent_how=data["consent_how"],
                consent_note=data["consent_note"],
                reason=data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Referred to {referral.idva} ({referral.agency}), with the victim's consent.")
            return redirect("case_detail", pk=case.pk)
    context = {"case": case, "form": form, "page_title": "Refer to an IDVA"}
    return render(request, "idva/refer_form.html", context, status=400 if form.errors else 200)

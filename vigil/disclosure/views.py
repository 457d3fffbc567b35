"""Clare's Law pages: the list, recording a request, the request with its checks, the decision
panel and the disclosure meeting. Views validate and call services; every object is loaded
through an access helper (404 otherwise)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from vigil.cases.access import get_rw_case_for_user
from vigil.core import times
from vigil.core.access import WRITE_ROLES
from vigil.core.forms import add_service_errors
from vigil.core.roles import for_roles
from vigil.disclosure.forms import ApplicationForm, DecisionForm, MeetingForm, RequestForm
from vigil.disclosure.models import DisclosureRequest
from vigil.disclosure.selectors import decision_action, disclosure_checks, get_request_for_user, requests_for_user
from vigil.disclosure.services import (
    disclosure_application_open,
    disclosure_decide,
    disclosure_meeting_record,
    disclosure_request_record,
)


@login_required
@for_roles("disclosure_list")
def request_list(request: HttpRequest) -> HttpResponse:
    rows = [
        (r, decision_action(r))
        for r in requests_for_user(request.user).prefetch_related("decisions").order_by("-reported_at")[:200]
    ]
    return render(
        request, "disclosure/request_list.html", {"rows": rows, "now": times.now(), "page_title": "Clare's Law requests"}
    )


def _request_fields(form: Form) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "route": data["route"],
        "applicant_kind": data.get("applicant_kind") or "",
        "reported_at": data["reported_at"],
        "third_party_name": data.get("third_party_name") or "",
        "concerns": data.get("concerns") or "",
    }


@login_required
def application_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if user.role not in WRITE_ROLES:
        raise Http404("No such page")
    form = ApplicationForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = disclosure_application_open(
                actor=user,
                team=data.get("team") or user.team,
                person_at_risk_name=data["person_at_risk_name"],
                person_at_risk_born=data["person_at_risk_born"],
                subject_name=data["subject_name"],
                subject_born=data["subject_born"],
                subject_aliases=[a for a in (data.get("subject_aliases") or "").split(",") if a.strip()],
                third_party_relationship=data.get("third_party_relationship") or "",
                **_request_fields(form),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Request {created.reference} was recorded. The decision is due as shown below.")
            return redirect("disclosure_detail", pk=created.pk)
    return render(request, "disclosure/application_form.html", {"form": form, "page_title": "Record a Clare's Law request"})


@login_required
def case_request_new(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_rw_case_for_user(request.user, pk)
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = disclosure_request_record(
                actor=request.user,
                case=case,
                applicant_relationship=form.cleaned_data.get("third_party_relationship") or "",
                **_request_fields(form),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Request {created.reference} was recorded. The decision is due as shown below.")
            return redirect("disclosure_detail", pk=created.pk)
    return render(
        request, "disclosure/application_form.html", {"form": form, "case": case, "page_title": "Record a Clare's Law request"}
    )


def _detail(request: HttpRequest, found: DisclosureRequest, **forms: Form) -> HttpResponse:
    decision = found.decisions.order_by("-decided_at").first()
    meeting = getattr(found, "meeting", None)
    context: dict[str, Any] = {
        "request_obj": found,
        "case": found.case,
        "action": decision_action(found),
        "checks": disclosure_checks(found, user=request.user),
        "decision": decision,
        "meeting": meeting,
        "decision_form": DecisionForm(),
        "meeting_form": MeetingForm(),
        "now": times.now(),
        "page_title": f"Clare's Law request {found.reference}",
    }
    context.update(forms)
    status = 400 if any(f.errors for f in forms.values()) else 200
    return render(request, "disclosure/request_detail.html", context, status=status)


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, get_request_for_user(request.user, pk))


@login_required
@require_POST
def request_decide(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_request_for_user(request.user, pk, write=True, audit=False)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            decision = disclosure_decide(
                actor=request.user, request=found, outcome=form.cleaned_data["outcome"], rationale=form.cleaned_data["rationale"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"The decision was recorded: {decision.get_outcome_display().lower()}.")
            return redirect("disclosure_detail", pk=found.pk)
    return _detail(request, found, decision_form=form)


@login_required
@require_POST
def request_meeting(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_request_for_user(request.user, pk, write=True, audit=False)
    form = MeetingForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            disclosure_meeting_record(
                actor=request.user,
                request=found,
                held_at=data["held_at"],
                present=data["present"],
                disclosed=data["disclosed"],
                safety_plan=data["safety_plan"],
                completes_safety_plan=data["completes_safety_plan"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The disclosure meeting and its safety plan were recorded.")
            return redirect("disclosure_detail", pk=found.pk)
    return _detail(request, found, meeting_form=form)

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from vigil.actions.outcome import pop_outcome
from vigil.actions.selectors import teams_for_board
from vigil.audit.chronology import chronology_context
from vigil.audit.services import audit_record
from vigil.cases.access import get_case_for_user, get_rw_case_for_user, pseudonymised_cases, reveal_protected_address
from vigil.cases.analyst import analyst_list
from vigil.cases.filters import CaseFilterForm, case_rows
from vigil.cases.forms import ReportForm
from vigil.cases.selectors import case_overview
from vigil.cases.services import report_record
from vigil.core import times
from vigil.core.constants import Role
from vigil.core.filters import selected_filters
from vigil.core.forms import add_service_errors
from vigil.core.roles import for_roles


@login_required
@for_roles("case_list")
def case_list(request: HttpRequest) -> HttpResponse:
    form = CaseFilterForm(request.GET, teams=teams_for_board(request.user))
    filters = form.valid_data()
    page = Paginator(case_rows(request.user, filters, now=times.now()), 25).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "query": filters.get("q") or "",
        "filter_form": form,
        "selected": selected_filters(form, request.GET, skip=("q",)),
        "filter_action": reverse("case_list"),
        "adviser": getattr(request.user, "role", "") == Role.IDVA,
        "page_title": "Cases",
    }
    return render(request, "cases/case_list.html", context)


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    people = [("Victim", case.victim)] + ([("Subject", case.subject)] if case.subject else [])
    context = {
        "case": case,
        "people": people,
        "now": times.now(),
        "page_title": f"Case {case.reference}",
        "policy_outcome": pop_outcome(request, case),
        **case_overview(case),
        **chronology_context(request.user, case, request.GET),
    }
    return render(request, "cases/case_detail.html", context)


@login_required
def report_new(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_rw_case_for_user(request.user, pk, audit=request.method == "GET")
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report_record(
                actor=request.user,
                case=case,
                category=form.cleaned_data["category"],
                reported_at=form.cleaned_data["reported_at"],
                summary=form.cleaned_data["summary"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The report was recorded and the policy has been applied.")
            return redirect("case_detail", pk=case.pk)
    return render(request, "cases/report_form.html", {"case": case, "form": form, "page_title": "Record a report"})


# --- protected addresses and the analyst's view ------------------------------------------------


@login_required
def place_reveal(request: HttpRequest, case_pk: int, pk: int) -> HttpResponse:
    """Shows one protected address to staff allocated to the case; the reveal is audited."""
    case, place = reveal_protected_address(request.user, case_pk, pk)
    context = {"case": case, "place": place, "page_title": "Protected address"}
    return render(request, "core/place_reveal.html", context)


@login_required
@for_roles("analyst_cases")
def analyst_cases(request: HttpRequest) -> HttpResponse:
    rows = pseudonymised_cases(request.user)
    listing = analyst_list(rows, request.GET)
    with transaction.atomic():
        audit_record(
            actor=request.user,
            action="analyst.view",
            object_type="cases.pseudonymised",
            object_id="all",
            new={"rows": listing.shown, "filters": {k: v for k, v in request.GET.lists() if k != "page"}},
        )
    context = {
        "listing": listing,
        "page": listing.page,
        "filter_form": listing.form,
        "selected": listing.selected,
        "filter_action": reverse("analyst_cases"),
        "page_title": "Cases (pseudonymised)",
    }
    return render(request, "core/analyst_cases.html", context)

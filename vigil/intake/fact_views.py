"""Recording a fact on a case: a menu of the facts the policy reads, and one form for each.
Views only validate and call the forms' services; every object goes through the access
helpers (a case the officer may not change is a 404)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from vigil.actions.outcome import record_with_outcome
from vigil.cases.access import get_rw_case_for_user
from vigil.core.forms import add_service_errors
from vigil.intake.case_context import case_orders, case_warrants
from vigil.intake.facts import BY_SLUG, FACTS, GROUPS, FactForm
from vigil.intake.views import _error_rows
from vigil.people.place_form import map_settings


def _why_not(fact: type[FactForm], case: Any) -> str:
    if fact.needs_subject and case.subject is None:
        return "needs a suspect on the case"
    if fact.slug in ("breach", "order-ended", "order-varied") and not case_orders(case):
        return "no order recorded"
    if fact.slug in ("warrant-executed", "warrant-withdrawn") and not case_warrants(case, outstanding=True):
        return "no warrant outstanding"
    return ""


@login_required
def fact_menu(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_rw_case_for_user(request.user, pk)
    groups = [
        (group, [(fact, not _why_not(fact, case), _why_not(fact, case)) for fact in FACTS if fact.group == group])
        for group in GROUPS
    ]
    return render(request, "intake/fact_menu.html", {"case": case, "groups": groups, "page_title": "Record something"})


@login_required
def fact_record(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    case = get_rw_case_for_user(request.user, pk)
    fact = BY_SLUG.get(slug)
    if fact is None:
        raise Http404("No such kind of fact")
    if _why_not(fact, case):
        messages.info(request, f"{fact.title} is not possible on this case: it {_why_not(fact, case)}.")
        return redirect("fact_menu", pk=case.pk)
    form = fact(request.POST if request.method == "POST" else None, case=case, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            said, _outcome = record_with_outcome(request, lambda: form.save(request.user), case=case)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, said)
            return redirect("case_detail", pk=case.pk)
    errors = _error_rows(form, *form.other_forms())
    context = {"case": case, "form": form, "errors": errors, "map": map_settings(), "page_title": fact.title}
    return render(request, "intake/fact_form.html", context, status=400 if errors else 200)

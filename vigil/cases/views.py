from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from vigil.audit.chronology import chronology_context
from vigil.cases.forms import ReportForm
from vigil.cases.selectors import case_overview, case_search
from vigil.cases.services import report_record
from vigil.core.access import get_case_for_user, get_rw_case_for_user


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    page = Paginator(case_search(request.user, query), 25).get_page(request.GET.get("page"))
    return render(request, "cases/case_list.html", {"page": page, "query": query, "page_title": "Cases"})


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    people = [("Victim", case.victim)] + ([("Subject", case.subject)] if case.subject else [])
    context = {
        "case": case,
        "people": people,
        "now": timezone.now(),
        "page_title": f"Case {case.reference}",
        **case_overview(case),
        **chronology_context(request.user, case, request.GET),
    }
    return render(request, "cases/case_detail.html", context)


@login_required
def report_new(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_rw_case_for_user(request.user, pk)
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
            for field, errs in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        else:
            messages.success(request, "The report was recorded and the policy has been applied.")
            return redirect("case_detail", pk=case.pk)
    return render(request, "cases/report_form.html", {"case": case, "form": form, "page_title": "Record a report"})

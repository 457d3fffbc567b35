"""Operation Encompass pages: the school's acknowledgement (public, by its one-use link), and
on a `notify_school` action, recording the child's school and sending again after a failure."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from vigil.actions.access import get_action_for_user
from vigil.core.constants import ActionKind
from vigil.schools.models import School, SchoolNotice
from vigil.schools.services import LinkRefused, child_school_record, notice_acknowledge, notice_for_link, notice_resend


@never_cache
def encompass_ack(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what is being acknowledged and a button; only the POST uses the link, so a mail
    scanner that opens links cannot acknowledge on the school's behalf."""
    try:
        notice = notice_acknowledge(token=token) if request.method == "POST" else notice_for_link(token)
    except LinkRefused:
        return render(request, "schools/ack_refused.html", {"page_title": "This link does not work"}, status=404)
    done = request.method == "POST"
    context = {"notice": notice, "done": done, "page_title": "Thank you" if done else "Confirm you have received the notice"}
    return render(request, "schools/ack.html", context)


def _notify_action(request: HttpRequest, pk: int) -> Any:
    action = get_action_for_user(request.user, pk, write=True)
    if action.kind != ActionKind.NOTIFY_SCHOOL:
        raise Http404("No such action")
    return action


def school_search(query: str) -> list[School]:
    query = query.strip()
    if len(query) < 3 and not query.isdigit():
        return []
    match = Q(name__icontains=query) | Q(postcode__iexact=query) | Q(postcode__iexact=query.replace(" ", ""))
    if query.isdigit():
        match |= Q(urn=int(query))
    return list(School.objects.filter(match, open=True).order_by("name")[:20])


@login_required
def encompass_school(request: HttpRequest, pk: int) -> HttpResponse:
    """Find and record the school of the child a notice is for; the notice is sent at once."""
    action = _notify_action(request, pk)
    if request.method == "POST":
        school = School.objects.filter(pk=request.POST.get("school") or 0).first()
        if school is None:
            messages.error(request, "Choose the school from the list")
        else:
            try:
                child_school_record(actor=request.user, child=action.victim, school=school)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, f"{school.name} was recorded as {action.victim}'s school.")
                return redirect("action_detail", pk=action.pk)
    query = request.GET.get("q", "")
    context = {"action": action, "query": query, "results": school_search(query), "page_title": "Find the school"}
    return render(request, "schools/find_school.html", context)


@login_required
@require_POST
def encompass_resend(request: HttpRequest, pk: int) -> HttpResponse:
    action = _notify_action(request, pk)
    notice = SchoolNotice.objects.filter(action=action).first()
    if notice is None:
        raise Http404("No such notice")
    try:
        notice_resend(actor=request.user, notice=notice)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The notice is being sent again.")
    return redirect("action_detail", pk=action.pk)

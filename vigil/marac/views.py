"""MARAC pages. Views validate and call services; objects come through `vigil.marac.selectors`
(404 otherwise)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from vigil.cases.access import get_rw_case_for_user
from vigil.core.forms import add_service_errors
from vigil.core.roles import for_roles
from vigil.core.times import now
from vigil.marac import selectors as S
from vigil.marac.criteria import pending_referral, safelives_criteria
from vigil.marac.forms import CloseForm, PlanForm, ReferForm, ScheduleForm, TextForm
from vigil.marac.minutes import minutes_pdf
from vigil.marac.models import MaracReferral
from vigil.marac.services import (
    agenda_circulate,
    discussion_record,
    marac_refer,
    meetings_schedule,
    open_refer_action,
    plan_action_add,
    plan_action_close,
    research_record,
)
from vigil.partners.selectors import agency_of


@login_required
@for_roles("marac_my_actions")
def my_actions(request: HttpRequest) -> HttpResponse:
    """A partner's (and the coordinator's) landing page: their MARAC actions."""
    return render(request, "marac/my_actions.html", {"page_title": "Your MARAC actions"})


@login_required
@for_roles("marac_meetings")
def meeting_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    moment = now()
    meetings = S.meetings_for_user(user)
    context = {
        "upcoming": meetings.filter(held_at__gte=moment)[:12],
        "recent": meetings.filter(held_at__lt=moment).order_by("-held_at")[:6],
        "waiting": S.waiting_referrals(user).order_by("referred_at"),
        "coordinator": S.is_coordinator(user),
        "page_title": "MARAC",
    }
    return render(request, "marac/meeting_list.html", context)


@login_required
def meeting_new(request: HttpRequest) -> HttpResponse:
    if not S.is_coordinator(request.user):
        raise Http404("No such page")
    form = ScheduleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = meetings_schedule(
                actor=request.user,
                area=data["area"],
                first_at=data["first_at"],
                every_days=data["every_days"],
                count=data["count"],
                location=data["location"],
                agencies=data["agencies"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{len(made)} meeting{'s' if len(made) != 1 else ''} set up in {data['area']}.")
            return redirect("marac_meetings")
    return render(request, "marac/meeting_form.html", {"form": form, "page_title": "Set up MARAC meetings"})


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    meeting = S.get_meeting_for_user(user, pk)
    items = S.agenda(meeting, user)
    total = meeting.referrals.count()
    agency = agency_of(user)
    context = {
        "meeting": meeting,
        "items": items,
        "hidden": total - len(items),
        "agencies": list(meeting.agencies.all()),
        "coordinator": S.is_coordinator(user),
        "my_agency": agency,
        "page_title": str(meeting),
    }
    return render(request, "marac/meeting_detail.html", context)


@login_required
@require_POST
def meeting_circulate(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = S.get_meeting_for_user(request.user, pk, coordinate=True, audit=False)
    try:
        agenda_circulate(actor=request.user, meeting=meeting)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The agenda was circulated to the agencies that attend.")
    return redirect("marac_meeting", pk=meeting.pk)


# --- referring ----------------------------------------------------------------------------


@login_required
def refer(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_rw_case_for_user(request.user, pk)
    moment = now()
    form = ReferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            referral = marac_refer(
                actor=request.user, case=case, reason=form.cleaned_data["reason"], judgement=form.cleaned_data["judgement"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            where = f"on the agenda of {referral.meeting}" if referral.meeting else "waiting for a meeting to be set up"
            messages.success(request, f"Referred to MARAC: {where}.")
            return redirect("marac_referral", pk=referral.pk)
    context = {
        "case": case,
        "form": form,
        "found": safelives_criteria(case, at=moment),
        "pending": pending_referral(case, at=moment),
        "action": open_refer_action(case),
        "page_title": "Refer to MARAC",
    }
    return render(request, "marac/refer_form.html", context, status=400 if form.errors else 200)


# --- the MARAC case page ------------------------------------------------------------------


def _referral_page(request: HttpRequest, referral: MaracReferral, **forms: Form) -> HttpResponse:
    user: Any = request.user
    meeting = referral.meeting
    moment = now()
    agency = agency_of(user)
    coordinator = S.is_coordinator(user)
    attending = list(meeting.agencies.all()) if meeting else []
    may_research = bool(agency and meeting and agency in attending and meeting.held_at > moment)
    may_minute = bool(coordinator and meeting and meeting.circulated_at)
    context: dict[str, Any] = {
        "referral": referral,
        "case": referral.case,
        "meeting": meeting,
        "research": referral.research.select_related("agency", "recorded_by"),
        "plan": referral.plan.select_related("agency", "owner"),
        "children": _children(referral),
        "my_agency": agency,
        "may_research": may_research,
        "may_minute": may_minute,
        "research_form": TextForm(
            label=f"What your agency's records hold ({agency})" if agency else "Your agency's research",
            words="what your agency's records hold",
        ),
        "discussion_form": TextForm(label="Minutes of the discussion", words="the minutes of the discussion"),
        "plan_form": PlanForm(agencies=attending),
        "page_title": f"MARAC: {referral.case.victim}",
    }
    context.update(forms)
    status = 400 if any(f.errors for f in forms.values()) else 200
    return render(request, "marac/referral_detail.html", context, status=status)


def _children(referral: MaracReferral) -> list[Any]:
    """The children the police know of around the pair: present at a report, or in the
    household (the children's services and schools need them)."""
    from django.db.models import Q

    from vigil.cases.models import Report
    from vigil.people.models import Person, Relationship

    case = referral.case
    pair = {pid for pid in (case.victim_id, case.subject_id) if pid}
    ids = set(Person.objects.filter(reports_present_at__in=Report.objects.filter(case=case)).values_list("pk", flat=True))
    for a, b in Relationship.objects.filter(Q(a_id__in=pair) | Q(b_id__in=pair), kind="household").values_list("a_id", "b_id"):
        ids.update((a, b))
    today = now().date()
    children = []
    for person in Person.objects.filter(pk__in=ids - pair).order_by("born_on", "pk"):
        age = person.age_on(today)
        if age is None or age < 18:
            children.append(person)
    return children


@login_required
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _referral_page(request, S.get_referral_for_user(request.user, pk))


@login_required
@require_POST
def referral_research(request: HttpRequest, pk: int) -> HttpResponse:
    referral = S.get_referral_for_user(request.user, pk, audit=False)
    form = TextForm(request.POST, label="Your agency's research", words="what your agency's records hold")
    if form.is_valid():
        try:
            research_record(actor=request.user, referral=referral, text=form.cleaned_data["text"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Your agency's research was recorded.")
            return redirect("marac_referral", pk=referral.pk)
    return _referral_page(request, referral, research_form=form)


@login_required
@require_POST
def referral_discussion(request: HttpRequest, pk: int) -> HttpResponse:
    if not S.is_coordinator(request.user):
        raise Http404("No such page")
    referral = S.get_referral_for_user(request.user, pk, audit=False)
    form = TextForm(request.POST, label="Minutes of the discussion", words="the minutes of the discussion")
    if form.is_valid():
        try:
            discussion_record(actor=request.user, referral=referral, text=form.cleaned_data["text"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The minutes of the discussion were recorded.")
            return redirect("marac_referral", pk=referral.pk)
    return _referral_page(request, referral, discussion_form=form)


@login_required
@require_POST
def referral_plan(request: HttpRequest, pk: int) -> HttpResponse:
    if not S.is_coordinator(request.user):
        raise Http404("No such page")
    referral = S.get_referral_for_user(request.user, pk, audit=False)
    attending = list(referral.meeting.agencies.all()) if referral.meeting else []
    form = PlanForm(request.POST, agencies=attending)
    if form.is_valid():
        owner = get_user_model().objects.filter(pk=form.cleaned_data["owner"]).first()
        try:
            plan_action_add(
                actor=request.user,
                referral=referral,
                owner=owner,
                description=form.cleaned_data["description"],
                due_at=form.due_at(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"The action was added to the plan and is on {owner}'s board.")
            return redirect("marac_referral", pk=referral.pk)
    return _referral_page(request, referral, plan_form=form)


@login_required
def referral_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    referral = S.get_referral_for_user(request.user, pk, action="marac.minutes.export")
    response = HttpResponse(minutes_pdf(referral, children=_children(referral)), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="marac-minutes-{referral.case.reference}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


# --- plan actions -------------------------------------------------------------------------


@login_required
def plan_action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    action = S.get_plan_action_for_user(request.user, pk)
    return _plan_page(request, action, CloseForm())


def _plan_page(request: HttpRequest, action: Any, form: CloseForm) -> HttpResponse:
    context = {
        "action": action,
        "form": form,
        "may_close": S.may_close_plan_action(request.user, action),
        "may_read_referral": S.referrals_for_user(request.user).filter(pk=action.referral_id).exists(),
        "page_title": "MARAC action",
    }
    return render(request, "marac/plan_action.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def plan_action_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    action = S.get_plan_action_for_user(request.user, pk)
    if not S.may_close_plan_action(request.user, action):
        raise Http404("No such action")
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            plan_action_close(
                actor=request.user, action=action, outcome=form.cleaned_data["outcome"], note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The MARAC action was closed.")
            return redirect("home")
    return _plan_page(request, action, form)

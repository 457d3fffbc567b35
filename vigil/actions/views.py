from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from vigil.actions.access import get_action_for_user
from vigil.actions.board import build_board
from vigil.actions.forms import ArrestCompleteForm, CompleteForm, DeclineForm, ReassignForm, SendBackForm, SignOffForm
from vigil.actions.models import Action
from vigil.actions.services import (
    CUSTODY_KINDS,
    action_complete,
    action_complete_by_arrest,
    action_decline,
    action_reassign,
    action_send_back,
    action_signoff,
    action_warrant,
)
from vigil.audit.chronology import ChronologyFilter, may_export
from vigil.audit.export import EXPORT_FORMATS, chronology_export
from vigil.cases.access import get_case_for_user
from vigil.core import times
from vigil.core.access import WRITE_ROLES
from vigil.core.constants import SignOff
from vigil.core.forms import add_service_errors
from vigil.core.roles import for_roles

REFRESH_HEADER = "X-Vigil-Refresh"


def _back(request: HttpRequest, action: Action) -> HttpResponse:
    """Back to the board when the person came from it, otherwise to the case."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("case_detail", pk=action.case_id)


# --- the action board -----------------------------------------------------------------------


@login_required
@require_GET
@for_roles("home")
def action_board(request: HttpRequest) -> HttpResponse:
    """The landing page. With the refresh header (sent by board-refresh.mjs), only the results."""
    board = build_board(request.user, request.GET, now=times.now())
    context = {
        "board": board,
        "page": board.page,
        "selected": board.selected,
        "filter_action": reverse("home"),
        "page_title": "Action board",
    }
    if request.headers.get(REFRESH_HEADER) == "board":
        return render(request, "actions/includes/board_results.html", context)
    return render(request, "actions/board.html", context)


# --- acting on one action -------------------------------------------------------------------


def _team_members(action: Action) -> QuerySet[Any]:
    return (
        get_user_model()
        .objects.filter(team_id=action.team_id, is_active=True, role__in=list(WRITE_ROLES))
        .order_by("last_name", "first_name", "username")
    )


def _detail_context(request: HttpRequest, action: Action, **forms: Form) -> dict[str, Any]:
    user: Any = request.user
    context: dict[str, Any] = {
        "action": action,
        "complete_form": CompleteForm(),
        "arrest_form": ArrestCompleteForm(user=user) if action.kind in CUSTODY_KINDS else None,
        "warrant": action_warrant(action),
        "form": DeclineForm(),
        "reassign_form": ReassignForm(members=_team_members(action)),
        "signoff_form": SignOffForm(),
        "send_back_form": SendBackForm(),
        "can_sign_off": action.signoff == SignOff.AWAITING and getattr(user, "escalation_level", 1) >= 2,
        "next": request.POST.get("next") or request.GET.get("next", ""),
        "page_title": action.get_kind_display(),
    }
    context.update(forms)
    return context


@login_required
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_action_for_user(request.user, pk, audit=True)
    return render(request, "actions/action_detail.html", _detail_context(request, action))


@login_required
@require_POST
def action_complete_view(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_action_for_user(request.user, pk, write=True)
    if action.kind in CUSTODY_KINDS:
        return _complete_by_arrest(request, action)
    form = CompleteForm(request.POST)
    if form.is_valid():
        try:
            action_complete(actor=request.user, action=action, note=form.cleaned_data["note"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"“{action.get_kind_display()}” is recorded as done.")
            return _back(request, action)
    return render(request, "actions/action_detail.html", _detail_context(request, action, complete_form=form), status=400)


def _complete_by_arrest(request: HttpRequest, action: Action) -> HttpResponse:
    """Arrest the suspect / execute the warrant: done by recording the arrest."""
    form = ArrestCompleteForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            action_complete_by_arrest(
                actor=request.user,
                action=action,
                at=data["at"],
                arrested_by=data["arrested_by"],
                custody_reference=data["custody_reference"],
                note=data["note"],
            )
        except ValidationError as error:
            # The service names the time `at`; on this page it is the arrest's date boxes.
            if hasattr(error, "error_dict"):
                error = ValidationError({"arrested_day" if k == "at" else k: v for k, v in error.message_dict.items()})
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"The arrest is recorded (custody reference {data['custody_reference'].strip()}), and"
                f" “{action.get_kind_display()}” is done, with any other open action to arrest the suspect or execute a"
                " warrant for them.",
            )
            return _back(request, action)
    return render(request, "actions/action_detail.html", _detail_context(request, action, arrest_form=form), status=400)


@login_required
@require_POST
def action_decline_view(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_action_for_user(request.user, pk, write=True)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            action_decline(actor=request.user, action=action, rationale=form.cleaned_data["rationale"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"“{action.get_kind_display()}” is recorded as declined, with your reason.")
            return _back(request, action)
    return render(request, "actions/action_detail.html", _detail_context(request, action, form=form), status=400)


@login_required
@require_POST
def action_reassign_view(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_action_for_user(request.user, pk, write=True)
    members = _team_members(action)
    form = ReassignForm(request.POST, members=members)
    if form.is_valid():
        owner = members.get(pk=form.cleaned_data["owner"])
        try:
            action_reassign(actor=request.user, action=action, owner=owner)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"“{action.get_kind_display()}” is now with {owner}.")
            return _back(request, action)
    return render(request, "actions/action_detail.html", _detail_context(request, action, reassign_form=form), status=400)


@login_required
@require_POST
def action_signoff_view(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_action_for_user(request.user, pk, write=True)
    form = SignOffForm(request.POST)
    if form.is_valid():
        try:
            action_signoff(actor=request.user, action=action, note=form.cleaned_data["note"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"The decline of “{action.get_kind_display()}” is signed off.")
            return _back(request, action)
    return render(request, "actions/action_detail.html", _detail_context(request, action, signoff_form=form), status=400)


@login_required
@require_POST
def action_send_back_view(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_action_for_user(request.user, pk, write=True)
    form = SendBackForm(request.POST)
    if form.is_valid():
        try:
            action_send_back(actor=request.user, action=action, note=form.cleaned_data["note"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"“{action.get_kind_display()}” is sent back and open again.")
            return _back(request, action)
    return render(request, "actions/action_detail.html", _detail_context(request, action, send_back_form=form), status=400)


# --- the review export ------------------------------------------------------------------------


@login_required
@require_GET
def chronology_export_view(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """Download the case chronology for a review (CSV or PDF). Recorded in the audit trail."""
    if fmt not in EXPORT_FORMATS or not may_export(request.user):
        raise Http404("No such export")
    case = get_case_for_user(request.user, pk, audit=False)
    chrono_filter = ChronologyFilter.from_params(request.GET)
    export = chronology_export(user=request.user, case=case, fmt=fmt, chrono_filter=chrono_filter)
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from vigil.actions.forms import CompleteForm, DeclineForm
from vigil.actions.services import action_complete, action_decline
from vigil.core.access import get_action_for_user


def _form_errors(form: Form, error: ValidationError) -> None:
    for field, errs in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errs)


@login_required
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_action_for_user(request.user, pk)
    return render(
        request,
        "actions/action_detail.html",
        {"action": action, "complete_form": CompleteForm(), "form": DeclineForm(), "page_title": action.get_kind_display()},
    )


@login_required
@require_POST
def action_complete_view(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_action_for_user(request.user, pk, write=True)
    form = CompleteForm(request.POST)
    if form.is_valid():
        try:
            action_complete(actor=request.user, action=action, note=form.cleaned_data["note"])
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, f"“{action.get_kind_display()}” is recorded as done.")
            return redirect("case_detail", pk=action.case_id)
    return render(request, "actions/action_detail.html", {"action": action, "complete_form": form, "form": DeclineForm()}, status=400)


@login_required
@require_POST
def action_decline_view(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_action_for_user(request.user, pk, write=True)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            action_decline(actor=request.user, action=action, rationale=form.cleaned_data["rationale"])
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, f"“{action.get_kind_display()}” is recorded as declined, with your reason.")
            return redirect("case_detail", pk=action.case_id)
    return render(request, "actions/action_detail.html", {"action": action, "complete_form": CompleteForm(), "form": form}, status=400)

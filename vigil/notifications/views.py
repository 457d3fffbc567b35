from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from vigil.core.forms import GovukForm
from vigil.notifications.models import Message, Mode
from vigil.notifications.services import mode_of, preference_set


class PreferenceForm(GovukForm):
    error_names = {"mode": "how you want to be told"}

    mode = forms.ChoiceField(
        label="How do you want to be told of work that reaches you?", choices=Mode.choices, widget=forms.RadioSelect
    )


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = PreferenceForm(request.POST or None, initial={"mode": mode_of(user)})
    if request.method == "POST" and form.is_valid():
        try:
            preference_set(actor=user, mode=form.cleaned_data["mode"])
        except ValidationError as error:
            form.add_error("mode", error.messages)
        else:
            messages.success(request, "Your choice was saved.")
            return redirect("notification_preferences")
    context = {
        "form": form,
        "recent": Message.objects.filter(user=user).order_by("-created_at", "-pk")[:20],
        "page_title": "Notifications",
    }
    return render(request, "notifications/preferences.html", context, status=400 if form.errors else 200)

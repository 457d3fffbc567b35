"""The calendar feed's page (make, copy or stop your feed) and the feed itself."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from vigil.audit.services import audit_record
from vigil.core import times
from vigil.core.roles import POLICE
from vigil.deadlines.feed import feed_actions, feed_calendar
from vigil.deadlines.services import active_feed, calendar_feed_create, calendar_feed_revoke, feed_for_token, feed_token


def _feed_url(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("calendar_feed", args=[token]))


@login_required
@require_http_methods(["GET", "POST"])
def calendar_settings(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if user.role not in POLICE:
        raise Http404("No calendar feed for this role")
    if request.method == "POST":
        if request.POST.get("do") == "stop":
            stopped = calendar_feed_revoke(actor=user)
            messages.success(
                request,
                "Your calendar feed is stopped. Calendars subscribed to it get nothing more."
                if stopped
                else "You had no feed to stop.",
            )
        else:
            calendar_feed_create(actor=user)
            messages.success(request, "Your new calendar feed is ready. Any address you had before no longer works.")
        return redirect("calendar_settings")
    feed = active_feed(user)
    context = {
        "page_title": "Your deadlines in your calendar",
        "feed": feed,
        "feed_url": _feed_url(request, feed_token(feed)) if feed else "",
        "open_actions": len(feed_actions(user)) if feed else 0,
    }
    return render(request, "deadlines/settings.html", context)


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    feed = feed_for_token(token)
    if feed is None:
        raise Http404("No such calendar")
    actions = feed_actions(feed.user)
    body = feed_calendar(actions, link=lambda a: request.build_absolute_uri(reverse("action_detail", args=[a.pk])))
    with transaction.atomic():
        feed.last_read_at = times.now()
        feed.save(update_fields=["last_read_at"])
        audit_record(actor=feed.user, action="calendar_feed.read", obj=feed, new={"actions": [a.pk for a in actions]})
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="vigil-deadlines.ics"'
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response

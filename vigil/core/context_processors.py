from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse


def _navigation(request: HttpRequest) -> list[dict[str, Any]]:
    """The primary navigation for this user: only the pages their role may open."""
    from vigil.people.link_review import may_review

    user = request.user
    if not user.is_authenticated:
        return []
    if getattr(user, "role", "") == "analyst":
        items = [("Cases (pseudonymised)", reverse("analyst_cases"))]
    else:
        items = [("Action board", reverse("home")), ("Cases", reverse("case_list")), ("Warrants", reverse("warrant_board"))]
        if may_review(user):
            items.append(("Possible matches", reverse("person_link_queue")))
    path = request.path
    return [{"label": label, "url": url, "current": path == url or (url != "/" and path.startswith(url))} for label, url in items]


def vigil(request: HttpRequest) -> dict[str, Any]:
    return {"service_name": "Vigil", "navigation": _navigation(request)}

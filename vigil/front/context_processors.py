from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from vigil.core.access import WRITE_ROLES
from vigil.core.roles import navigation_pages
from vigil.portal.constants import SubmissionStatus
from vigil.portal.selectors import submissions_for_user


def _portal_label(user: Any) -> str:
    """ "Portal reports", with how many of this user's cases' reports wait for an officer."""
    waiting = (SubmissionStatus.RECEIVED, SubmissionStatus.FAILED, SubmissionStatus.NEEDS_OFFICER)
    count = submissions_for_user(user).filter(status__in=waiting).count()
    return f"Portal reports ({count} waiting)" if count else "Portal reports"


def _navigation(request: HttpRequest) -> list[dict[str, Any]]:
    """The primary navigation for this user: only the lists their role uses (vigil.core.roles)."""
    user = request.user
    if not user.is_authenticated:
        return []
    items = [
        (_portal_label(user) if page.name == "portal_submissions" else page.nav or page.title, reverse(page.name))
        for page in navigation_pages(user)
    ]
    path = request.path
    return [{"label": label, "url": url, "current": path == url or (url != "/" and path.startswith(url))} for label, url in items]


def vigil(request: HttpRequest) -> dict[str, Any]:
    # Pages offer the buttons that change a case only to the roles that may (the services and
    # views refuse the others anyway, with a 404).
    may_write = getattr(request.user, "role", None) in WRITE_ROLES
    return {"service_name": "Vigil", "navigation": _navigation(request), "may_write": may_write}

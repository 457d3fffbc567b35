from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse

from vigil.core.current import reset_request_id, set_request_id

_SAFE_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")
SIGNED_IN_AT = "vigil_signed_in_at"

# Pages a signed-in person may reach before passing the second factor.
SECOND_FACTOR_EXEMPT = frozenset({"login", "logout", "otp_verify", "otp_setup", "healthz"})

PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=(), "
    "interest-cohort=()"
)


class RequestIdMiddleware:
    """Gives every request an id (or keeps a well-formed X-Request-ID) for the audit trail."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        token = set_request_id(incoming if _SAFE_ID.match(incoming) else None)
        try:
            response = self.get_response(request)
        finally:
            reset_request_id(token)
        return response


class SecurityHeadersMiddleware:
    """Headers Django's SecurityMiddleware does not set: Permissions-Policy, and no caching of
    pages (they hold personal data) unless a response says otherwise, as static files do."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        return response


def _page_of_form(request: HttpRequest) -> str:
    """Where a form sent to `request.path` lives: the page its address ends under
    (`/actions/12/decline/` is on `/actions/12/`) when there is one; else the board."""
    from django.urls import Resolver404, resolve

    parent = request.path.rstrip("/").rsplit("/", 1)[0] + "/"
    try:
        resolve(parent)
    except Resolver404:
        return "/"
    return parent if parent not in ("/", request.path) else "/"


class SessionLimitMiddleware:
    """Ends a session a fixed time after sign-in, however active (the idle limit is
    SESSION_COOKIE_AGE, renewed on every request)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user: Any = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            started = request.session.get(SIGNED_IN_AT)
            now = time.time()
            if started is None:
                request.session[SIGNED_IN_AT] = now
            elif now - float(started) > settings.VIGIL_SESSION_MAX_SECONDS:
                logout(request)
                messages.info(request, "You were signed out because your session reached its time limit. Please sign in again.")
                # A form sent after the limit cannot be sent again from a link: come back to
                # the page it was on (or the board), not to an address that only takes forms.
                back = request.get_full_path() if request.method in ("GET", "HEAD") else _page_of_form(request)
                return redirect(f"{reverse('login')}?{urlencode({'next': back})}")
        return self.get_response(request)


class SecondFactorRequiredMiddleware:
    """A session that has passed only the password reaches nothing but the code pages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any) -> HttpResponseBase | None:
        user: Any = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        name = match.view_name if match else ""
        if name in SECOND_FACTOR_EXEMPT:
            return None
        from vigil.core.otp import confirmed_devices

        target = "otp_verify" if confirmed_devices(user) else "otp_setup"
        query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
        return redirect(reverse(target) + (f"?{query}" if query else ""))


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's session middleware, except that the board's background refresh (a request
    with `X-Vigil-Refresh`) does not renew the session: an open board left alone still
    reaches the idle sign-out (SESSION_COOKIE_AGE). A refresh that changes the session (none
    does) is saved as usual."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        session = getattr(request, "session", None)
        if request.headers.get("X-Vigil-Refresh") and session is not None and not session.modified:
            return response
        return super().process_response(request, response)

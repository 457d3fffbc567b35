"""The front door: signing in (a password, then a code from an authenticator app, each step
audited) and the landing page after it."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from vigil.actions.views import action_board
from vigil.audit.services import audit_record
from vigil.core.forms import GovukForm, GovukFormMixin
from vigil.core.middleware import SIGNED_IN_AT
from vigil.core.otp import confirmed_devices, seed_to_base32
from vigil.core.roles import PAGES, landing_url

MAX_CODE_FAILURES = 5
CODE_FAILURES = "vigil_code_failures"


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The landing page after signing in: the action board, or for a role that has none the
    first list it uses (the analyst's pseudonymised list, the adviser's cases)."""
    if getattr(request.user, "role", "") not in PAGES["home"].roles:
        return redirect(landing_url(request.user))
    return action_board(request)


# --- signing in: password, then a code -------------------------------------------------------


def _safe_next(request: HttpRequest, default: str = "") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default or reverse("home")


class SignInForm(GovukFormMixin, AuthenticationForm):
    error_names = {"username": "your username", "password": "your password"}
    error_messages = {
        "invalid_login": "The username or password is not right. Check both and try again",
        "inactive": "This account is switched off. Ask your supervisor or the service desk to switch it on",
    }


class SignInView(LoginView):
    """The password step. A correct password leads to the code page, not into Vigil."""

    template_name = "registration/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = False

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        self.request.session[SIGNED_IN_AT] = time.time()
        with transaction.atomic():
            audit_record(actor=form.get_user(), action="auth.password_ok", obj=form.get_user())
        return response

    def get_success_url(self) -> str:
        target = "otp_verify" if confirmed_devices(self.request.user) else "otp_setup"
        return f"{reverse(target)}?{urlencode({'next': super().get_success_url()})}"


class CodeForm(GovukForm):
    code = forms.CharField(
        label="Code from your authenticator app",
        min_length=6,
        max_length=6,
        error_messages={
            "required": "Enter the 6-digit code from your authenticator app",
            "min_length": "Enter the 6-digit code from your authenticator app",
            "max_length": "Enter the 6-digit code from your authenticator app",
        },
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not code.isdigit():
            raise forms.ValidationError("The code must be 6 digits")
        return code


def _user(request: HttpRequest) -> Any:
    return request.user


def _code_failed(request: HttpRequest, form: CodeForm) -> HttpResponse | None:
    """Count a wrong code; after too many, end the session so the password is needed again."""
    failures = int(request.session.get(CODE_FAILURES, 0)) + 1
    request.session[CODE_FAILURES] = failures
    with transaction.atomic():
        audit_record(actor=request.user, action="auth.code_refused", obj=_user(request), new={"failures": failures})
    if failures >= MAX_CODE_FAILURES:
        logout(request)
        messages.info(request, "Too many wrong codes. Sign in again with your password.")
        return redirect("login")
    form.add_error("code", "The code is not right. Enter the newest code from your authenticator app")
    return None


def _verified(request: HttpRequest, device: Any, action: str) -> HttpResponse:
    otp_login(request, device)
    request.session.cycle_key()  # a new session id once fully signed in
    request.session.pop(CODE_FAILURES, None)
    with transaction.atomic():
        audit_record(actor=request.user, action=action, obj=_user(request))
    return redirect(_safe_next(request))


@never_cache
@login_required
def otp_verify(request: HttpRequest) -> HttpResponseBase:
    user: Any = request.user
    if user.is_verified():
        return redirect(_safe_next(request))
    devices = confirmed_devices(user)
    if not devices:
        return redirect(f"{reverse('otp_setup')}?{urlencode({'next': _safe_next(request)})}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in devices:
            accepted = verify_token(user, device.persistent_id, form.cleaned_data["code"])
            if accepted is not None:
                return _verified(request, accepted, "auth.signed_in")
        ended = _code_failed(request, form)
        if ended is not None:
            return ended
    context = {"form": form, "next": _safe_next(request), "page_title": "Enter your code"}
    return render(request, "registration/otp_verify.html", context)


@never_cache
@login_required
def otp_setup(request: HttpRequest) -> HttpResponseBase:
    """First sign-in: set up an authenticator app, proved by entering one code from it."""
    user: Any = request.user
    if user.is_verified() or confirmed_devices(user):
        return redirect(f"{reverse('otp_verify')}?{urlencode({'next': _safe_next(request)})}")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            return _verified(request, device, "auth.second_factor_set_up")
        ended = _code_failed(request, form)
        if ended is not None:
            return ended
    qr_svg = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8).to_string(encoding="unicode")
    context = {
        "form": form,
        "next": _safe_next(request),
        "seed": seed_to_base32(device.key),
        # The SVG is drawn by the qrcode library from the device's own URL, not from user input.
        "qr_svg": mark_safe(qr_svg),  # noqa: S308
        "page_title": "Set up your authenticator app",
    }
    return render(request, "registration/otp_setup.html", context)

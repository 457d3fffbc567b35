"""CSRF, security headers, the Content-Security-Policy, and `check --deploy` with production settings."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.security.world import World, build_world
from vigil.cases.models import Report

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_a_post_without_the_csrf_token_is_refused_and_saves_nothing(officer: Any) -> None:
    world: World = build_world()
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user("officer"))
    before = Report.objects.count()
    response = client.post(
        reverse("report_new", args=[world.case.pk]), {"category": "stalking", "reported_at": "2025-03-02 02:10", "summary": "x"}
    )
    assert response.status_code == 403
    assert "The form has expired" in response.content.decode()
    assert Report.objects.count() == before


def test_sign_in_needs_the_csrf_token_too(officer: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.post(reverse("login"), {"username": "officer", "password": "x"}).status_code == 403


def test_pages_carry_a_strict_csp_and_security_headers(officer: Any) -> None:
    response = Client().get(reverse("login"))
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "no-store" in response["Cache-Control"]
    assert Client().get(reverse("healthz"))["Cache-Control"] == "no-store"


def test_no_template_has_an_inline_script_or_style() -> None:
    for template in (ROOT / "vigil").rglob("*.html"):
        text = template.read_text()
        for line in text.splitlines():
            stripped = line.strip()
            if "<script" in stripped:
                assert 'src="' in stripped, f"{template}: inline <script> breaks the CSP"
            assert " onclick=" not in stripped and " onload=" not in stripped, f"{template}: inline handler"
            assert "<style" not in stripped, f"{template}: inline <style> breaks the CSP"


def _deploy_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "VIGIL_", "DATABASE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="a-long-random-production-secret-key-for-the-deploy-check-0123456789",
        DJANGO_ALLOWED_HOSTS="vigil.example.police.uk",
        DATABASE_URL="postgres://vigil:secret@127.0.0.1:5432/vigil",
        VIGIL_FIELD_KEYS="prod1:cHJvZHVjdGlvbi1rZXktZm9yLWRlcGxveS1jaGVjayE=",
        VIGIL_AUDIT_KEY="an-audit-key-of-at-least-thirty-two-characters",
    )
    env.update(extra)
    return env


def test_check_deploy_is_clean_with_production_settings() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_deploy_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_the_development_field_key() -> None:
    from config.settings.base import _DEV_FIELD_KEY

    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=_deploy_env(VIGIL_FIELD_KEYS=_DEV_FIELD_KEY),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "VIGIL_FIELD_KEYS" in result.stderr


def _expire(client: Client) -> None:
    from vigil.core.middleware import SIGNED_IN_AT

    session = client.session
    session[SIGNED_IN_AT] = 0.0
    session.save()


def test_the_session_limit_signs_out_with_a_plain_notice_not_a_success_banner(otp_login: Any, officer: Any) -> None:
    client = otp_login(Client(), officer)
    _expire(client)
    response = client.get(reverse("home"), follow=True)
    body = response.content.decode()
    assert "signed out because your session reached its time limit" in body
    banner = body.split("govuk-notification-banner", 1)[1][:40]
    assert "--success" not in banner and ">Important</h2>" in body


def test_a_form_sent_after_the_session_limit_comes_back_to_its_page_not_the_form_address(otp_login: Any, officer: Any) -> None:
    from urllib.parse import parse_qs, urlsplit

    client = otp_login(Client(), officer)
    _expire(client)
    response = client.post("/actions/12/decline/", {"rationale": "x"})
    assert response.status_code == 302
    assert parse_qs(urlsplit(response["Location"]).query)["next"] == ["/actions/12/"]


def test_a_refusal_with_debug_off_is_a_page_of_the_service_with_a_way_back(otp_login: Any, outsider: Any) -> None:
    from django.test import override_settings

    world: World = build_world()
    with override_settings(DEBUG=False):
        response = otp_login(Client(), outsider).get(reverse("case_detail", args=[world.case.pk]))
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body and "govuk-frontend.min.css" in body and 'href="/"' in body


def test_the_server_error_page_renders_without_a_request() -> None:
    from django.template.loader import render_to_string

    body = render_to_string("500.html")
    assert "Sorry, there is a problem with the service" in body and "Sign out" not in body


def test_a_field_error_is_read_with_its_input() -> None:
    from django import forms
    from django.template.loader import render_to_string

    class Form(forms.Form):
        reason = forms.CharField(help_text="Say why", widget=forms.Textarea)

    form = Form(data={"reason": ""})
    assert not form.is_valid()
    body = render_to_string("includes/field.html", {"field": form["reason"]})
    assert 'aria-describedby="id_reason-hint id_reason-error"' in body
    assert body.count('id="id_reason-error"') == 1


def test_the_boards_background_refresh_does_not_renew_the_session(otp_login: Any, officer: Any) -> None:
    """An open board left alone must still reach the idle sign-out: its refresh leaves the
    session's expiry as it was, while a person's own request renews it."""
    from django.contrib.sessions.models import Session

    client = otp_login(Client(), officer)
    client.get(reverse("home"))
    key = client.cookies["sessionid"].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + dt.timedelta(minutes=5))
    refreshed = client.get(reverse("home"), HTTP_X_VIGIL_REFRESH="board")
    assert refreshed.status_code == 200 and "sessionid" not in refreshed.cookies
    left = Session.objects.get(session_key=key).expire_date
    assert left < timezone.now() + dt.timedelta(minutes=6)
    client.get(reverse("home"))
    assert Session.objects.get(session_key=key).expire_date > timezone.now() + dt.timedelta(minutes=25)

"""GOV.UK error messages: every form names the field that is wrong, in the page the user sees.

Django's own texts must never reach a page. The messages are checked where a user reads them:
in the error summary and beside the field of real pages."""

from __future__ import annotations

import datetime as dt
import html
import importlib
import pkgutil
import re
from typing import Any

import pytest
from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse

import vigil
from tests.actions.builders import make_case, reported
from tests.conftest import PASSWORD
from vigil.cases.models import Report
from vigil.core.constants import RiskLevel
from vigil.core.forms import GovukForm, GovukFormMixin

DJANGO_DEFAULTS = re.compile(
    r"This field is required|Ensure this value|Enter a valid|Enter a whole number|Enter a number"
    r"|Select a valid choice|Please enter a correct"
)


def _client(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _text(response: Any) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def _summary(response: Any) -> list[str]:
    """The messages in the page's GOV.UK error summary, in order."""
    body = response.content.decode()
    match = re.search(r'<ul class="govuk-list govuk-error-summary__list">(.*?)</ul>', body, re.S)
    assert match, "the page has no error summary"
    items = re.findall(r"<li>(.*?)</li>", match.group(1), re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", "", item)).split()) for item in items]


class OrderForm(GovukForm):
    error_names = {"granted_on": "the date the order was granted"}

    granted_on = forms.DateField(label="When was the order granted?")
    summary = forms.CharField(label="Summary", max_length=5000, required=False)
    radius = forms.IntegerField(label="Radius of the exclusion zone in metres", min_value=10, max_value=5000)
    distance = forms.FloatField(label="Distance (optional)", required=False)
    kind = forms.ChoiceField(label="Type of order", choices=[("", "Choose"), ("spo", "Stalking protection order")])
    pin = forms.CharField(label="PIN", min_length=6)
    confirmed = forms.BooleanField(label="the victim's consent")
    note = forms.CharField(label="Note", max_length=10, error_messages={"max_length": "Keep the note short"})


def test_each_default_message_becomes_a_govuk_message_that_names_the_field() -> None:
    data = {"granted_on": "31/02/2025", "summary": "x" * 5001, "radius": "5", "distance": "far", "kind": "dvpo", "pin": "12"}
    form = OrderForm(data)
    assert not form.is_valid()
    assert {name: list(errors) for name, errors in form.errors.items()} == {
        "granted_on": ["The date the order was granted must be a real date"],
        "summary": ["Summary must be 5,000 characters or fewer"],
        "radius": ["Radius of the exclusion zone in metres must be 10 or more"],
        "distance": ["Distance must be a number"],
        "kind": ["Choose type of order from the list"],
        "pin": ["PIN must be 6 characters or more"],
        "confirmed": ["Select the victim's consent"],
        "note": ["Enter note"],
    }
    empty = OrderForm({"radius": "9000", "note": "far too long a note"})
    assert not empty.is_valid()
    assert list(empty.errors["granted_on"]) == ["Enter the date the order was granted"]
    assert list(empty.errors["kind"]) == ["Select type of order"]
    assert list(empty.errors["radius"]) == ["Radius of the exclusion zone in metres must be 5,000 or less"]
    assert list(empty.errors["note"]) == ["Keep the note short"], "a message written for the field is kept"


def test_a_question_label_without_a_name_in_words_fails_loudly() -> None:
    class Unnamed(GovukForm):
        when = forms.DateField(label="When did it happen?")

    with pytest.raises(ImproperlyConfigured, match=r"Unnamed\.when.*error_names"):
        Unnamed({}).is_valid()


def _all_form_classes() -> list[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(vigil.__path__, "vigil."):
        # The locustfile is not Django code: locust runs it in its own process (importing locust
        # patches the standard library with gevent, which breaks the rest of the suite).
        if ".migrations" not in module.name and not module.name.endswith((".tests", ".locustfile")):
            importlib.import_module(module.name)
    found: list[type[forms.BaseForm]] = []
    pending: list[type] = [forms.BaseForm]
    while pending:
        klass = pending.pop()
        pending.extend(klass.__subclasses__())
        if klass.__module__.startswith("vigil."):
            found.append(klass)
    return found


def test_every_form_in_vigil_uses_the_govuk_messages_and_can_name_each_field() -> None:
    classes = _all_form_classes()
    assert len(classes) >= 15, [c.__name__ for c in classes]
    for klass in classes:
        assert issubclass(klass, GovukFormMixin), f"{klass.__module__}.{klass.__name__} must use vigil.core.forms.GovukForm"
        blank = klass.__new__(klass)
        for name, field in klass.base_fields.items():  # type: ignore[attr-defined]
            words = blank.error_name(name, field)  # raises when a question label has no name in words
            assert words and not words.endswith("?"), (klass.__name__, name, words)


# --- what real pages say -----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_sign_in_page_names_the_missing_field_and_a_wrong_password(officer: Any) -> None:
    response = Client().post(reverse("login"), {"username": "", "password": ""})
    assert _summary(response) == ["Enter your username", "Enter your password"]
    response = Client().post(reverse("login"), {"username": officer.username, "password": "not the password"})
    assert _summary(response) == ["The username or password is not right. Check both and try again"]
    assert not DJANGO_DEFAULTS.search(_text(response))


@pytest.mark.django_db
def test_the_report_form_names_each_wrong_field_and_saves_nothing(officer: Any) -> None:
    case = make_case(actor=officer, team=officer.team, risk=RiskLevel.STANDARD)
    response = _client(officer).post(
        reverse("report_new", args=[case.pk]),
        {"category": "not-a-category", "reported_at": "yesterday", "summary": "x" * 5001},
    )
    assert response.status_code in (200, 400)
    assert _summary(response) == [
        "Choose the kind of report from the list",
        "Enter the date and time as year-month-day hours:minutes, for example 2025-03-02 02:10",
        "What happened must be 5,000 characters or fewer",
    ]
    text = _text(response)
    assert "Error: What happened must be 5,000 characters or fewer" in text, "the message is also beside the field"
    assert not DJANGO_DEFAULTS.search(text)
    assert not Report.objects.filter(case=case).exists()


@pytest.mark.django_db
def test_an_overlong_decline_reason_is_named(officer: Any) -> None:
    case = make_case(actor=officer, team=officer.team)
    action = reported(case, actor=officer, ago=dt.timedelta(hours=1))[0]  # an action the policy made
    response = _client(officer).post(reverse("action_decline", args=[action.pk]), {"rationale": "Because " * 700})
    assert _summary(response) == ["The reason must be 5,000 characters or fewer"]
    assert not DJANGO_DEFAULTS.search(_text(response))


@pytest.mark.django_db
def test_reporting_access_names_a_number_out_of_range(officer: Any) -> None:
    case = make_case(actor=officer, team=officer.team, risk=RiskLevel.HIGH)
    response = _client(officer).post(
        reverse("portal_access", args=[case.pk]), {"reporter": str(case.victim_id), "method": "pin", "days": "0"}
    )
    assert "Days until it expires must be 1 or more" in _text(response)
    response = _client(officer).post(
        reverse("portal_access", args=[case.pk]), {"reporter": str(case.victim_id), "method": "pin", "days": "seven"}
    )
    text = _text(response)
    assert "Days until it expires must be a whole number" in text
    assert not DJANGO_DEFAULTS.search(text)


class ChoicesForm(GovukForm):
    error_names = {"channel": "how they made contact"}

    channel = forms.ChoiceField(
        label="How did they make contact?", choices=[("phone", "Phone"), ("text", "Text message")], widget=forms.RadioSelect
    )
    kinds = forms.MultipleChoiceField(
        label="Kinds of action", choices=[("a", "Arrest"), ("b", "Warn")], widget=forms.CheckboxSelectMultiple
    )
    consent = forms.BooleanField(label="The victim agreed", error_messages={"required": "Say whether the victim agreed"})


def test_the_field_include_draws_radios_and_checkboxes_that_the_summary_links_to() -> None:
    from django.template.loader import render_to_string

    form = ChoicesForm({"kinds": ["b"]})
    assert not form.is_valid()
    page = render_to_string("includes/error_summary.html", {"form": form}) + "".join(
        render_to_string("includes/field.html", {"field": form[name]}) for name in form.fields
    )
    anchors = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', page)
    assert anchors == [
        ("id_channel", "Select how they made contact"),
        ("id_consent", "Say whether the victim agreed"),
    ]
    for anchor, _ in anchors:
        assert f'id="{anchor}"' in page, f"the summary links to #{anchor}, which the page must have"
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">How did they make contact?</legend>' in page
    assert '<input class="govuk-checkboxes__input" id="id_kinds-2" name="kinds" type="checkbox" value="b" checked>' in page
    assert 'aria-describedby="id_channel-error"' in page

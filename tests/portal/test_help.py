"""The public help directory: seeded helplines, search without JavaScript, safe headers, no cookies."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, RequestFactory

from vigil.audit.models import AuditEvent
from vigil.portal.admin import HelplineAdmin
from vigil.portal.models import Helpline

# The portal's pages and records: the engine is not asked (live_bridge; *_e2e tests run it).
pytestmark = [pytest.mark.django_db, pytest.mark.policy_offline]


def test_help_lists_the_seeded_helplines_with_how_to_contact_them(helplines: None) -> None:
    body = Client().get("/help").content.decode()
    for text in (
        "999: police, in an emergency",
        "press 55",
        "National Domestic Abuse Helpline (run by Refuge)",
        'href="tel:08082000247"',
        "helpline@womensaid.org.uk",
        "Start a web chat",
        "Men&#x27;s Advice Line",
        "0808 8010 327",
        "National Stalking Helpline (run by Suzy Lamplugh Trust)",
        "0808 802 0300",
        "24 hours a day",
        "Check the service&#x27;s own website for current hours.",
    ):
        assert text in body, text


def test_search_narrows_the_list_and_says_when_nothing_matches(helplines: None) -> None:
    body = Client().get("/help", {"q": "stalking"}).content.decode()
    assert "National Stalking Helpline" in body
    assert "Men&#x27;s Advice Line" not in body
    assert "1 helpline found" in body
    body = Client().get("/help", {"q": "email"}).content.decode()
    assert "Women&#x27;s Aid" in body and "0808 802 0300" not in body
    body = Client().get("/help", {"q": "zzzz-nothing"}).content.decode()
    assert "No helplines match your search" in body


def test_inactive_entries_are_hidden(helplines: None) -> None:
    Helpline.objects.filter(name__startswith="Men").update(active=False)
    assert "Men&#x27;s Advice Line" not in Client().get("/help").content.decode()


def test_help_sets_no_cookie_and_sends_no_store_and_no_referrer(helplines: None) -> None:
    response = Client().get("/help")
    assert response.status_code == 200
    assert not response.cookies
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"


def test_every_portal_page_has_the_exit_this_page_link(helplines: None) -> None:
    for url in ("/help", "/report", "/report/link/not-a-real-token/"):
        body = Client().get(url).content.decode()
        assert 'class="govuk-button govuk-button--warning govuk-exit-this-page__button' in body, url
        assert 'href="/report/exit"' in body and 'data-portal-exit="https://www.bbc.co.uk/weather"' in body, url


def test_an_admin_edit_of_a_helpline_is_audited(helplines: None, admin_user: Any) -> None:
    helpline = Helpline.objects.get(name__startswith="Men")
    helpline.opening_hours = "Weekdays 9am to 5pm (invented for this test)"
    request = RequestFactory().post("/admin/")
    request.user = admin_user
    HelplineAdmin(Helpline, admin_site=None).save_model(request, helpline, form=None, change=True)  # type: ignore[arg-type]
    helpline.refresh_from_db()
    assert helpline.opening_hours.startswith("Weekdays 9am")
    event = AuditEvent.objects.filter(action="helpline.change", object_id=str(helpline.pk)).get()
    assert event.actor_id == admin_user.pk
    assert event.new["opening_hours"].startswith("Weekdays 9am")


def test_case_pages_show_the_directory_to_officers(helplines: None, world: Any, officer: Any, otp_login: Any) -> None:
    body = otp_login(Client(), officer).get(f"/cases/{world.case.pk}/").content.decode()
    assert "Helplines for the victim and family" in body
    assert "0808 2000 247" in body


@pytest.mark.parametrize("path", ["/help", "/report", "/report/link/not-a-real-token/"])
def test_public_page_titles_never_say_police(path: str) -> None:
    """A title stays in the browser's tabs and history, where someone else may read it."""
    body = Client().get(path).content.decode()
    title = body.split("<title>", 1)[1].split("</title>", 1)[0]
    assert title.strip() and "police" not in title.lower(), title


def test_a_search_is_sent_as_a_form_so_the_words_stay_out_of_the_address_and_history(helplines: None) -> None:
    client = Client()
    page = client.get("/help").content.decode()
    assert '<form method="post" action="/help" role="search"' in page
    response = client.post("/help", {"q": "stalking"})
    assert response.status_code == 200 and response.request["PATH_INFO"] == "/help" and not response.request["QUERY_STRING"]
    body = response.content.decode()
    assert "National Stalking Helpline" in body and "Men&#x27;s Advice Line" not in body
    assert not response.cookies

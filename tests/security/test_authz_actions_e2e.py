"""The action POSTs for the roles that may act: they run the services, which call the policy
bridge (vigil/actions/live.py), so this file waits on the bridge. The refusals (404) for
everyone else are in test_authz_matrix.py."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.security.world import build_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

ACTION_URLS = ["action_complete", "action_decline", "action_reassign", "action_signoff", "action_send_back"]


@pytest.mark.parametrize("name", ACTION_URLS)
@pytest.mark.parametrize("role", ["officer", "supervisor", "inspector", "superintendent"])
def test_police_roles_on_the_case_are_not_refused(name: str, role: str) -> None:
    world = build_world()
    client = Client()
    client.force_login(world.user(role))
    response = client.post(reverse(name, args=[world.action.pk]), {})
    # The form may be incomplete (200 or 400 with errors) or the step not open to this role
    # (a redirect with a message), but the action is theirs to see: never a 404 or a 500.
    assert response.status_code in (200, 302, 400), response.status_code

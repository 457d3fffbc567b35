"""The authorization matrix: every URL pattern × every role, with the status each must get.

Every URL pattern the resolver knows must have an entry in MATRIX (or belong to a family in
FAMILIES, such as the admin site). A new URL without an entry fails
`test_every_url_pattern_has_an_entry`.

How to add an entry (key: the URL name, with its namespace if any, e.g. "action_detail"):

    "report_new": Entry(
        args=("case",),                                   # reverse() args: World attribute names (their .pk)
                                                          # or literals (ints, strings) used as they are
        get=codes(200, anonymous=302, analyst=404, ...),  # status for GET, per role; `codes(default, **overrides)`
        post=codes(...),                                  # optional: status for POST with `data`
        data={"field": "value"},                          # optional POST data
    ),

Roles (see tests/security/world.py): anonymous, unverified (password passed, no TOTP code yet),
officer (allocated, the case's team), supervisor (same team), inspector (same area),
superintendent, idva (named, referred with consent), analyst, admin, outsider (another area).
`unverified` defaults to the anonymous value. A cell of None means "not checked here" (say
where it is checked). Ready-made rows: CASE_READ, CASE_WRITE, SIGNED_IN_PAGE, POST_ONLY.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from tests.conftest import PASSWORD
from tests.security.world import ROLES, World, build_world

pytestmark = pytest.mark.django_db


def codes(default: int | None, **per_role: int | None) -> dict[str, int | None]:
    unknown = set(per_role) - set(ROLES)
    assert not unknown, f"unknown roles in matrix entry: {unknown}"
    row = {role: per_role.get(role, default) for role in ROLES}
    row["unverified"] = per_role.get("unverified", row["anonymous"])
    return row


@dataclass(frozen=True)
class Entry:
    args: tuple[str | int, ...] = ()
    get: dict[str, int | None] | None = None
    post: dict[str, int | None] | None = None
    data: dict[str, str] = field(default_factory=dict)
    fresh: bool = False  # a new signed-in client for each request (for URLs that end the session)
    # More reverse() args for the content check only (test_authz_content.py), e.g. the PDF
    # beside the CSV. Args naming `case` are also tried with the marked world's other cases.
    also: tuple[tuple[str | int, ...], ...] = ()


# Who may read the world's case, and who may write to it.
CASE_READ = codes(200, anonymous=302, analyst=404, outsider=404, coordinator=404, partner=404)
CASE_WRITE = codes(200, anonymous=302, analyst=404, outsider=404, idva=404, admin=404, coordinator=404, partner=404)
SIGNED_IN_PAGE = codes(200, anonymous=302)
POST_ONLY = codes(405, anonymous=302)
# POSTs to action pages: the roles that may act run the service, which needs the policy bridge,
# so their cells are None here ("not checked in this file") and are checked in
# test_authz_actions_e2e.py. Everyone else must get a 404 before any service runs.
ACTION_POST = codes(None, anonymous=302, idva=404, analyst=404, admin=404, outsider=404, coordinator=404, partner=404)
# A list a role does not use says so (403, vigil.core.roles) rather than showing an empty list.
NOT_FOR_ROLE = 403
# Who reads the world's MARAC referral: the police who see its case, the coordinator, and the
# housing officer whose agency attends the meeting (its agenda is circulated); not the IDVA,
# whose service does not attend.
MARAC_READ = codes(200, anonymous=302, idva=404, analyst=404, outsider=404)
COORDINATOR_POST = codes(404, anonymous=302, coordinator=302)

MATRIX: dict[str, Entry] = {
    # vigil.core
    "home": Entry(get=codes(200, anonymous=302, analyst=302, idva=302, coordinator=302, partner=302)),
    "login": Entry(get=codes(200)),
    "logout": Entry(get=codes(405), post=codes(302), fresh=True),
    "otp_verify": Entry(get=codes(302, anonymous=302, unverified=200)),
    "otp_setup": Entry(get=codes(302, anonymous=302, unverified=302)),
    "healthz": Entry(get=codes(200)),
    "place_reveal": Entry(args=("case", "place"), get=codes(404, anonymous=302, officer=200)),
    "analyst_cases": Entry(get=codes(NOT_FOR_ROLE, anonymous=302, analyst=200, superintendent=200, admin=200)),
    # vigil.cases
    "case_list": Entry(get=codes(200, anonymous=302, analyst=NOT_FOR_ROLE, coordinator=NOT_FOR_ROLE, partner=NOT_FOR_ROLE)),
    "case_detail": Entry(args=("case",), get=CASE_READ),
    "report_new": Entry(args=("case",), get=CASE_WRITE, post=CASE_WRITE),
    # vigil.intake: opening a case and recording facts are for the roles that may change cases.
    # A draft belongs to the officer who started it (tests/intake/test_journey.py): 999999 is none.
    "intake_start": Entry(get=codes(200, anonymous=302, analyst=404, idva=404, admin=404, coordinator=404, partner=404)),
    "intake_victim": Entry(args=(999999,), get=codes(404, anonymous=302)),
    "intake_suspect": Entry(args=(999999,), get=codes(404, anonymous=302)),
    "intake_household": Entry(args=(999999,), get=codes(404, anonymous=302)),
    "intake_report": Entry(args=(999999,), get=codes(404, anonymous=302)),
    "intake_check": Entry(args=(999999,), get=codes(404, anonymous=302)),
    "person_suggest": Entry(
        get=POST_ONLY,
        post=codes(200, anonymous=302, analyst=404, idva=404, admin=404, coordinator=404, partner=404),
        data={"prefix": "person", "person-full_name": "Nobody Known"},
    ),
    "fact_menu": Entry(args=("case",), get=CASE_WRITE),
    "fact_record": Entry(args=("case", "arrest"), get=CASE_WRITE),
    # vigil.gazetteer: public reference data, but only for signed-in staff.
    "gazetteer_postcode": Entry(get=POST_ONLY, post=codes(404, anonymous=302), data={"postcode": "VG9 9ZZ"}),
    # vigil.people: a person is seen by those who see a case they (or a linked record) are on;
    # identity links are reviewed by police roles, split and re-linked by a sergeant and above.
    # The world has no link: a police role gets past the role check to the 404 of a missing
    # link; the decisions themselves are tested in tests/people/test_link_review.py.
    "person_detail": Entry(args=("subject",), get=CASE_READ),
    "person_link_queue": Entry(
        get=codes(
            200,
            anonymous=302,
            idva=NOT_FOR_ROLE,
            analyst=NOT_FOR_ROLE,
            admin=NOT_FOR_ROLE,
            coordinator=NOT_FOR_ROLE,
            partner=NOT_FOR_ROLE,
        )
    ),
    "person_link_detail": Entry(args=(999999,), get=codes(404, anonymous=302)),
    "person_link_confirm": Entry(args=(999999,), get=POST_ONLY, post=codes(404, anonymous=302), data={"rationale": "x"}),
    "person_link_reject": Entry(args=(999999,), get=POST_ONLY, post=codes(404, anonymous=302), data={"rationale": "x"}),
    "person_link_split": Entry(args=(999999,), get=POST_ONLY, post=codes(404, anonymous=302), data={"rationale": "x"}),
    "person_link_relink": Entry(args=(999999,), get=POST_ONLY, post=codes(404, anonymous=302), data={"rationale": "x"}),
    # vigil.actions
    "action_board": Entry(
        get=codes(200, anonymous=302, idva=NOT_FOR_ROLE, analyst=NOT_FOR_ROLE, coordinator=NOT_FOR_ROLE, partner=NOT_FOR_ROLE)
    ),
    "action_detail": Entry(args=("action",), get=CASE_READ),
    "action_complete": Entry(args=("action",), get=POST_ONLY, post=ACTION_POST),
    "action_decline": Entry(args=("action",), get=POST_ONLY, post=ACTION_POST),
    "action_reassign": Entry(args=("action",), get=POST_ONLY, post=ACTION_POST),
    "action_signoff": Entry(args=("action",), get=POST_ONLY, post=ACTION_POST),
    "action_send_back": Entry(args=("action",), get=POST_ONLY, post=ACTION_POST),
    # Exports are for police roles only (vigil.audit.chronology.may_export).
    "chronology_export": Entry(
        args=("case", "csv"),
        get=codes(200, anonymous=302, analyst=404, outsider=404, idva=404, admin=404, coordinator=404, partner=404),
        also=(("case", "pdf"),),
    ),
    # vigil.warrants
    "warrant_board": Entry(
        get=codes(200, anonymous=302, idva=NOT_FOR_ROLE, analyst=NOT_FOR_ROLE, coordinator=NOT_FOR_ROLE, partner=NOT_FOR_ROLE)
    ),
    # vigil.risk
    "risk_assessment_start": Entry(args=("case",), get=CASE_WRITE),
    "risk_assessment_check": Entry(args=("case", 999999), get=codes(404, anonymous=302)),
    "risk_assessment_section": Entry(args=("case", 999999, "about"), get=codes(404, anonymous=302)),
    # vigil.portal
    "portal_help": Entry(get=codes(200, unverified=302)),
    "portal_report_start": Entry(get=codes(200, unverified=302)),
    "portal_report_link": Entry(args=("no-such-token",), get=codes(404, unverified=302)),
    "portal_report_form": Entry(get=codes(302)),
    "portal_report_sent": Entry(get=codes(302)),
    "portal_report_finish": Entry(get=codes(405, unverified=302)),
    "portal_exit": Entry(get=codes(302), post=codes(204, unverified=302), fresh=True),
    "portal_access": Entry(args=("case",), get=CASE_WRITE),
    "portal_access_withdraw": Entry(args=("case", 999999), get=codes(404, anonymous=302)),
    "portal_submissions": Entry(
        get=codes(200, anonymous=302, idva=NOT_FOR_ROLE, analyst=NOT_FOR_ROLE, coordinator=NOT_FOR_ROLE, partner=NOT_FOR_ROLE)
    ),
    "portal_submission_retry": Entry(args=(999999,), get=POST_ONLY, post=codes(404, anonymous=302)),
    # vigil.disclosure (Clare's Law): requests live on cases; decisions are tested in tests/disclosure.
    "disclosure_list": Entry(get=codes(200, anonymous=302, analyst=NOT_FOR_ROLE, coordinator=NOT_FOR_ROLE, partner=NOT_FOR_ROLE)),
    "disclosure_new": Entry(get=codes(200, anonymous=302, idva=404, analyst=404, admin=404, coordinator=404, partner=404)),
    "disclosure_case_new": Entry(args=("case",), get=CASE_WRITE),
    "disclosure_detail": Entry(args=("disclosure",), get=CASE_READ),
    "disclosure_decide": Entry(
        args=("disclosure",),
        get=POST_ONLY,
        post=codes(400, anonymous=302, idva=404, analyst=404, admin=404, outsider=404, coordinator=404, partner=404),
    ),
    "disclosure_meeting": Entry(
        args=("disclosure",),
        get=POST_ONLY,
        post=codes(400, anonymous=302, idva=404, analyst=404, admin=404, outsider=404, coordinator=404, partner=404),
    ),
    # vigil.marac: see MARAC_READ; the coordinator runs meetings; research is for an attending
    # agency's members; the flows are tested in tests/marac.
    "marac_meetings": Entry(get=codes(200, anonymous=302, analyst=NOT_FOR_ROLE)),
    "marac_my_actions": Entry(get=codes(NOT_FOR_ROLE, anonymous=302, coordinator=200, partner=200)),
    "marac_meeting_new": Entry(get=codes(404, anonymous=302, coordinator=200)),
    "marac_meeting": Entry(args=("meeting",), get=codes(200, anonymous=302, idva=404, analyst=404, outsider=404)),
    "marac_circulate": Entry(args=("meeting",), get=POST_ONLY, post=COORDINATOR_POST),
    "marac_refer": Entry(args=("case",), get=CASE_WRITE),
    "marac_referral": Entry(args=("referral",), get=MARAC_READ),
    "marac_minutes": Entry(args=("referral",), get=MARAC_READ),
    "marac_research": Entry(
        args=("referral",),
        get=POST_ONLY,
        post=codes(400, anonymous=302, idva=404, analyst=404, outsider=404, partner=302),
        data={"text": "Tenancy records checked."},
    ),
    "marac_discussion": Entry(args=("referral",), get=POST_ONLY, post=COORDINATOR_POST, data={"text": "Discussed."}),
    "marac_plan": Entry(args=("referral",), get=POST_ONLY, post=codes(404, anonymous=302, coordinator=400)),
    "marac_plan_action": Entry(args=("plan_action",), get=MARAC_READ),
    "marac_plan_close": Entry(args=("plan_action",), get=POST_ONLY, post=codes(404, anonymous=302, coordinator=400, partner=400)),
    # vigil.api: machine clients sign in with a bearer token, never a session, so every role
    # here gets the API's 401 (its scopes are tested in tests/api); the contract is public and
    # its browsable docs are for signed-in staff.
    # (A browser session half signed in is sent to the code page first, as everywhere.)
    "api-v1:api-root": Entry(get=codes(404, unverified=302)),
    "api-v1:openapi-json": Entry(get=codes(200, unverified=302)),
    "api-v1:openapi-view": Entry(get=codes(200, anonymous=302, unverified=302)),
    "api-v1:post_events": Entry(get=codes(405, unverified=302), post=codes(401, unverified=302)),
    "api-v1:post_activations": Entry(get=codes(405, unverified=302), post=codes(401, unverified=302)),
    "api-v1:post_fixes": Entry(get=codes(405, unverified=302), post=codes(401, unverified=302)),
    "api-v1:teams": Entry(get=codes(401, unverified=302)),
    "api-v1:case_actions": Entry(args=("VG-000000",), get=codes(401, unverified=302)),
    "api-v1:team_actions": Entry(args=(1,), get=codes(401, unverified=302)),
    # vigil.deadlines: the calendar page is for police roles; a feed's address is its own key.
    "calendar_settings": Entry(
        get=codes(200, anonymous=302, idva=404, analyst=404, admin=404, coordinator=404, partner=404),
        post=codes(302, anonymous=302, idva=404, analyst=404, admin=404, coordinator=404, partner=404),
        data={"do": "stop"},
    ),
    "calendar_feed": Entry(args=("no-such-token",), get=codes(404, unverified=302)),
    # vigil.notifications and vigil.schools (Operation Encompass): the acknowledgement link is
    # public and single-use (tests/schools); finding a child's school is work on a notify_school action.
    "notification_preferences": Entry(get=SIGNED_IN_PAGE),
    "encompass_ack": Entry(args=("no-such-token",), get=codes(404, unverified=302)),
    "encompass_school": Entry(args=("school_action",), get=CASE_WRITE),
    "encompass_resend": Entry(args=("school_action",), get=POST_ONLY, post=codes(404, anonymous=302)),
    # vigil.idva: the caseload is the IDVA's list; a referral is read and written only by the
    # adviser it names while it is open (the police see it on the case page); the police refer.
    "idva_caseload": Entry(get=codes(NOT_FOR_ROLE, anonymous=302, idva=200)),
    "idva_referral": Entry(args=("idva_referral",), get=codes(404, anonymous=302, idva=200)),
    "idva_casework": Entry(args=("idva_referral",), get=POST_ONLY, post=codes(404, anonymous=302, idva=400)),
    "idva_concern": Entry(args=("idva_referral",), get=POST_ONLY, post=codes(404, anonymous=302, idva=400)),
    "idva_end": Entry(args=("idva_referral",), get=POST_ONLY, post=codes(404, anonymous=302, idva=400)),
    "idva_refer": Entry(
        args=("case",),
        get=CASE_WRITE,
        post=codes(400, anonymous=302, analyst=404, outsider=404, idva=404, admin=404, coordinator=404, partner=404),
    ),
}


def admin_family(name: str, role: str, status: int) -> str | None:
    """The admin site: only the admin role gets in; everyone else is sent to the admin sign-in
    (which, for a signed-in non-staff user, says they may not use it)."""
    if role == "admin":
        return None if status < 500 else "the admin got a server error"
    if name == "admin:login":
        return None if status in (200, 302) else f"expected 200 or 302, got {status}"
    if name == "admin:logout":
        return None if status in (302, 405) else f"expected 302 or 405, got {status}"
    return None if status == 302 else f"expected 302 (to the admin sign-in), got {status}"


FAMILIES = {"admin:": admin_family}


def url_patterns() -> Iterator[tuple[str, str]]:
    """(key, full route) for every pattern: the key is the namespaced URL name, or for an
    unnamed pattern its namespace and full route (e.g. "admin:admin/people/place/<path:object_id>/")."""

    def walk(patterns: list[Any], namespace: str, prefix: str) -> Iterator[tuple[str, str]]:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, inner, route)
            else:
                yield (f"{namespace}{pattern.name}" if pattern.name else f"{namespace}{route}"), route

    yield from walk(get_resolver().url_patterns, "", "")


def _family(name: str) -> Any:
    return next((rule for prefix, rule in FAMILIES.items() if name.startswith(prefix)), None)


def test_every_url_pattern_has_an_entry() -> None:
    names = [name for name, _ in url_patterns()]
    missing = sorted(name for name in names if name not in MATRIX and _family(name) is None)
    assert not missing, f"URL patterns without an authorization matrix entry (add them to MATRIX): {missing}"
    stale = sorted(set(MATRIX) - set(names))
    assert not stale, f"matrix entries for URLs that no longer exist: {stale}"


@pytest.fixture
def world() -> World:
    return build_world()


def _client(world: World, role: str) -> Client:
    client = Client()
    if role == "anonymous":
        return client
    if role == "unverified":
        # A real sign-in through the login page: the password is right, no code yet.
        user = world.user("officer")
        from vigil.core.otp import ensure_demo_totp

        ensure_demo_totp(user)
        response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
        assert response.status_code == 302 and "/login/code/" in response["Location"]
        return client
    client.force_login(world.user(role))  # passes the second factor under config.settings.test
    return client


def _url(world: World, name: str, entry: Entry) -> str:
    args = [getattr(world, a).pk if isinstance(a, str) and hasattr(world, a) else a for a in entry.args]
    return reverse(name, args=args)


def test_the_matrix(world: World) -> None:
    """One test for the whole matrix so the world is built once; every failing cell is listed."""
    clients = {role: _client(world, role) for role in ROLES}
    failures: list[str] = []
    for name, route in url_patterns():
        rule = _family(name)
        if rule is not None:
            url = _fill(route)
            for role in ROLES:
                status = clients[role].get(url).status_code
                problem = rule(name, role, status)
                if problem:
                    failures.append(f"GET {url} as {role}: {problem}")
            continue
        entry = MATRIX[name]
        url = _url(world, name, entry)
        for method, expected in (("GET", entry.get), ("POST", entry.post)):
            if expected is None:
                continue
            for role in ROLES:
                if expected[role] is None:
                    continue
                client = _client(world, role) if entry.fresh else clients[role]
                response = client.get(url) if method == "GET" else client.post(url, entry.data)
                if response.status_code != expected[role]:
                    failures.append(f"{method} {url} ({name}) as {role}: expected {expected[role]}, got {response.status_code}")
    assert not failures, "authorization matrix failures:\n" + "\n".join(failures)


FILLERS = {"object_id": "999999", "content_type_id": "1", "app_label": "core", "url": "missing/"}


def _fill(route: str) -> str:
    """A concrete URL for a family's route, its parameters filled with harmless values."""
    route = route.replace("^", "").replace("$", "")
    route = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: FILLERS.get(m.group(1), "1"), route)
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: FILLERS.get(m.group(1), "1"), route)
    return "/" + route


def test_the_table_is_complete_for_every_role() -> None:
    for name, entry in MATRIX.items():
        for expected in (entry.get, entry.post):
            if expected is not None:
                assert set(expected) == set(ROLES), name
        assert entry.get is not None or entry.post is not None, f"{name}: give get= or post="

"""Which lists each role uses, and the page that says so to someone who opens another.

A list a role may not use (the analyst on the warrant board, an adviser on the portal queue)
would otherwise show an empty table, which reads as "nothing to do" rather than "not for you".
`for_roles` answers such a visit with a 403 page that says what the role can use instead, with
links. Single records keep the 404 of `vigil.core.access`: whether a case exists is not said.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from vigil.core.constants import Role

POLICE = frozenset({Role.OFFICER, Role.SUPERVISOR, Role.INSPECTOR, Role.SUPERINTENDENT})
# Partner agencies at MARAC (vigil/marac), and the coordinator who runs it.
AGENCIES = frozenset({Role.CHILDRENS_SERVICES, Role.HEALTH, Role.HOUSING, Role.PROBATION})
MARAC_PEOPLE = POLICE | AGENCIES | {Role.ADMIN, Role.IDVA, Role.MARAC_COORDINATOR}


@dataclass(frozen=True)
class Page:
    name: str  # URL name
    title: str
    roles: frozenset[str]
    what: str  # what it is, in one line
    nav: str = ""  # its label in the navigation, when not its title


# The lists (the navigation's pages), and who uses each.
PAGES = {
    page.name: page
    for page in (
        Page("home", "Action board", POLICE | {Role.ADMIN}, "the actions you, your team or your area must do next"),
        Page("idva_caseload", "Your caseload", frozenset({Role.IDVA}), "the victims referred to you with their consent"),
        Page("case_list", "Cases", POLICE | {Role.ADMIN, Role.IDVA}, "the cases you may see, with their risk and open actions"),
        Page(
            "warrant_board",
            "Warrant board",
            POLICE | {Role.ADMIN},
            "outstanding warrants for subjects linked to a victim",
            "Warrants",
        ),
        Page(
            "disclosure_list",
            "Clare's Law",
            POLICE | {Role.ADMIN, Role.IDVA},
            "requests under the Domestic Violence Disclosure Scheme and their decisions",
        ),
        Page("person_link_queue", "Possible matches", POLICE, "person records that may be the same person, to confirm or reject"),
        Page(
            "portal_submissions", "Portal reports", POLICE | {Role.ADMIN}, "what victims and families reported through the portal"
        ),
        Page(
            "marac_my_actions",
            "Your MARAC actions",
            AGENCIES | {Role.MARAC_COORDINATOR},
            "actions from MARAC action plans that are yours, or that reached you past their deadline",
            "Your actions",
        ),
        Page("marac_meetings", "MARAC", MARAC_PEOPLE, "MARAC meetings per area, their agendas and the cases on them"),
        Page(
            "analyst_cases",
            "Cases (pseudonymised)",
            frozenset({Role.ANALYST, Role.SUPERINTENDENT, Role.ADMIN}),
            "every unrestricted case without names, addresses or free text, for analysis",
        ),
    )
}

# What each role is for, said on the page a role may not use.
ROLE_WORDS: dict[str, str] = {
    Role.IDVA: (
        "As an independent domestic violence adviser you see the cases referred to you with the victim's consent, "
        "on which you are named. Police work on those cases (their actions, warrants, matching person records and "
        "the portal queue) is done by officers, and you see it on each case's page."
    ),
    Role.ANALYST: (
        "As an analyst you see every unrestricted case without names, addresses or free text, to study patterns "
        "across the force. Named records and the work on them are for officers and advisers with a need to know."
    ),
    Role.ADMIN: "As an administrator you manage users, teams and areas in the admin site.",
    Role.MARAC_COORDINATOR: (
        "As the MARAC coordinator you run the meetings: their agendas, the minutes and the action plans. "
        "Police records are for officers; you see each referred case's MARAC page."
    ),
    **{
        role: (
            "As a member of a partner agency you see the cases on the agendas of the MARAC meetings your agency "
            "attends, from the agenda's circulation until a few weeks after the meeting, and the actions agreed "
            "for you. Police records are for officers."
        )
        for role in AGENCIES
    },
}


def pages_for(user: Any) -> list[Page]:
    role = getattr(user, "role", "")
    return [page for page in PAGES.values() if role in page.roles]


def navigation_pages(user: Any) -> list[Page]:
    """The lists in this person's navigation: those their role uses (the pseudonymised list
    only for a role that has no named one)."""
    pages = pages_for(user)
    if any(page.name == "case_list" for page in pages):
        pages = [page for page in pages if page.name != "analyst_cases"]
    return pages


def landing_url(user: Any) -> str:
    """Where this person starts: the first list their role uses."""
    pages = pages_for(user)
    return reverse(pages[0].name) if pages else reverse("case_list")


def not_for_role(request: HttpRequest, page: Page) -> HttpResponse:
    user: Any = request.user
    context = {
        "page": page,
        "role_name": user.get_role_display() if hasattr(user, "get_role_display") else "",
        "role_words": ROLE_WORDS.get(str(getattr(user, "role", "")), ""),
        "usable": [(p, reverse(p.name)) for p in pages_for(user)],
        "page_title": f"{page.title} is not part of your role",
    }
    return render(request, "core/not_for_your_role.html", context, status=403)


def for_roles(name: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A list view used only by the roles `PAGES[name]` names; anyone else signed in is told
    so (403) with the lists they can use. Put it under `login_required`."""
    page = PAGES[name]

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if getattr(request.user, "role", "") not in page.roles:
                return not_for_role(request, page)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate

"""Who may see a case, and the people and places seen through it: every page, export, admin
page and command loads these records through here (the base, roles and the generic admin
scoping are in `vigil.core.access`).

Anyone without access gets a 404, never a 403, so that a restricted case's existence does
not leak. Reads of personal records are audited by the `get_*` helpers; the `*_for_user`
querysets are for lists and do not audit.

Scopes (need to know):
- officer and supervisor: their team's cases; inspector: their area's; superintendent and
  admin: the force's;
- partner-agency adviser (IDVA): only cases referred to them with the victim's recorded
  consent, while that referral is open (`vigil.idva.access` registers that scope: consent
  withdrawn or support finished ends it, and the adviser no longer sees the case);
- analyst: no identifiable case at all (see `pseudonymised_cases`);
- restricted cases (marked sensitive, or the victim or subject is police staff): only the
  people named on the case (CaseAccess), whatever their role;
- protected addresses: only staff allocated to the case, one audited reveal at a time
  (`place_display`, `reveal_protected_address`).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db import models, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.urls import reverse

from vigil.audit.services import audit_record
from vigil.cases.models import Case, CaseAccess, Report
from vigil.core.access import (
    CASE,
    IDENTIFIABLE_ROLES,
    PERSON,
    PLACE,
    PSEUDONYMISED_ROLES,
    Scope,
    is_active_user,
    may_write,
    pk_or_404,
    register_scope,
)
from vigil.core.constants import ActionStatus, LinkStatus, Role
from vigil.people.models import PROTECTED_TEXT, Person, PersonLink, Place

# The cases a partner role sees, given by the app that knows its referrals (`vigil.idva.access`
# registers the IDVA's): a condition on Case, on top of being named on the case.
M = TypeVar("M", bound=models.Model)

PartnerCases = Callable[[Any], Q]
_PARTNER_CASES: dict[str, PartnerCases] = {}


def register_partner_cases(role: str, cases: PartnerCases) -> None:
    _PARTNER_CASES[role] = cases


def _named(user: Any) -> Exists:
    return Exists(CaseAccess.objects.filter(case=OuterRef("pk"), user_id=user.pk))


def restricted_q(prefix: str = "") -> Q:
    """Cases only named people may see: marked sensitive, or police staff involved."""
    return (
        Q(**{f"{prefix}sensitive": True})
        | Q(**{f"{prefix}victim__is_police_staff": True})
        | Q(**{f"{prefix}subject__is_police_staff": True})
    )


def cases_for_user(user: Any) -> QuerySet[Case]:
    """The cases this person may see by need to know: their team, their area, or the force,
    and, for restricted cases and partner-agency advisers, only where they are named."""
    if not is_active_user(user):
        return Case.objects.none()
    role = user.role
    qs = Case.objects.all()
    named = _named(user)
    if role == Role.IDVA:
        # KeyError if the idva app has not registered its scope: fail closed, never by team.
        return qs.filter(named, _PARTNER_CASES[role](user))
    if role not in IDENTIFIABLE_ROLES:
        return qs.none()
    if role in (Role.SUPERINTENDENT, Role.ADMIN):
        scope = Q()
    elif role == Role.INSPECTOR:
        scope = Q(team__area_id=user.team.area_id) if user.team_id else Q(pk__in=[])
    else:
        scope = Q(team_id=user.team_id) if user.team_id else Q(pk__in=[])
    return qs.filter((scope & ~restricted_q()) | Q(named))


def audit_view(user: Any, action: str, obj: models.Model, case_id: int | None = None) -> None:
    with transaction.atomic():
        audit_record(actor=user, action=action, obj=obj, case_id=case_id)


def load_for_user(user: Any, rows: QuerySet[M], pk: int | str, what: str, *, write: bool, audit: bool) -> M:
    """The row `pk` of `rows` (a `*_for_user` queryset), or a 404 naming `what`: also for a bad
    id, and for `write=True` when the user's role may not write. `audit=True` records that a
    page showed it (`<what>.view`; a case's row names the case)."""
    row_pk = pk_or_404(pk, what)
    if write and not may_write(user):
        raise Http404(f"No such {what}")
    row = rows.filter(pk=row_pk).first()
    if row is None:
        raise Http404(f"No such {what}")
    if audit:
        audit_view(user, f"{what}.view", row, row.pk if isinstance(row, Case) else None)
    return row


def _load(user: Any, pk: int | str, *, write: bool, audit: bool) -> Case:
    return load_for_user(
        user, cases_for_user(user).select_related("victim", "subject", "team"), pk, "case", write=write, audit=audit
    )


def get_case_for_user(user: Any, pk: int | str, *, audit: bool = True) -> Case:
    return _load(user, pk, write=False, audit=audit)


def get_rw_case_for_user(user: Any, pk: int | str, *, audit: bool = False) -> Case:
    """A case the user may write to. `audit=True` for a page that shows the case (a form's
    first view); a write is audited by its service."""
    return _load(user, pk, write=True, audit=audit)


def is_allocated(user: Any, case: Case) -> bool:
    return CaseAccess.objects.filter(case=case, user_id=user.pk, allocated=True).exists()


# --- people ---------------------------------------------------------------------------


def persons_for_user(user: Any) -> QuerySet[Person]:
    """The victims and subjects of visible cases, and records linked to them (a link says
    they are the same human, so the same need to know applies)."""
    if not is_active_user(user):
        return Person.objects.none()
    cases = cases_for_user(user)
    on_case = Q(Exists(cases.filter(victim_id=OuterRef("pk")))) | Q(Exists(cases.filter(subject_id=OuterRef("pk"))))
    participants = Person.objects.filter(on_case)
    active = (LinkStatus.AUTO, LinkStatus.CONFIRMED)
    linked = Exists(PersonLink.objects.filter(a_id=OuterRef("pk"), status__in=active, b__in=participants)) | Exists(
        PersonLink.objects.filter(b_id=OuterRef("pk"), status__in=active, a__in=participants)
    )
    return Person.objects.filter(on_case | Q(linked))


def _get_person(user: Any, pk: int | str, *, write: bool, audit: bool) -> Person:
    return load_for_user(user, persons_for_user(user), pk, "person", write=write, audit=audit)


def get_person_for_user(user: Any, pk: int | str, *, audit: bool = True) -> Person:
    return _get_person(user, pk, write=False, audit=audit)


def get_rw_person_for_user(user: Any, pk: int | str) -> Person:
    return _get_person(user, pk, write=True, audit=False)


# --- places and protected addresses ----------------------------------------------------


def places_for_user(user: Any) -> QuerySet[Place]:
    """Homes and regular places of visible people, and places of reports on visible cases.
    A protected place is listed, but its address is shown only through `place_display`."""
    if not is_active_user(user):
        return Place.objects.none()
    people = persons_for_user(user)
    reports = Report.objects.filter(case__in=cases_for_user(user), place_id=OuterRef("pk"))
    return Place.objects.filter(Q(Exists(people.filter(home_id=OuterRef("pk")))) | Q(person__in=people) | Q(Exists(reports)))


def _get_place(user: Any, pk: int | str, *, write: bool, audit: bool) -> Place:
    return load_for_user(user, places_for_user(user), pk, "place", write=write, audit=audit)


def get_place_for_user(user: Any, pk: int | str, *, audit: bool = True) -> Place:
    """The place record. Its address may be protected: show it with `place_display`."""
    return _get_place(user, pk, write=False, audit=audit)


def get_rw_place_for_user(user: Any, pk: int | str) -> Place:
    return _get_place(user, pk, write=True, audit=False)


def case_places(case: Case) -> QuerySet[Place]:
    """The places that belong to a case: the pair's homes and regular places, and report places."""
    people = [pid for pid in (case.victim_id, case.subject_id) if pid]
    reports = Report.objects.filter(case=case, place_id=OuterRef("pk"))
    return Place.objects.filter(Q(residents__in=people) | Q(person_id__in=people) | Q(Exists(reports))).distinct()


@dataclass(frozen=True)
class PlaceDisplay:
    """What a page may show of a place. `text` is never a protected address."""

    text: str
    protected: bool
    can_reveal: bool
    reveal_url: str = ""
    lat: float | None = None
    lon: float | None = None


def may_reveal(user: Any, case: Case) -> bool:
    return is_active_user(user) and may_write(user) and is_allocated(user, case)


def place_display(user: Any, case: Case, place: Place | None) -> PlaceDisplay:
    """How to show a place on a case's pages. A protected address is never in the result:
    staff allocated to the case get a link to the audited reveal page; everyone else sees
    only that it is protected. Coordinates of a protected place are withheld too."""
    if place is None:
        return PlaceDisplay(text="Not recorded", protected=False, can_reveal=False)
    if not place.protected:
        return PlaceDisplay(text=place.address, protected=False, can_reveal=False, lat=place.lat, lon=place.lon)
    if may_reveal(user, case):
        url = reverse("place_reveal", args=[case.pk, place.pk])
        return PlaceDisplay(text=PROTECTED_TEXT, protected=True, can_reveal=True, reveal_url=url)
    return PlaceDisplay(text=PROTECTED_TEXT, protected=True, can_reveal=False)


def reveal_protected_address(user: Any, case_pk: int | str, place_pk: int | str) -> tuple[Case, Place]:
    """The one way to read a protected address: allocated staff only, and every reveal is
    written to the audit trail (inside the same transaction as the read)."""
    case = get_case_for_user(user, case_pk, audit=False)
    place = case_places(case).filter(pk=pk_or_404(place_pk, "place")).first()
    if place is None or not may_reveal(user, case):
        raise Http404("No such place")
    with transaction.atomic():
        audit_record(actor=user, action="place.reveal", obj=place, case_id=case.pk, new={"protected": place.protected})
    return case, place


# --- the analyst's pseudonymised view -----------------------------------------------------


def pseudonym(case_pk: int) -> str:
    """A stable pseudonymous id for a case: an HMAC of its key, not reversible without the
    server's secret key."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"vigil-case-pseudonym:{case_pk}".encode(), hashlib.sha256)
    return "P-" + digest.hexdigest()[:10].upper()


@dataclass(frozen=True)
class PseudonymisedCase:
    pseudonym: str
    area: str
    risk_level: str
    opened: str
    reports: int
    open_actions: int


def pseudonymised_cases(user: Any) -> list[PseudonymisedCase]:
    """Every unrestricted case without names, addresses or free text. Restricted cases are
    left out altogether. Raises Http404 for roles without analyst access."""
    if not is_active_user(user) or user.role not in PSEUDONYMISED_ROLES:
        raise Http404("No such page")
    rows = (
        Case.objects.exclude(restricted_q())
        .annotate(
            n_reports=Count("reports", distinct=True),
            n_open=Count("actions", filter=Q(actions__status=ActionStatus.OPEN), distinct=True),
        )
        .values("pk", "team__area__name", "risk_level", "created_at", "n_reports", "n_open")
        .order_by("pk")
    )
    return [
        PseudonymisedCase(
            pseudonym=pseudonym(row["pk"]),
            area=row["team__area__name"],
            risk_level=row["risk_level"] or "not assessed",
            opened=row["created_at"].strftime("%Y-%m"),
            reports=row["n_reports"],
            open_actions=row["n_open"],
        )
        for row in rows
    ]


# --- the scopes the admin and exports use (vigil.core.access.visible_queryset) ---------------


def _visible_places(scope: Scope) -> QuerySet[Place]:
    """Places the admin lists: as `places_for_user`, by the scope's id sets, and never a protected one."""
    reports = Report.objects.filter(case_id__in=scope.cases, place_id=OuterRef("pk"))
    people = Person.objects.filter(pk__in=scope.persons)
    return Place.objects.filter(
        Q(Exists(people.filter(home_id=OuterRef("pk")))) | Q(person_id__in=scope.persons) | Q(Exists(reports))
    ).filter(protected=False)


register_scope(CASE, lambda scope: cases_for_user(scope.user))
register_scope(PERSON, lambda scope: persons_for_user(scope.user))
register_scope(PLACE, _visible_places)

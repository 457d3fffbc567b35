"""One door to every object: every page, export, admin page and command loads records through here.

Anyone without access gets a 404, never a 403, so that a restricted case's existence does
not leak. Reads of personal records are audited by the `get_*` helpers; the `*_for_user`
querysets are for lists and do not audit.

Scopes (need to know):
- officer and supervisor: their team's cases; inspector: their area's; superintendent and
  admin: the force's;
- partner-agency adviser (IDVA): only cases referred to them with the victim's recorded
  consent, while that referral is open (`vigil.idva`: consent withdrawn or support finished
  ends it, and the adviser no longer sees the case);
- analyst: no identifiable case at all (see `pseudonymised_cases`);
- restricted cases (marked sensitive, or the victim or subject is police staff): only the
  people named on the case (CaseAccess), whatever their role;
- protected addresses: only staff allocated to the case, one audited reveal at a time
  (`place_display`, `reveal_protected_address`).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.urls import reverse

from vigil.audit.services import audit_record
from vigil.cases.models import Case, CaseAccess
from vigil.core.constants import LinkStatus, Role
from vigil.people.models import PROTECTED_TEXT, Person, PersonLink, Place

WRITE_ROLES = {Role.OFFICER, Role.SUPERVISOR, Role.INSPECTOR, Role.SUPERINTENDENT}
IDENTIFIABLE_ROLES = WRITE_ROLES | {Role.IDVA, Role.ADMIN}
PSEUDONYMISED_ROLES = {Role.ANALYST, Role.SUPERINTENDENT, Role.ADMIN}

M = TypeVar("M", bound=models.Model)


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


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
    if not _active(user):
        return Case.objects.none()
    role = user.role
    qs = Case.objects.all()
    named = _named(user)
    if role == Role.IDVA:
        from vigil.idva.models import IdvaReferral, ReferralStatus

        referred = Exists(IdvaReferral.objects.filter(case=OuterRef("pk"), idva_id=user.pk, status=ReferralStatus.ACTIVE))
        return qs.filter(named, referred, referred_with_consent=True)
    if role not in IDENTIFIABLE_ROLES:
        return qs.none()
    if role in (Role.SUPERINTENDENT, Role.ADMIN):
        scope = Q()
    elif role == Role.INSPECTOR:
        scope = Q(team__area_id=user.team.area_id) if user.team_id else Q(pk__in=[])
    else:
        scope = Q(team_id=user.team_id) if user.team_id else Q(pk__in=[])
    return qs.filter((scope & ~restricted_q()) | Q(named))


def _pk(pk: int | str, what: str) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404(f"No such {what}") from None


def _audit_view(user: Any, action: str, obj: models.Model, case_id: int | None = None) -> None:
    with transaction.atomic():
        audit_record(actor=user, action=action, obj=obj, case_id=case_id)


def _load(user: Any, pk: int | str, *, write: bool, audit: bool) -> Case:
    case_pk = _pk(pk, "case")
    if write and getattr(user, "role", None) not in WRITE_ROLES:
        raise Http404("No such case")
    case = cases_for_user(user).select_related("victim", "subject", "team").filter(pk=case_pk).first()
    if case is None:
        raise Http404("No such case")
    if audit:
        _audit_view(user, "case.view", case, case.pk)
    return case


def get_case_for_user(user: Any, pk: int | str, *, audit: bool = True) -> Case:
    return _load(user, pk, write=False, audit=audit)


def get_rw_case_for_user(user: Any, pk: int | str, *, audit: bool = False) -> Case:
    """A case the user may write to. `audit=True` for a page that shows the case (a form's
    first view); a write is audited by its service."""
    return _load(user, pk, write=True, audit=audit)


def audit_read(user: Any, action: str, obj: models.Model | None = None, *, case_id: int | None = None, **fields: Any) -> None:
    """Record that a page showed personal records (for pages the `get_*` helpers do not cover:
    an action, a list of possible matches, an admin list)."""
    with transaction.atomic():
        audit_record(actor=user, action=action, obj=obj, case_id=case_id, **fields)


def is_allocated(user: Any, case: Case) -> bool:
    return CaseAccess.objects.filter(case=case, user_id=user.pk, allocated=True).exists()


def get_action_for_user(user: Any, pk: int | str, *, write: bool = False, audit: bool = False) -> Any:
    """An action, if its case is visible to the user (and writable, for `write=True`). Its
    reason names the victim and the subject: `audit=True` for a page that shows it."""
    from vigil.actions.models import Action

    action_pk = _pk(pk, "action")
    if write and getattr(user, "role", None) not in WRITE_ROLES:
        raise Http404("No such action")
    action = (
        Action.objects.select_related("case", "case__victim", "case__subject", "owner", "victim", "subject")
        .filter(pk=action_pk, case__in=cases_for_user(user))
        .first()
    )
    if action is None:
        raise Http404("No such action")
    if audit:
        _audit_view(user, "action.view", action, action.case_id)
    return action


# --- people ---------------------------------------------------------------------------


def persons_for_user(user: Any) -> QuerySet[Person]:
    """The victims and subjects of visible cases, and records linked to them (a link says
    they are the same human, so the same need to know applies)."""
    if not _active(user):
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
    person_pk = _pk(pk, "person")
    if write and getattr(user, "role", None) not in WRITE_ROLES:
        raise Http404("No such person")
    person = persons_for_user(user).filter(pk=person_pk).first()
    if person is None:
        raise Http404("No such person")
    if audit:
        _audit_view(user, "person.view", person)
    return person


def get_person_for_user(user: Any, pk: int | str, *, audit: bool = True) -> Person:
    return _get_person(user, pk, write=False, audit=audit)


def get_rw_person_for_user(user: Any, pk: int | str) -> Person:
    return _get_person(user, pk, write=True, audit=False)


# --- places and protected addresses ----------------------------------------------------


def places_for_user(user: Any) -> QuerySet[Place]:
    """Homes and regular places of visible people, and places of reports on visible cases.
    A protected place is listed, but its address is shown only through `place_display`."""
    if not _active(user):
        return Place.objects.none()
    from vigil.cases.models import Report

    people = persons_for_user(user)
    reports = Report.objects.filter(case__in=cases_for_user(user), place_id=OuterRef("pk"))
    return Place.objects.filter(Q(Exists(people.filter(home_id=OuterRef("pk")))) | Q(person__in=people) | Q(Exists(reports)))


def _get_place(user: Any, pk: int | str, *, write: bool, audit: bool) -> Place:
    place_pk = _pk(pk, "place")
    if write and getattr(user, "role", None) not in WRITE_ROLES:
        raise Http404("No such place")
    place = places_for_user(user).filter(pk=place_pk).first()
    if place is None:
        raise Http404("No such place")
    if audit:
        _audit_view(user, "place.view", place)
    return place


def get_place_for_user(user: Any, pk: int | str, *, audit: bool = True) -> Place:
    """The place record. Its address may be protected: show it with `place_display`."""
    return _get_place(user, pk, write=False, audit=audit)


def get_rw_place_for_user(user: Any, pk: int | str) -> Place:
    return _get_place(user, pk, write=True, audit=False)


def case_places(case: Case) -> QuerySet[Place]:
    """The places that belong to a case: the pair's homes and regular places, and report places."""
    people = [pid for pid in (case.victim_id, case.subject_id) if pid]
    from vigil.cases.models import Report

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
    return _active(user) and user.role in WRITE_ROLES and is_allocated(user, case)


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
    place = case_places(case).filter(pk=_pk(place_pk, "place")).first()
    if place is None or not may_reveal(user, case):
        raise Http404("No such place")
    with transaction.atomic():
        audit_record(actor=user, action="place.reveal", obj=place, case_id=case.pk, new={"protected": place.protected})
    return case, place


# --- orders and warrants ----------------------------------------------------------------


def orders_for_user(user: Any) -> QuerySet[Any]:
    """Orders whose subject and at least one protected person are visible to the user."""
    from vigil.orders.models import ProtectiveOrder

    if not _active(user):
        return ProtectiveOrder.objects.none()
    people = persons_for_user(user)
    protected_visible = Exists(
        ProtectiveOrder.protected.through.objects.filter(protectiveorder_id=OuterRef("pk"), person__in=people)
    )
    return ProtectiveOrder.objects.filter(protected_visible, subject__in=people)


def _get_order(user: Any, pk: int | str, *, write: bool, audit: bool) -> Any:
    order_pk = _pk(pk, "order")
    if write and getattr(user, "role", None) not in WRITE_ROLES:
        raise Http404("No such order")
    order = orders_for_user(user).select_related("subject").filter(pk=order_pk).first()
    if order is None:
        raise Http404("No such order")
    if audit:
        _audit_view(user, "order.view", order)
    return order


def get_order_for_user(user: Any, pk: int | str, *, audit: bool = True) -> Any:
    return _get_order(user, pk, write=False, audit=audit)


def get_rw_order_for_user(user: Any, pk: int | str) -> Any:
    return _get_order(user, pk, write=True, audit=False)


def warrants_for_user(user: Any) -> QuerySet[Any]:
    """Warrants for subjects visible to the user."""
    from vigil.warrants.models import Warrant

    if not _active(user):
        return Warrant.objects.none()
    return Warrant.objects.filter(subject__in=persons_for_user(user))


def _get_warrant(user: Any, pk: int | str, *, write: bool, audit: bool) -> Any:
    warrant_pk = _pk(pk, "warrant")
    if write and getattr(user, "role", None) not in WRITE_ROLES:
        raise Http404("No such warrant")
    warrant = warrants_for_user(user).select_related("subject").filter(pk=warrant_pk).first()
    if warrant is None:
        raise Http404("No such warrant")
    if audit:
        _audit_view(user, "warrant.view", warrant)
    return warrant


def get_warrant_for_user(user: Any, pk: int | str, *, audit: bool = True) -> Any:
    return _get_warrant(user, pk, write=False, audit=audit)


def get_rw_warrant_for_user(user: Any, pk: int | str) -> Any:
    return _get_warrant(user, pk, write=True, audit=False)


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
    from django.db.models import Count

    from vigil.core.constants import ActionStatus

    if not _active(user) or user.role not in PSEUDONYMISED_ROLES:
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


# --- the admin and other generic callers ------------------------------------------------------


class _Scope:
    """What a user may see, as the id sets `visible_queryset` filters by: subqueries, or, when
    `materialise` is on, lists fetched once (SQLite runs these nested correlated subqueries
    row by row, so the audit admin, which needs them for every kind of record, reads each
    set once instead)."""

    def __init__(self, user: Any, *, materialise: bool = False) -> None:
        self.user = user
        self.materialise = materialise
        self._sets: dict[str, Any] = {}

    def _get(self, name: str, make: Any) -> Any:
        if name not in self._sets:
            ids = make().values("pk")
            self._sets[name] = list(ids.values_list("pk", flat=True)) if self.materialise else ids
        return self._sets[name]

    @property
    def cases(self) -> Any:
        return self._get("cases", lambda: cases_for_user(self.user))

    @property
    def persons(self) -> Any:
        return self._get("persons", lambda: persons_for_user(self.user))

    @property
    def places(self) -> Any:
        from vigil.cases.models import Report

        def make() -> QuerySet[Place]:
            reports = Report.objects.filter(case_id__in=self.cases, place_id=OuterRef("pk"))
            people = Person.objects.filter(pk__in=self.persons)
            return Place.objects.filter(
                Q(Exists(people.filter(home_id=OuterRef("pk")))) | Q(person_id__in=self.persons) | Q(Exists(reports))
            ).filter(protected=False)

        return self._get("places", make)

    @property
    def orders(self) -> Any:
        from vigil.orders.models import ProtectiveOrder

        def make() -> QuerySet[Any]:
            through = ProtectiveOrder.protected.through.objects.filter(
                protectiveorder_id=OuterRef("pk"), person_id__in=self.persons
            )
            return ProtectiveOrder.objects.filter(Exists(through), subject_id__in=self.persons)

        return self._get("orders", make)


def visible_queryset(user: Any, model: type[M], qs: QuerySet[M] | None = None, *, scope: _Scope | None = None) -> QuerySet[M]:
    """The rows of any model this user may see, for the admin and exports. Models that hang
    off a case or a person are scoped through them; unknown models show nothing unless the
    user is an admin and the model holds no personal data (users, teams, areas, audit)."""
    from vigil.orders.models import ProtectiveOrder
    from vigil.warrants.models import Warrant

    base: QuerySet[Any] = qs if qs is not None else model._default_manager.all()
    if not _active(user):
        return base.none()
    scope = scope or _Scope(user)
    label = model._meta.label_lower
    if model is Case:
        return base.filter(pk__in=scope.cases)
    if model is Person:
        return base.filter(pk__in=scope.persons)
    if model is Place:
        return base.filter(pk__in=scope.places)
    if model is ProtectiveOrder:
        return base.filter(pk__in=scope.orders)
    if model is Warrant:
        return base.filter(subject_id__in=scope.persons)
    if label == "audit.auditevent":
        return base.filter(audit_rows_q(user)) if user.role == Role.ADMIN else base.none()
    field_names = {f.name for f in model._meta.get_fields()}
    if "case" in field_names:
        return base.filter(case_id__in=scope.cases)
    # Every person the row is about must be visible: a sighting of a visible subject near
    # the victim of a restricted case is that case's, not the subject's.
    people = [
        name for name in PERSON_FIELDS if name in field_names and isinstance(model._meta.get_field(name), models.ForeignKey)
    ]
    if people:
        for name in people:
            base = base.filter(Q(**{f"{name}__isnull": True}) | Q(**{f"{name}_id__in": scope.persons}))
        return base
    if "order" in field_names:
        return base.filter(order_id__in=scope.orders)
    # A row that hangs off a case's record (an escalation of an action, an answer of an assessment).
    for name in ("action", "assessment"):
        if name in field_names:
            return base.filter(**{f"{name}__case_id__in": scope.cases})
    if user.role == Role.ADMIN and label in ADMIN_ONLY_MODELS:
        return base
    return base.none()


# The fields that say whom a record is about (not who reported it): all must be visible.
PERSON_FIELDS = ("subject", "person", "victim", "near", "a", "b")


def audit_rows_q(user: Any) -> Q:
    """The audit rows this user may read: a row about a case only if the case is visible, and
    a row without a case (a person or place created, a sighting recorded) only if its object
    is. A `person.create` row holds the name and date of birth: of a restricted case's victim
    too. Rows about objects that hold no case data (users, teams, helplines) are readable.

    Built from what is hidden (for the admin role, the few records of restricted cases), so
    the admin's list of a large trail stays one plain query. Kept on the user object for the
    rest of the request (the admin asks for its queryset several times per page)."""
    from django.apps import apps
    from django.db import connection

    cached = getattr(user, "_vigil_audit_rows_q", None)
    if cached is not None:
        return cached
    scope = _Scope(user, materialise=connection.vendor == "sqlite")
    hidden_cases = Case.objects.exclude(pk__in=scope.cases).values_list("pk", flat=True)
    where = ~Q(case_id__in=list(hidden_cases))
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in ADMIN_ONLY_MODELS or not model.__module__.startswith("vigil."):
            continue
        visible = visible_queryset(user, model, scope=scope).values("pk")
        hidden = [str(pk) for pk in model._default_manager.exclude(pk__in=visible).values_list("pk", flat=True)]
        if hidden:
            where &= ~Q(case_id__isnull=True, object_type=label, object_id__in=hidden)
    user._vigil_audit_rows_q = where
    return where


# Models without case data that the administrator manages or reads in the admin.
ADMIN_ONLY_MODELS = frozenset(
    {
        "core.user",
        "core.team",
        "core.area",
        "audit.auditevent",
        "audit.audithead",
        "otp_totp.totpdevice",
        "axes.accessattempt",
        "portal.helpline",
    }
)

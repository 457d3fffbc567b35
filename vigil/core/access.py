"""The base of the one door to every object: roles, the 404, and the generic scoping the admin
and exports use. The checks themselves live with the records they guard (docs/architecture.md):

- `vigil.cases.access`: cases, and the people and places seen through them (need to know,
  restricted cases, protected addresses, the analyst's pseudonymised view);
- `vigil.orders.access`, `vigil.warrants.access`, `vigil.actions.access`: orders, warrants
  and actions, visible through the people and cases they are about;
- `vigil.idva.access`: which cases a partner-agency adviser (IDVA) sees.

Each of those modules registers its scope here (`register_scope`) when its app is ready, so
that `visible_queryset` and `audit_rows_q` can scope any model without this module importing
the apps above it. Anyone without access gets a 404, never a 403, so that a restricted case's
existence does not leak.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.apps import apps
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404

from vigil.core.constants import Role

WRITE_ROLES = {Role.OFFICER, Role.SUPERVISOR, Role.INSPECTOR, Role.SUPERINTENDENT}
IDENTIFIABLE_ROLES = WRITE_ROLES | {Role.IDVA, Role.ADMIN}
PSEUDONYMISED_ROLES = {Role.ANALYST, Role.SUPERINTENDENT, Role.ADMIN}

M = TypeVar("M", bound=models.Model)


def is_active_user(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def pk_or_404(pk: int | str, what: str) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404(f"No such {what}") from None


def may_write(user: Any) -> bool:
    return getattr(user, "role", None) in WRITE_ROLES


# --- the scopes the apps above register -------------------------------------------------------

# A scope gives the rows of one model a user may see, given the `Scope` (which holds the
# user and the id sets already worked out for this request).
ScopeRows = Callable[["Scope"], QuerySet[Any]]
_SCOPES: dict[str, ScopeRows] = {}

CASE = "cases.case"
PERSON = "people.person"
PLACE = "people.place"
ORDER = "orders.protectiveorder"


def register_scope(label: str, rows: ScopeRows) -> None:
    """Say which rows of the model `label` (e.g. "cases.case") a user may see. Called by each
    app's `access.py`, which its AppConfig imports when the app is ready."""
    _SCOPES[label] = rows


def _scope_of(label: str) -> ScopeRows:
    try:
        return _SCOPES[label]
    except KeyError:
        # Fail closed and loud: a missing scope is a wiring fault, never "show everything".
        raise LookupError(f"No access scope registered for {label}: is its app installed and ready?") from None


class Scope:
    """What a user may see, as the id sets `visible_queryset` filters by: subqueries, or, when
    `materialise` is on, lists fetched once (SQLite runs these nested correlated subqueries
    row by row, so the audit admin, which needs them for every kind of record, reads each
    set once instead)."""

    def __init__(self, user: Any, *, materialise: bool = False) -> None:
        self.user = user
        self.materialise = materialise
        self._sets: dict[str, Any] = {}

    def ids(self, label: str) -> Any:
        if label not in self._sets:
            ids = _scope_of(label)(self).values("pk")
            self._sets[label] = list(ids.values_list("pk", flat=True)) if self.materialise else ids
        return self._sets[label]

    @property
    def cases(self) -> Any:
        return self.ids(CASE)

    @property
    def persons(self) -> Any:
        return self.ids(PERSON)


def cases_for_user(user: Any) -> QuerySet[Any]:
    """The cases this user may see (`vigil.cases.access.cases_for_user`, through its registered
    scope), for callers that sit below the cases app. New code imports it from vigil.cases.access."""
    return _scope_of(CASE)(Scope(user))


# --- the admin and other generic callers ------------------------------------------------------


def visible_queryset(user: Any, model: type[M], qs: QuerySet[M] | None = None, *, scope: Scope | None = None) -> QuerySet[M]:
    """The rows of any model this user may see, for the admin and exports. Models with a
    registered scope (cases, people, places, orders, warrants) are scoped by it; models that
    hang off a case or a person are scoped through them; unknown models show nothing unless
    the user is an admin and the model holds no personal data (users, teams, areas, audit)."""
    base: QuerySet[Any] = qs if qs is not None else model._default_manager.all()
    if not is_active_user(user):
        return base.none()
    scope = scope or Scope(user)
    label = model._meta.label_lower
    if label in _SCOPES:
        return base.filter(pk__in=scope.ids(label))
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
        return base.filter(order_id__in=scope.ids(ORDER))
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
    from django.db import connection

    cached = getattr(user, "_vigil_audit_rows_q", None)
    if cached is not None:
        return cached
    scope = Scope(user, materialise=connection.vendor == "sqlite")
    hidden_cases = apps.get_model(CASE)._default_manager.exclude(pk__in=scope.cases).values_list("pk", flat=True)
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

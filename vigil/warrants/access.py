"""Who may see a warrant: one for a subject visible to the user (`vigil.cases.access`). 404
otherwise; a page that shows one is audited."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from vigil.cases.access import load_for_user, persons_for_user
from vigil.core.access import Scope, is_active_user, register_scope
from vigil.warrants.models import Warrant


def warrants_for_user(user: Any) -> QuerySet[Warrant]:
    """Warrants for subjects visible to the user."""
    if not is_active_user(user):
        return Warrant.objects.none()
    return Warrant.objects.filter(subject__in=persons_for_user(user))


def _get_warrant(user: Any, pk: int | str, *, write: bool, audit: bool) -> Warrant:
    rows = warrants_for_user(user).select_related("subject")
    return load_for_user(user, rows, pk, "warrant", write=write, audit=audit)


def get_warrant_for_user(user: Any, pk: int | str, *, audit: bool = True) -> Warrant:
    return _get_warrant(user, pk, write=False, audit=audit)


def get_rw_warrant_for_user(user: Any, pk: int | str) -> Warrant:
    return _get_warrant(user, pk, write=True, audit=False)


def _visible_warrants(scope: Scope) -> QuerySet[Warrant]:
    return Warrant.objects.filter(subject_id__in=scope.persons)


register_scope("warrants.warrant", _visible_warrants)

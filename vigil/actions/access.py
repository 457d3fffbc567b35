"""Who may see an action: one whose case is visible to the user (`vigil.cases.access`), and
writable for `write=True`. 404 otherwise."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from vigil.actions.models import Action
from vigil.cases.access import audit_view, cases_for_user
from vigil.core.access import may_write, pk_or_404


def get_action_for_user(user: Any, pk: int | str, *, write: bool = False, audit: bool = False) -> Action:
    """An action, if its case is visible to the user (and writable, for `write=True`). Its
    reason names the victim and the subject: `audit=True` for a page that shows it."""
    action_pk = pk_or_404(pk, "action")
    if write and not may_write(user):
        raise Http404("No such action")
    action = (
        Action.objects.select_related("case", "case__victim", "case__subject", "owner", "victim", "subject")
        .filter(pk=action_pk, case__in=cases_for_user(user))
        .first()
    )
    if action is None:
        raise Http404("No such action")
    if audit:
        audit_view(user, "action.view", action, action.case_id)
    return action

"""Reads for partner dashboards: the teams a client reaches, a case's open actions, and a
team's action board. A client reads only if its scope says so, and only its teams' cases
(restricted cases never); anything else is a 404, as for people. Each read of a case is in
the audit trail."""

from __future__ import annotations

from typing import Annotated, Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Path, Query, Router
from pydantic import Field

from vigil.actions.models import Action
from vigil.api.api import client_of
from vigil.api.problems import ApiProblem
from vigil.api.schemas import ActionsPage, TeamOut
from vigil.api.scope import actions_for_client, cases_for_client, client_teams
from vigil.audit.services import audit_record
from vigil.core.constants import ActionStatus

router = Router(tags=["reads"])

Reference = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9-]+$")]


def action_out(action: Action) -> dict[str, Any]:
    return {
        "id": action.pk,
        "case": action.case.reference,
        "kind": action.kind,
        "label": action.get_kind_display(),
        "rule": action.rule,
        "priority": action.priority,
        "status": action.status,
        "level": action.level,
        "created_at": action.created_at,
        "due_at": action.due_at,
        "closed_at": action.closed_at,
        "reason": action.reason,
    }


def _readable(request: HttpRequest) -> Any:
    client = client_of(request)
    if not client.can_read:
        raise ApiProblem(403, "forbidden", "This client may send events but not read.")
    return client


@router.get("/teams", response=list[TeamOut], summary="The teams this client reaches")
def teams(request: HttpRequest) -> list[dict[str, Any]]:
    client = client_of(request)
    return [{"id": t.pk, "name": t.name, "area": t.area.name} for t in client_teams(client)]


@router.get("/cases/{reference}/actions", response=ActionsPage, summary="A case's open actions, soonest due first")
def case_actions(request: HttpRequest, reference: Path[Reference]) -> dict[str, Any]:
    client = _readable(request)
    case = cases_for_client(client).filter(reference=reference).first()
    if case is None:
        raise ApiProblem(404, "not-found", f"No case {reference} in this client's scope.")
    with transaction.atomic():
        audit_record(actor=client.label, action="api.case_actions", obj=case, case_id=case.pk)
    actions = list(Action.objects.filter(case=case, status=ActionStatus.OPEN).select_related("case").order_by("due_at", "pk"))
    return {"count": len(actions), "items": [action_out(a) for a in actions]}


@router.get("/teams/{team_id}/actions", response=ActionsPage, summary="A team's open actions (its board), soonest due first")
def team_actions(
    request: HttpRequest,
    team_id: Path[int],
    limit: int = Query(100, ge=1, le=500, description="At most this many actions (1 to 500)."),  # type: ignore[type-arg]
    offset: int = Query(0, ge=0, le=1_000_000, description="Skip this many first."),  # type: ignore[type-arg]
) -> dict[str, Any]:
    client = _readable(request)
    if not client_teams(client).filter(pk=team_id).exists():
        raise ApiProblem(404, "not-found", f"No team {team_id} in this client's scope.")
    qs = actions_for_client(client).filter(team_id=team_id, status=ActionStatus.OPEN).select_related("case")
    total = qs.count()
    page = list(qs.order_by("due_at", "pk")[offset : offset + limit])
    with transaction.atomic():
        audit_record(
            actor=client.label,
            action="api.team_actions",
            object_type="core.team",
            object_id=team_id,
            new={"cases": sorted({a.case_id for a in page})},
        )
    return {"count": total, "items": [action_out(a) for a in page]}

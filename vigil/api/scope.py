"""What an API client may do and see: the one door for machine callers, as
`vigil.core.access` is for people.

A client reaches the teams it names and every team of the areas it names. It never reaches a
restricted case (marked sensitive, or with police staff involved): those are for the people
named on them only, and a machine is never named.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from vigil.actions.models import Action
from vigil.api.models import ApiClient
from vigil.cases.access import restricted_q
from vigil.cases.models import Case
from vigil.core.models import Team


def client_teams(client: ApiClient) -> QuerySet[Team]:
    return (
        Team.objects.filter(Q(pk__in=client.teams.values("pk")) | Q(area_id__in=client.areas.values("pk")))
        .select_related("area")
        .order_by("area__name", "name")
    )


def team_in_scope(client: ApiClient, team_id: int) -> bool:
    return client_teams(client).filter(pk=team_id).exists()


def may_send(client: ApiClient, event_type: str) -> bool:
    return event_type in client.event_types


def cases_for_client(client: ApiClient) -> QuerySet[Case]:
    """The cases of the client's teams, restricted ones left out."""
    return Case.objects.filter(team__in=client_teams(client)).exclude(restricted_q())


def actions_for_client(client: ApiClient) -> QuerySet[Action]:
    return Action.objects.filter(case__in=cases_for_client(client))

"""The people a load test plays: officers with passwords and authenticator seeds, on teams
that have cases, and single-use reporting access for the portal's users.

Run by `vigil loadtest-seed` in the settings of the server under test (passwords and PINs are
hashed as that server checks them). Everything it writes goes through the services, so it is
audited like real use; the credentials go to a JSON file for the load test, never to the
database in clear."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from vigil.cases.access import restricted_q
from vigil.cases.models import Case
from vigil.cases.services import case_open, report_record
from vigil.core.constants import ReportCategory, Role, Sex
from vigil.core.models import Area, Team, User
from vigil.people.services import person_create
from vigil.portal.services import reporting_access_issue

PREFIX = "load-"


def _cases_for_small_force(teams: list[Team], per_team: int, actor: User) -> None:
    """A few cases per team, each opened with a report, so boards have actions (the policy
    makes them). Only when the database holds no case at all."""
    for team in teams:
        for n in range(per_team):
            with transaction.atomic():
                victim = person_create(actor=actor, full_name=f"Load Victim {team.pk}-{n}", sex=Sex.FEMALE)
                subject = person_create(actor=actor, full_name=f"Load Subject {team.pk}-{n}", sex=Sex.MALE)
                case = case_open(actor=actor, victim=victim, subject=subject, team=team, allocate=[actor])
                report_record(
                    actor=actor, case=case, category=ReportCategory.DOMESTIC_ABUSE, summary="Synthetic report for the load test."
                )


def _teams(cases_per_team: int, admin: User) -> list[Team]:
    with_cases = list(Team.objects.filter(cases__isnull=False).distinct().order_by("pk"))
    if with_cases:
        return with_cases
    area, _ = Area.objects.get_or_create(name="Load Area")
    teams = [Team.objects.get_or_create(name=f"Load Team {n}", area=area)[0] for n in range(1, 4)]
    _cases_for_small_force(teams, cases_per_team, admin)
    return teams


def seed_load(*, officers: int, accesses: int, password: str, cases_per_team: int = 4) -> dict[str, Any]:
    """Officers named load-officer-NN, and `accesses` reporting accesses (reference and PIN).
    Returns what the load test needs: usernames, the password, seeds (hex), case ids per
    officer, and the accesses."""
    admin, _ = User.objects.get_or_create(username=f"{PREFIX}admin", defaults={"role": Role.ADMIN, "is_staff": True})
    teams = _teams(cases_per_team, admin)
    people: list[dict[str, Any]] = []
    for n in range(officers):
        team = teams[n % len(teams)]
        user, _ = User.objects.get_or_create(
            username=f"{PREFIX}officer-{n:03d}",
            defaults={"role": Role.OFFICER, "team": team, "first_name": "Load", "last_name": f"Officer {n}"},
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, name="Load test authenticator", confirmed=True)
        cases = list(Case.objects.filter(team=user.team).exclude(restricted_q()).values_list("pk", flat=True)[:200])
        people.append({"username": user.username, "totp_hex": device.key, "cases": cases})
    portal: list[dict[str, str]] = []
    targets = list(Case.objects.filter(subject__isnull=False).exclude(restricted_q()).select_related("victim")[:100])
    expires = timezone.now() + dt.timedelta(days=2)
    for n in range(accesses):
        case = targets[n % len(targets)]
        issued = reporting_access_issue(actor=admin, case=case, reporter_person=case.victim, expires_at=expires)
        portal.append({"reference": issued.reference, "pin": issued.pin})
    return {"password": password, "officers": people, "accesses": portal, "token": secrets.token_hex(4)}

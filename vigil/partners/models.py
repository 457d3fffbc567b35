"""Partner agencies and their people: who attends MARAC, owns its actions, and answers for them.

An agency's members are the users who act for it (a housing officer, a health visitor, the
police's MARAC representative). A member marked `lead` is the agency's line: an action of the
agency not done by its deadline reaches them before it reaches the MARAC coordinator.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from vigil.core.constants import Role


class AgencyKind(models.TextChoices):
    POLICE = "police", "Police"
    IDVA = "idva", "IDVA service"
    CHILDRENS_SERVICES = "childrens_services", "Children's services"
    HEALTH = "health", "Health"
    HOUSING = "housing", "Housing"
    PROBATION = "probation", "Probation"
    EDUCATION = "education", "Education"
    OTHER = "other", "Other"


# The role a partner's user account carries for each kind of agency.
ROLE_FOR_KIND = {
    AgencyKind.CHILDRENS_SERVICES: Role.CHILDRENS_SERVICES,
    AgencyKind.HEALTH: Role.HEALTH,
    AgencyKind.HOUSING: Role.HOUSING,
    AgencyKind.PROBATION: Role.PROBATION,
    AgencyKind.IDVA: Role.IDVA,
}


class Agency(models.Model):
    name = models.CharField(max_length=150, unique=True)
    kind = models.CharField(max_length=20, choices=AgencyKind.choices)
    area = models.ForeignKey(
        "core.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="agencies", help_text="Empty: force-wide."
    )
    email = models.EmailField(blank=True, help_text="The agency's secure shared mailbox, if any.")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"
        constraints = [models.CheckConstraint(condition=Q(kind__in=AgencyKind.values), name="agency_kind_valid")]

    def __str__(self) -> str:
        return self.name


class AgencyMember(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="agency_membership")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="members")
    lead = models.BooleanField(default=False, help_text="The agency's line: overdue actions of the agency reach them first.")

    def __str__(self) -> str:
        return f"{self.user} ({self.agency})"

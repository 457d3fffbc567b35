from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from vigil.core.constants import Role


class Area(models.Model):
    """A policing area (a basic command unit). Inspectors see their area."""

    name = models.CharField(max_length=120, unique=True)

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A response or safeguarding team inside an area. Supervisors see their team."""

    name = models.CharField(max_length=120)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="teams")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["area", "name"], name="team_unique_name_in_area")]

    def __str__(self) -> str:
        return f"{self.name} ({self.area})"


class User(AbstractUser):
    """A member of staff or a partner agency. The role decides what the board shows."""

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.OFFICER)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="members")
    organisation = models.CharField(max_length=120, blank=True, help_text="Partner agency, for advisers.")
    is_police_staff_record = models.BooleanField(
        default=False, help_text="This user also appears in case records (restricted-case handling)."
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="user_role_valid"),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def escalation_level(self) -> int:
        """The ladder level this person answers for: 2 sergeant, 3 inspector, 4 superintendent."""
        return {Role.SUPERVISOR: 2, Role.INSPECTOR: 3, Role.SUPERINTENDENT: 4}.get(Role(self.role), 1)

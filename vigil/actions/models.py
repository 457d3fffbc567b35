from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from vigil.core.constants import ActionKind, ActionStatus, Priority, SignOff


class Action(models.Model):
    """Something the policy asks someone to do, by a deadline. Never deleted.

    The policy engine decides `kind`, `due_at`, `priority` and the ladder; people decide
    whether it is done or declined (with a rationale), through the services.
    """

    key = models.CharField(max_length=200, unique=True, help_text="The engine's stable key for this action.")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="actions")
    kind = models.CharField(max_length=30, choices=ActionKind.choices)
    rule = models.CharField(max_length=10, help_text="The policy rule that created it, e.g. R6.")
    reason = models.TextField()
    victim = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    due_at = models.DateTimeField()
    priority = models.CharField(max_length=10, choices=Priority.choices)
    status = models.CharField(max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    closing_reason = models.TextField(blank=True)
    level = models.PositiveSmallIntegerField(default=1, help_text="Escalation level: 1 officer … 4 superintendent.")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="actions")
    team = models.ForeignKey("core.Team", on_delete=models.PROTECT, related_name="actions")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    rationale = models.TextField(blank=True, help_text="Why it was declined, or how it was done.")
    signoff = models.CharField(max_length=12, choices=SignOff.choices, default=SignOff.NOT_NEEDED)
    signoff_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    signoff_at = models.DateTimeField(null=True, blank=True)
    signoff_note = models.TextField(blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ActionKind.values), name="action_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=ActionStatus.values), name="action_status_valid"),
            models.CheckConstraint(condition=Q(priority__in=Priority.values), name="action_priority_valid"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=4), name="action_level_range"),
            models.CheckConstraint(
                condition=Q(status=ActionStatus.OPEN, closed_at__isnull=True)
                | (~Q(status=ActionStatus.OPEN) & Q(closed_at__isnull=False)),
                name="action_closed_at_matches_status",
            ),
            models.CheckConstraint(
                condition=~Q(status=ActionStatus.DECLINED) | ~Q(rationale=""), name="action_decline_has_rationale"
            ),
        ]
        indexes = [
            # The board reads each part of a person's board in its order (vigil/actions/board.py):
            # equality on the part, then priority, then age, so a page is read, not sorted.
            models.Index(fields=["owner", "status", "priority", "created_at"], name="action_board_owner_idx"),
            models.Index(fields=["team", "status", "level", "priority", "created_at"], name="action_board_team_idx"),
            models.Index(fields=["status", "level", "priority", "created_at"], name="action_board_level_idx"),
            # The escalation job: open actions past their due time below level 4.
            models.Index(fields=["status", "level", "due_at"], name="action_level_board_idx"),
            models.Index(fields=["case", "kind", "status"], name="action_case_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.case})"


class Escalation(models.Model):
    """An action raised a level up the ladder, at the moment it fell due there."""

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="escalations")
    level = models.PositiveSmallIntegerField()
    at = models.DateTimeField()
    recorded_at = models.DateTimeField()
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["at", "level"]
        constraints = [
            models.UniqueConstraint(fields=["action", "level"], name="escalation_unique_level"),
            models.CheckConstraint(condition=Q(level__gte=2, level__lte=4), name="escalation_level_range"),
        ]


class Decision(models.Model):
    """An officer's recorded completion or decline of a kind of action for a pair.

    It is a fact for the policy (it closes open actions of that kind) and stays in the
    chronology even when it matched no open action.
    """

    class Outcome(models.TextChoices):
        COMPLETED = "completed", "Completed"
        DECLINED = "declined", "Declined"

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="decisions")
    action_kind = models.CharField(max_length=30, choices=ActionKind.choices)
    victim = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    at = models.DateTimeField(help_text="When it was decided: the policy's time.")
    recorded_at = models.DateTimeField(help_text="When it was entered in Vigil: it settles only work Vigil knew of by then.")
    rationale = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    action = models.ForeignKey(Action, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions")
    withdrawn = models.BooleanField(default=False, help_text="Sent back by a supervisor: no longer closes the action.")
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(outcome="declined") | ~Q(rationale=""), name="decision_decline_has_rationale")
        ]


class ClusterState(models.Model):
    """What the last force-wide re-evaluation of one cluster (cases joined by a shared person
    or an identity link, `vigil.actions.bulk`) saw, so that the next one can pass over it
    when nothing it depends on has changed (`vigil.actions.incremental`). Bookkeeping, not a
    record: a row is replaced each time its cluster is evaluated, and dropped once no cluster
    has its members."""

    members = models.CharField(max_length=64, unique=True, help_text="Digest of the cluster's person and case ids.")
    policy = models.CharField(max_length=64, help_text="Digest of the policy and engine it was evaluated under.")
    facts = models.CharField(max_length=64, help_text="Digest of the facts document the engine read.")
    next_due_at = models.DateTimeField(
        null=True, blank=True, help_text="The earliest ladder step or later-dated fact still to come; none if nothing is."
    )
    evaluated_until = models.DateTimeField(help_text="The policy's time of that evaluation.")
    evaluated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"cluster {self.members[:12]} evaluated until {self.evaluated_until:%Y-%m-%d %H:%M}"


class FactChange(models.Model):
    """A fact about a person or a case was written (or changed) since the last force-wide
    re-evaluation looked at them: their cluster is evaluated again. Written by the signals in
    `vigil.actions.incremental` for every save of a model the engine reads; both ids empty
    means "evaluate everything". Deleted by the re-evaluation that read it, in the
    transaction that stores its cluster's answer."""

    person_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    case_id = models.BigIntegerField(null=True, blank=True, db_index=True)

    def __str__(self) -> str:
        return f"changed: person {self.person_id}, case {self.case_id}"


class EscalationChain(models.Model):
    """The escalation job's lease: the one run of `escalate_overdue_actions` that holds the
    chain (queued or running) and alone may queue the next (vigil/actions/chain.py).

    A single row (id 1, made by the migration). A run moves the lease to the run it queues
    with a conditional UPDATE (`WHERE task_id = <its own id>`) in the transaction that queues
    it, so a run killed after queueing its successor, then run again by the housekeeping, or
    two workers at once, can never start a second chain: the second UPDATE matches no row and
    its queued run is rolled back. Bookkeeping, not a record."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    task_id = models.CharField(max_length=64, blank=True, help_text="The run that holds the chain; empty before the first.")
    run_after = models.DateTimeField(null=True, blank=True, help_text="When that run is due.")
    moved_at = models.DateTimeField(null=True, blank=True, help_text="When the lease last moved.")

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="escalation_chain_single_row")]

    def __str__(self) -> str:
        return f"escalation chain held by {self.task_id or 'no run'}"

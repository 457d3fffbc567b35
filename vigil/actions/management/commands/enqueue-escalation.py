from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from vigil.actions.tasks import escalate_overdue_actions


class Command(BaseCommand):
    help = "Queue the escalation job for the background worker; it re-queues itself every interval."

    def handle(self, *args: Any, **options: Any) -> None:
        result = escalate_overdue_actions.enqueue(reschedule=True)
        self.stdout.write(f"Escalation job queued ({result.id}).")

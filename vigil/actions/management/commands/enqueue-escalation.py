from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from vigil.actions.chain import escalation_chain_start


class Command(BaseCommand):
    help = (
        "Start the escalation job for the background worker; it queues itself again every interval. "
        "Does nothing if a run is already queued or running (one chain at a time)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        chain = escalation_chain_start()
        if chain.started:
            self.stdout.write(f"Escalation job queued ({chain.task_id}).")
        else:
            self.stdout.write(f"Escalation job already queued or running ({chain.task_id}): nothing queued.")

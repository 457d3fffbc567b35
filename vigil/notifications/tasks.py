"""The worker's side of notifications: one task per message (queued when its transaction commits)."""

from __future__ import annotations

from django_tasks import task


@task()
def send_message_task(message_id: int) -> str:
    from vigil.notifications.services import message_send

    message = message_send(message_id)
    return message.status if message else "missing"

from django.apps import AppConfig


class WorkerConfig(AppConfig):
    """The background worker's own housekeeping. Listed before django_tasks_db in
    INSTALLED_APPS so that its `db_worker` command (the stock one, plus housekeeping) wins."""

    name = "vigil.worker"
    label = "vigil_worker"

    def ready(self) -> None:
        # Registers the partner jobs with the escalation job (vigil.actions.escalation).
        from vigil.worker import jobs  # noqa: F401

from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "vigil.actions"
    label = "actions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from vigil.actions.incremental import connect_signals

        connect_signals()

from django.apps import AppConfig


class AlarmsConfig(AppConfig):
    name = "vigil.alarms"
    label = "alarms"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers this app's section of the case page (vigil.cases.selectors).
        from vigil.alarms import selectors  # noqa: F401

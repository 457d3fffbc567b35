from django.apps import AppConfig


class IntakeConfig(AppConfig):
    """The officer's front door: opening a case from an incident, and recording each fact the
    policy reads on a case."""

    name = "vigil.intake"
    label = "intake"
    default_auto_field = "django.db.models.BigAutoField"

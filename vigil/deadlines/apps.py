from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "vigil.deadlines"
    label = "deadlines"
    verbose_name = "Deadlines in a calendar (iCal feeds)"
    default_auto_field = "django.db.models.BigAutoField"

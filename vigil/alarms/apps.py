from django.apps import AppConfig


class AlarmsConfig(AppConfig):
    name = "vigil.alarms"
    label = "alarms"
    default_auto_field = "django.db.models.BigAutoField"

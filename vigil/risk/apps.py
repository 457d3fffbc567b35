from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "vigil.risk"
    label = "risk"
    default_auto_field = "django.db.models.BigAutoField"

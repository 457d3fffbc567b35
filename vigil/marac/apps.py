from django.apps import AppConfig


class MaracConfig(AppConfig):
    name = "vigil.marac"
    label = "marac"
    verbose_name = "MARAC (multi-agency risk assessment conference)"
    default_auto_field = "django.db.models.BigAutoField"

from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "vigil.monitoring"
    label = "monitoring"
    verbose_name = "Electronic monitoring (tag location fixes)"
    default_auto_field = "django.db.models.BigAutoField"

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "vigil.api"
    label = "api"
    verbose_name = "Event API and its clients"
    default_auto_field = "django.db.models.BigAutoField"

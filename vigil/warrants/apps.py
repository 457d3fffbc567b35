from django.apps import AppConfig


class WarrantsConfig(AppConfig):
    name = "vigil.warrants"
    label = "warrants"
    default_auto_field = "django.db.models.BigAutoField"

from django.apps import AppConfig


class IdvaConfig(AppConfig):
    name = "vigil.idva"
    label = "idva"
    verbose_name = "The IDVA's caseload"
    default_auto_field = "django.db.models.BigAutoField"

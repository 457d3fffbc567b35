from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "vigil.disclosure"
    label = "disclosure"
    verbose_name = "Clare's Law (Domestic Violence Disclosure Scheme)"
    default_auto_field = "django.db.models.BigAutoField"

from django.apps import AppConfig


class GazetteerConfig(AppConfig):
    name = "vigil.gazetteer"
    label = "gazetteer"
    verbose_name = "Gazetteer (postcode to place)"
    default_auto_field = "django.db.models.BigAutoField"

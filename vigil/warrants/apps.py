from django.apps import AppConfig


class WarrantsConfig(AppConfig):
    name = "vigil.warrants"
    label = "warrants"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers this app's access scope (vigil.core.access), its section of the case page
        # (vigil.cases.selectors) and what an arrest does to warrants (vigil.cases.services).
        from vigil.warrants import access, selectors, services  # noqa: F401

from django.apps import AppConfig


class WarrantsConfig(AppConfig):
    name = "vigil.warrants"
    label = "warrants"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers this app's access scope (vigil.core.access) and its section of the case page
        # (vigil.cases.selectors).
        from vigil.warrants import (
            access,  # noqa: F401
            selectors,  # noqa: F401
        )

from django.apps import AppConfig


class WarrantsConfig(AppConfig):
    name = "vigil.warrants"
    label = "warrants"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers this app's access scope with vigil.core.access (the admin's and exports' scoping).
        from vigil.warrants import access  # noqa: F401

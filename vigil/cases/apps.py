from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "vigil.cases"
    label = "cases"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers this app's access scope with vigil.core.access (the admin's and exports' scoping).
        from vigil.cases import access  # noqa: F401

from django.apps import AppConfig


class IdvaConfig(AppConfig):
    name = "vigil.idva"
    label = "idva"
    verbose_name = "The IDVA's caseload"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers this app's access scope with vigil.core.access (the admin's and exports' scoping).
        from vigil.idva import access  # noqa: F401

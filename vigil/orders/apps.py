from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "vigil.orders"
    label = "orders"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers this app's access scope (vigil.core.access) and its section of the case page
        # (vigil.cases.selectors).
        from vigil.orders import access, selectors  # noqa: F401

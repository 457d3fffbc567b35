from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "vigil.orders"
    label = "orders"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers this app's access scope with vigil.core.access (the admin's and exports' scoping).
        from vigil.orders import access  # noqa: F401

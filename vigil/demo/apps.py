from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data (`vigil demo-data`, `vigil demo-logins`): a synthetic force built through every
    app's services, so it sits on the top floor and no app imports it."""

    name = "vigil.demo"
    label = "demo"

from django.apps import AppConfig


class FrontConfig(AppConfig):
    """The front door, on the top floor: signing in, the landing page, the navigation on every
    page and the staff admin (each change of someone's rights is audited)."""

    name = "vigil.front"
    label = "front"

from django.apps import AppConfig


class TimelineConfig(AppConfig):
    name = "vigil.timeline"
    label = "timeline"
    verbose_name = "Timeline replay"

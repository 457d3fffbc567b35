from __future__ import annotations

from django.urls import path

from vigil.api import alarms, events, feeds, reads
from vigil.api.api import api

api.add_router("", events.router)
api.add_router("", alarms.router)
api.add_router("", feeds.router)
api.add_router("", reads.router)

urlpatterns = [path("api/v1/", api.urls)]

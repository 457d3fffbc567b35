from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("vigil.core.urls")),
    path("", include("vigil.front.urls")),
    path("", include("vigil.intake.urls")),
    path("", include("vigil.cases.urls")),
    path("", include("vigil.people.urls")),
    path("", include("vigil.actions.urls")),
    path("", include("vigil.warrants.urls")),
    path("", include("vigil.risk.urls")),
    path("", include("vigil.portal.urls")),
    path("", include("vigil.disclosure.urls")),
    path("", include("vigil.gazetteer.urls")),
    path("", include("vigil.marac.urls")),
    path("", include("vigil.api.urls")),
    path("", include("vigil.deadlines.urls")),
    path("", include("vigil.notifications.urls")),
    path("", include("vigil.schools.urls")),
    path("", include("vigil.idva.urls")),
]

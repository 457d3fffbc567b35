from django.urls import path

from vigil.intake import fact_views, views

urlpatterns = [
    path("cases/new/", views.intake_start, name="intake_start"),
    path("cases/new/<int:pk>/victim/", views.intake_victim, name="intake_victim"),
    path("cases/new/<int:pk>/suspect/", views.intake_suspect, name="intake_suspect"),
    path("cases/new/<int:pk>/household/", views.intake_household, name="intake_household"),
    path("cases/new/<int:pk>/report/", views.intake_report, name="intake_report"),
    path("cases/new/<int:pk>/check/", views.intake_check, name="intake_check"),
    path("people/suggest/", views.person_suggest, name="person_suggest"),
    path("cases/<int:pk>/record/", fact_views.fact_menu, name="fact_menu"),
    path("cases/<int:pk>/record/<slug:slug>/", fact_views.fact_record, name="fact_record"),
]

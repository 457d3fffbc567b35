from django.urls import path

import vigil.risk.views as views

urlpatterns = [
    path("cases/<int:pk>/risk/assess/", views.assessment_start, name="risk_assessment_start"),
    # "check" comes before the section pattern; the catalogue refuses a section called "check".
    path("cases/<int:pk>/risk/drafts/<int:draft_pk>/check/", views.assessment_check, name="risk_assessment_check"),
    path(
        "cases/<int:pk>/risk/drafts/<int:draft_pk>/<slug:section>/",
        views.assessment_section,
        name="risk_assessment_section",
    ),
]

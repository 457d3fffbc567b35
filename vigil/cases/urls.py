from django.urls import path

from vigil.cases import views

urlpatterns = [
    path("cases/", views.case_list, name="case_list"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/reports/new/", views.report_new, name="report_new"),
    path("cases/<int:case_pk>/places/<int:pk>/address/", views.place_reveal, name="place_reveal"),
    path("analyst/cases/", views.analyst_cases, name="analyst_cases"),
]

from django.urls import path

from vigil.disclosure import views

urlpatterns = [
    path("clares-law/", views.request_list, name="disclosure_list"),
    path("clares-law/new/", views.application_new, name="disclosure_new"),
    path("cases/<int:pk>/clares-law/new/", views.case_request_new, name="disclosure_case_new"),
    path("clares-law/<int:pk>/", views.request_detail, name="disclosure_detail"),
    path("clares-law/<int:pk>/decision/", views.request_decide, name="disclosure_decide"),
    path("clares-law/<int:pk>/meeting/", views.request_meeting, name="disclosure_meeting"),
]

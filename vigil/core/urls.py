from django.urls import path

from vigil.core import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
]

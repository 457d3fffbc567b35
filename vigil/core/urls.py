from django.contrib.auth import views as auth_views
from django.urls import path

from vigil.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.SignInView.as_view(), name="login"),
    path("login/code/", views.otp_verify, name="otp_verify"),
    path("login/set-up/", views.otp_setup, name="otp_setup"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", views.healthz, name="healthz"),
    path("cases/<int:case_pk>/places/<int:pk>/address/", views.place_reveal, name="place_reveal"),
    path("analyst/cases/", views.analyst_cases, name="analyst_cases"),
]

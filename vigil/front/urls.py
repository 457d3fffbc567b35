from django.contrib.auth import views as auth_views
from django.urls import path

from vigil.front import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.SignInView.as_view(), name="login"),
    path("login/code/", views.otp_verify, name="otp_verify"),
    path("login/set-up/", views.otp_setup, name="otp_setup"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]

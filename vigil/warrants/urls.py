from django.urls import path

from vigil.warrants import views

urlpatterns = [
    path("warrants/", views.warrant_board_view, name="warrant_board"),
]

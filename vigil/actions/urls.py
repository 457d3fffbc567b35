from django.urls import path

from vigil.actions import views

urlpatterns = [
    path("actions/<int:pk>/", views.action_detail, name="action_detail"),
    path("actions/<int:pk>/complete/", views.action_complete_view, name="action_complete"),
    path("actions/<int:pk>/decline/", views.action_decline_view, name="action_decline"),
]

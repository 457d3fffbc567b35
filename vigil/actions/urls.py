from django.urls import path

from vigil.actions import views

urlpatterns = [
    path("board/", views.action_board, name="action_board"),
    path("actions/<int:pk>/", views.action_detail, name="action_detail"),
    path("actions/<int:pk>/complete/", views.action_complete_view, name="action_complete"),
    path("actions/<int:pk>/decline/", views.action_decline_view, name="action_decline"),
    path("actions/<int:pk>/reassign/", views.action_reassign_view, name="action_reassign"),
    path("actions/<int:pk>/sign-off/", views.action_signoff_view, name="action_signoff"),
    path("actions/<int:pk>/send-back/", views.action_send_back_view, name="action_send_back"),
    path("cases/<int:pk>/chronology.<str:fmt>", views.chronology_export_view, name="chronology_export"),
]

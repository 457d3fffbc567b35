from django.urls import path

from vigil.schools import views

urlpatterns = [
    path("encompass/ack/<str:token>/", views.encompass_ack, name="encompass_ack"),
    path("actions/<int:pk>/school/", views.encompass_school, name="encompass_school"),
    path("actions/<int:pk>/school/resend/", views.encompass_resend, name="encompass_resend"),
]

from django.urls import path

from vigil.notifications import views

urlpatterns = [path("account/notifications/", views.preferences, name="notification_preferences")]

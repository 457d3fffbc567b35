from django.urls import path

from vigil.deadlines import views

urlpatterns = [
    path("account/calendar/", views.calendar_settings, name="calendar_settings"),
    path("calendar/<str:token>/deadlines.ics", views.calendar_feed, name="calendar_feed"),
]

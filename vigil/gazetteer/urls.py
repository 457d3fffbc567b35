from django.urls import path

from vigil.gazetteer import views

urlpatterns = [path("gazetteer/postcode/", views.postcode_centre, name="gazetteer_postcode")]

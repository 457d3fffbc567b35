from django.urls import path

from vigil.people import views

urlpatterns = [
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/links/review/", views.link_queue, name="person_link_queue"),
    path("people/links/<int:pk>/", views.link_detail, name="person_link_detail"),
    path("people/links/<int:pk>/confirm/", views.link_confirm, name="person_link_confirm"),
    path("people/links/<int:pk>/reject/", views.link_reject, name="person_link_reject"),
    path("people/links/<int:pk>/split/", views.link_split, name="person_link_split"),
    path("people/links/<int:pk>/relink/", views.link_relink, name="person_link_relink"),
]

from django.urls import path

from vigil.idva import views

urlpatterns = [
    path("idva/", views.caseload_page, name="idva_caseload"),
    path("idva/referrals/<int:pk>/", views.referral_page, name="idva_referral"),
    path("idva/referrals/<int:pk>/casework/", views.casework, name="idva_casework"),
    path("idva/referrals/<int:pk>/concern/", views.concern, name="idva_concern"),
    path("idva/referrals/<int:pk>/end/", views.end, name="idva_end"),
    path("cases/<int:pk>/idva/refer/", views.refer, name="idva_refer"),
]

from django.urls import path

from vigil.marac import views

urlpatterns = [
    path("marac/", views.meeting_list, name="marac_meetings"),
    path("marac/actions/", views.my_actions, name="marac_my_actions"),
    path("marac/meetings/new/", views.meeting_new, name="marac_meeting_new"),
    path("marac/meetings/<int:pk>/", views.meeting_detail, name="marac_meeting"),
    path("marac/meetings/<int:pk>/circulate/", views.meeting_circulate, name="marac_circulate"),
    path("cases/<int:pk>/marac/refer/", views.refer, name="marac_refer"),
    path("marac/referrals/<int:pk>/", views.referral_detail, name="marac_referral"),
    path("marac/referrals/<int:pk>/research/", views.referral_research, name="marac_research"),
    path("marac/referrals/<int:pk>/discussion/", views.referral_discussion, name="marac_discussion"),
    path("marac/referrals/<int:pk>/plan/", views.referral_plan, name="marac_plan"),
    path("marac/referrals/<int:pk>/minutes.pdf", views.referral_minutes, name="marac_minutes"),
    path("marac/actions/<int:pk>/", views.plan_action_detail, name="marac_plan_action"),
    path("marac/actions/<int:pk>/close/", views.plan_action_close_view, name="marac_plan_close"),
]

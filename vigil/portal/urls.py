from django.urls import path

from vigil.portal import views

urlpatterns = [
    path("help", views.help_page, name="portal_help"),
    path("report", views.report_start, name="portal_report_start"),
    path("report/link/<str:token>/", views.report_link, name="portal_report_link"),
    path("report/what-happened", views.report_form, name="portal_report_form"),
    path("report/sent", views.report_sent, name="portal_report_sent"),
    path("report/finish", views.report_finish, name="portal_report_finish"),
    path("report/exit", views.report_exit, name="portal_exit"),
    path("cases/<int:pk>/reporting-access/", views.access_manage, name="portal_access"),
    path("cases/<int:pk>/reporting-access/<int:access_pk>/withdraw/", views.access_withdraw, name="portal_access_withdraw"),
    path("portal/reports/", views.submission_list, name="portal_submissions"),
    path("portal/reports/<int:pk>/retry/", views.submission_retry, name="portal_submission_retry"),
]

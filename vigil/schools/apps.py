from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "vigil.schools"
    label = "schools"
    verbose_name = "Schools (Operation Encompass)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from vigil.notifications.services import message_settled
        from vigil.schools.services import notice_delivery

        message_settled.connect(notice_delivery, dispatch_uid="vigil.schools.notice_delivery")

from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "vigil.actions"
    label = "actions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core.checks import register
        from django.test.signals import setting_changed

        from vigil.actions.engine_adapter import check_policy, forget_policy
        from vigil.actions.incremental import connect_signals

        connect_signals()
        register(check_policy)
        setting_changed.connect(forget_policy, dispatch_uid="vigil_forget_policy")

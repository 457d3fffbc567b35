from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "vigil.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.core.checks import register
        from django.db.models.signals import post_migrate

        from vigil.core.crypto import check_keyring
        from vigil.core.dbroles import grant_after_migrate
        from vigil.core.otp import trust_test_client_login

        register(check_keyring)
        post_migrate.connect(grant_after_migrate, sender=self, dispatch_uid="vigil_grant_app_role")

        # Does nothing unless config.settings.test switches VIGIL_OTP_TRUST_TEST_CLIENT on.
        user_logged_in.connect(trust_test_client_login, dispatch_uid="vigil_trust_test_client_login")

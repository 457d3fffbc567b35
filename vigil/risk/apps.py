from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured


class RiskConfig(AppConfig):
    name = "vigil.risk"
    label = "risk"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # An unknown or malformed instrument file stops start-up, naming the file and the key,
        # rather than failing the first officer who opens the form.
        from vigil.risk.catalogue import InstrumentError, all_instruments

        try:
            all_instruments()
        except InstrumentError as error:
            raise ImproperlyConfigured(f"Risk instruments: {error}") from error

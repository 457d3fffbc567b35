"""How a message leaves Vigil: Django's email framework (SMTP by default), or GOV.UK Notify.

`VIGIL_NOTIFICATIONS_BACKEND` chooses: `email` (the default; Django's EMAIL_BACKEND, which is
SMTP unless VIGIL_EMAIL_BACKEND says otherwise) or `govuk_notify` (the notifications-python-client,
with VIGIL_NOTIFY_API_KEY and one email template whose subject is ((subject)) and whose body
is ((body))). A backend returns the provider's reference, or raises `DeliveryError`."""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.message import make_msgid

from vigil.notifications.models import Message


class DeliveryError(Exception):
    """The message could not be handed over. `permanent` failures are not retried."""

    def __init__(self, text: str, *, permanent: bool = False) -> None:
        super().__init__(text)
        self.permanent = permanent


class Backend(Protocol):
    name: str

    def send(self, message: Message) -> str: ...


class EmailBackend:
    name = "email"

    def send(self, message: Message) -> str:
        import smtplib

        msgid = make_msgid(domain=settings.VIGIL_EMAIL_DOMAIN)
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[f"{message.to_name} <{message.to_address}>" if message.to_name else message.to_address],
            headers={"Message-ID": msgid, "X-Vigil-Template": message.template},
            connection=get_connection(fail_silently=False),
        )
        try:
            email.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as error:
            codes = {code for code, _ in error.recipients.values()}
            raise DeliveryError(
                f"the mail server refused the address: {error.recipients}", permanent=all(c >= 500 for c in codes)
            ) from error
        except (smtplib.SMTPException, OSError) as error:
            raise DeliveryError(f"{type(error).__name__}: {error}") from error
        return msgid


class NotifyBackend:
    name = "govuk_notify"

    def send(self, message: Message) -> str:
        from notifications_python_client.errors import HTTPError
        from notifications_python_client.notifications import NotificationsAPIClient

        client = NotificationsAPIClient(settings.VIGIL_NOTIFY_API_KEY, base_url=settings.VIGIL_NOTIFY_BASE_URL, timeout=20)
        try:
            response = client.send_email_notification(
                email_address=message.to_address,
                template_id=settings.VIGIL_NOTIFY_TEMPLATE_ID,
                personalisation={"subject": message.subject, "body": message.body},
                reference=f"vigil-{message.pk}",
            )
        except HTTPError as error:
            status = getattr(error, "status_code", 0) or 0
            raise DeliveryError(
                f"GOV.UK Notify refused it ({status}): {error}", permanent=400 <= status < 500 and status != 429
            ) from error
        except OSError as error:
            raise DeliveryError(f"GOV.UK Notify could not be reached: {error}") from error
        return str(response.get("id", ""))


def backend() -> Backend:
    if settings.VIGIL_NOTIFICATIONS_BACKEND == "govuk_notify":
        return NotifyBackend()
    return EmailBackend()

from tests.notifications.smtp import smtp  # noqa: F401

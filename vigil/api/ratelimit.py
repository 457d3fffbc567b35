"""Each client's rate limit: requests per minute, in fixed one-minute windows counted in the
database (every web process sees the same count), under the window row's lock."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F

from vigil.api.models import ApiClient, ApiRateWindow
from vigil.api.problems import ApiProblem
from vigil.core import times


def _count(client: ApiClient, window: dt.datetime) -> int:
    with transaction.atomic():
        updated = ApiRateWindow.objects.filter(client=client, window=window).update(count=F("count") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    ApiRateWindow.objects.create(client=client, window=window, count=1)
                    # Old windows count for nothing; keep the table small.
                    ApiRateWindow.objects.filter(client=client, window__lt=window - dt.timedelta(minutes=5)).delete()
                return 1
            except IntegrityError:  # another process opened the window first
                ApiRateWindow.objects.filter(client=client, window=window).update(count=F("count") + 1)
        return ApiRateWindow.objects.get(client=client, window=window).count


def rate_limit_check(client: ApiClient) -> None:
    """Count this call; over the limit, refuse it (429) saying when to try again."""
    now = times.now()
    window = now.replace(second=0, microsecond=0)
    count = _count(client, window)
    if count > client.rate_limit:
        wait = max(1, 60 - now.second)
        raise ApiProblem(
            429,
            "rate-limited",
            f"This client may make {client.rate_limit} requests a minute; try again in {wait} seconds.",
            headers={"Retry-After": str(wait)},
        )

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def vigil(request: HttpRequest) -> dict[str, Any]:
    return {"service_name": "Vigil"}

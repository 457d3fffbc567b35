"""Feeds from devices: alarm presses from an alarm-receiving centre, and location fixes from
an electronic-monitoring provider."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["feeds"])

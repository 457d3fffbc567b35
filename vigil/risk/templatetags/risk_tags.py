from __future__ import annotations

from typing import Any

from django import template

from vigil.cases.models import Case
from vigil.risk.selectors import risk_panel as build_risk_panel

register = template.Library()


@register.simple_tag
def risk_panel(case: Case) -> dict[str, Any]:
    """`{% risk_panel case as risk %}`: the risk history, chart and next review of a case."""
    return build_risk_panel(case)

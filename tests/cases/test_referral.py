"""A case referred, with the victim's consent, to a partner-agency adviser: named on it, seen by
the adviser from then on, audited; only an adviser can be the one referred to."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from tests.actions.builders import make_case
from tests.factories import UserFactory
from vigil.audit.models import AuditEvent
from vigil.cases.models import CaseAccess
from vigil.cases.services import case_refer_to_adviser
from vigil.core.access import cases_for_user
from vigil.core.constants import Role

pytestmark = pytest.mark.django_db


def test_the_adviser_sees_a_case_once_it_is_referred_with_consent(officer: Any) -> None:
    adviser = UserFactory(username="adviser", role=Role.IDVA, team=None)
    case = make_case(actor=officer, team=officer.team)
    assert not cases_for_user(adviser).filter(pk=case.pk).exists()

    case_refer_to_adviser(actor=officer, case=case, adviser=adviser)
    case_refer_to_adviser(actor=officer, case=case, adviser=adviser)  # twice is once

    case.refresh_from_db()
    assert case.referred_with_consent
    assert CaseAccess.objects.filter(case=case, user=adviser, allocated=False).count() == 1
    assert cases_for_user(adviser).filter(pk=case.pk).exists()
    assert AuditEvent.objects.filter(action="case.refer_adviser", actor=officer).count() == 1


def test_only_an_active_adviser_can_be_referred_to(officer: Any, outsider: Any) -> None:
    case = make_case(actor=officer, team=officer.team)
    with pytest.raises(ValidationError, match="not an active independent domestic violence adviser"):
        case_refer_to_adviser(actor=officer, case=case, adviser=outsider)
    case.refresh_from_db()
    assert not case.referred_with_consent and not CaseAccess.objects.filter(user=outsider).exists()

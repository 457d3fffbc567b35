from vigil.audit.admin_base import register_read_only
from vigil.cases.models import (
    AssessmentAnswer,
    Case,
    CaseAccess,
    ContactAttempt,
    Flag,
    Intelligence,
    JusticeEvent,
    Report,
    RiskAssessment,
    RiskChange,
    Sighting,
)

register_read_only(
    Case,
    CaseAccess,
    RiskChange,
    Report,
    RiskAssessment,
    AssessmentAnswer,
    Flag,
    Sighting,
    ContactAttempt,
    Intelligence,
    JusticeEvent,
)

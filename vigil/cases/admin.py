from vigil.core.admin_base import register_read_only
from vigil.cases.models import Case, CaseAccess, RiskChange, Report, RiskAssessment, AssessmentAnswer, Flag, Sighting, ContactAttempt, Intelligence, JusticeEvent

register_read_only(Case, CaseAccess, RiskChange, Report, RiskAssessment, AssessmentAnswer, Flag, Sighting, ContactAttempt, Intelligence, JusticeEvent)

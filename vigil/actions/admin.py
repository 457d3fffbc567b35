from vigil.core.admin_base import register_read_only
from vigil.actions.models import Action, Escalation, Decision

register_read_only(Action, Escalation, Decision)

from vigil.actions.models import Action, Decision, Escalation
from vigil.audit.admin_base import register_read_only

register_read_only(Action, Escalation, Decision)

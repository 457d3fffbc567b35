from vigil.audit.models import AuditEvent
from vigil.core.admin_base import register_read_only

register_read_only(AuditEvent)

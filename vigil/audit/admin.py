from vigil.audit.admin_base import register_read_only
from vigil.audit.models import AuditEvent

register_read_only(AuditEvent)

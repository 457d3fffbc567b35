from vigil.audit.admin_base import register_read_only
from vigil.warrants.models import Warrant

register_read_only(Warrant)

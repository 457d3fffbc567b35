from vigil.alarms.models import Alarm, AlarmActivation
from vigil.audit.admin_base import register_read_only

register_read_only(Alarm, AlarmActivation)

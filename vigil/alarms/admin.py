from vigil.core.admin_base import register_read_only
from vigil.alarms.models import Alarm, AlarmActivation

register_read_only(Alarm, AlarmActivation)

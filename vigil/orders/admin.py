from vigil.audit.admin_base import register_read_only
from vigil.orders.models import Breach, OrderCondition, ProtectiveOrder

register_read_only(ProtectiveOrder, OrderCondition, Breach)

from vigil.audit.admin_base import register_read_only
from vigil.people.models import BlockingKey, Person, PersonAlias, PersonLink, Place, Relationship

register_read_only(Place, Person, PersonAlias, Relationship, PersonLink, BlockingKey)

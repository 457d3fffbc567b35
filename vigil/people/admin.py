from vigil.core.admin_base import register_read_only
from vigil.people.models import Place, Person, PersonAlias, Relationship, PersonLink, BlockingKey

register_read_only(Place, Person, PersonAlias, Relationship, PersonLink, BlockingKey)

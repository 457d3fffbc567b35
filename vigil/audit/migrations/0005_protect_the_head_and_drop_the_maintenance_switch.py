"""On PostgreSQL the audit trail's head is protected like the trail, and the maintenance switch
is gone.

- `audit_auditevent`: UPDATE and DELETE are refused to everyone; TRUNCATE only to the table's
  owner (the role that runs migrations, which could lift the trigger anyway). The old
  `vigil.audit_maintenance` setting, which any connection could SET, no longer does anything.
- `audit_audithead`: DELETE is refused; TRUNCATE only to the owner; an INSERT or UPDATE must
  name a row that is in the trail (its seq and hash) and may never move the head back.

The application connects as a role that does not own the tables and is granted no TRUNCATE,
no UPDATE or DELETE on the trail and no DELETE on the head (vigil/core/dbroles.py), so it
cannot empty the trail or roll the head back; the triggers also stop the owner's mistakes.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION vigil_is_table_owner(relation oid) RETURNS boolean AS $$
    SELECT pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = relation), 'MEMBER');
$$ LANGUAGE sql STABLE;

CREATE OR REPLACE FUNCTION audit_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND vigil_is_table_owner(TG_RELID) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit_auditevent is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION audit_audithead_forward_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND vigil_is_table_owner(TG_RELID) THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('DELETE', 'TRUNCATE') THEN
        RAISE EXCEPTION 'audit_audithead cannot be removed: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.seq < OLD.seq THEN
        RAISE EXCEPTION 'audit_audithead only moves forward: seq % after %', NEW.seq, OLD.seq
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM audit_auditevent WHERE seq = NEW.seq AND hash = NEW.hash) THEN
        RAISE EXCEPTION 'audit_audithead must name a row of the trail: seq % is not there with that hash', NEW.seq
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS audit_audithead_guard ON audit_audithead;
CREATE TRIGGER audit_audithead_guard
    BEFORE INSERT OR UPDATE OR DELETE ON audit_audithead
    FOR EACH ROW EXECUTE FUNCTION audit_audithead_forward_only();

DROP TRIGGER IF EXISTS audit_audithead_no_truncate ON audit_audithead;
CREATE TRIGGER audit_audithead_no_truncate
    BEFORE TRUNCATE ON audit_audithead
    FOR EACH STATEMENT EXECUTE FUNCTION audit_audithead_forward_only();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_audithead_no_truncate ON audit_audithead;
DROP TRIGGER IF EXISTS audit_audithead_guard ON audit_audithead;
DROP FUNCTION IF EXISTS audit_audithead_forward_only();
CREATE OR REPLACE FUNCTION audit_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND current_setting('vigil.audit_maintenance', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit_auditevent is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP FUNCTION IF EXISTS vigil_is_table_owner(oid);
"""


def _run(schema_editor, sql):
    # A plain cursor without parameters, so the '%' in RAISE is not taken for a placeholder.
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql)


def forward(apps, schema_editor):
    _run(schema_editor, CREATE)


def backward(apps, schema_editor):
    _run(schema_editor, DROP)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0004_refuse_update_delete_on_postgresql"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
    ]

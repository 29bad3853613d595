from django.db import migrations

# Audit events are append-only (wards.models.AuditEvent). On PostgreSQL the database itself
# refuses UPDATE and DELETE from any client, not only from the ORM: a shell, a script or a
# compromised app account cannot rewrite who looked at whom. TRUNCATE stays possible (the test
# runner's flush; a deliberate act by the database owner). SQLite has only the ORM's guard.
APPEND_ONLY = """
CREATE OR REPLACE FUNCTION wards_auditevent_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'wards_auditevent rows are append-only: % refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER wards_auditevent_append_only BEFORE UPDATE OR DELETE ON wards_auditevent
    FOR EACH ROW EXECUTE FUNCTION wards_auditevent_append_only();
"""
WRITABLE = """
DROP TRIGGER IF EXISTS wards_auditevent_append_only ON wards_auditevent;
DROP FUNCTION IF EXISTS wards_auditevent_append_only();
"""


def append_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY, params=None)


def writable(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(WRITABLE, params=None)


class Migration(migrations.Migration):
    dependencies = [("wards", "0002_team_contact_due_days")]

    operations = [migrations.RunPython(append_only, writable)]

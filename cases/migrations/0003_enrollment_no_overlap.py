"""No two overlapping enrolments of one person in one programme, enforced by PostgreSQL.

An exclusion constraint over (person, programme, [started_on, ended_on]) with an open
enrolment running forever. SQLite has no exclusion constraints, so there this migration does
nothing and `cases.services.enrollment_start` is the only guard (it checks on every backend).
The constraint is not in `Enrollment.Meta` because Django's ExclusionConstraint would make the
model PostgreSQL-only.
"""

from django.db import migrations

NAME = "cases_enrollment_no_overlap"

# btree_gist lets a GiST index compare the two ids with "="; it is a trusted extension.
EXTENSION = "CREATE EXTENSION IF NOT EXISTS btree_gist"
CREATE = f"""
ALTER TABLE cases_enrollment ADD CONSTRAINT {NAME} EXCLUDE USING gist (
    person_id WITH =,
    programme_id WITH =,
    daterange(started_on, ended_on, '[]') WITH &&
)
"""

DROP = f"ALTER TABLE cases_enrollment DROP CONSTRAINT IF EXISTS {NAME}"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(EXTENSION, params=None)
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_programmes")]

    operations = [migrations.RunPython(create, drop)]

"""Grant the application's PostgreSQL role what it needs, and no more (docs/deploy.md).

Run by the database owner — the role that runs `migrate` and owns every table — after each
`migrate`. The application's role reads and writes every table except the audit trail, which it
may only read and append to: no UPDATE, DELETE or TRUNCATE, and, as it owns nothing, no ALTER,
DROP or trigger change either. So the append-only audit holds against the application itself.
Idempotent: it states the whole grant each time, and checks the result.
"""

from __future__ import annotations

import re

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from wards.models import AuditEvent

ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
# What the application's role must not hold on the audit table, by any route (a grant to it, to
# PUBLIC, or to a role it belongs to).
FORBIDDEN_ON_AUDIT = ("UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
COLUMN_PRIVILEGES = ("UPDATE", "REFERENCES")


class Command(BaseCommand):
    help = (
        "Grant the application's PostgreSQL role SELECT, INSERT, UPDATE and DELETE on every "
        "table (and on future ones), but only SELECT and INSERT on the audit trail. Run by the "
        "owner of the tables after every migrate; the application's role must own nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--app-role",
            required=True,
            help="The role in the application's DATABASE_URL, e.g. donghanh_app.",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, app_role: str, database: str, **options) -> None:
        connection = connections[database]
        if connection.vendor != "postgresql":
            raise CommandError("db_roles needs PostgreSQL: SQLite has no roles.")
        if not ROLE_NAME.fullmatch(app_role):
            raise CommandError(
                f"Invalid role name «{app_role}»: lowercase letters, digits and _ only."
            )
        role = connection.ops.quote_name(app_role)
        audit_table = AuditEvent._meta.db_table
        audit = connection.ops.quote_name(audit_table)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in AuditEvent._meta.fields)

        with transaction.atomic(using=database), connection.cursor() as cursor:
            cursor.execute(
                "SELECT rolsuper, current_user, current_schema() FROM pg_roles WHERE rolname = %s",
                [app_role],
            )
            row = cursor.fetchone()
            if row is None:
                raise CommandError(
                    f"No role «{app_role}». Create it first, as the PostgreSQL superuser: "
                    f"CREATE ROLE {app_role} LOGIN PASSWORD '…';"
                )
            superuser, owner, schema = row
            if superuser:
                raise CommandError(
                    f"«{app_role}» is a superuser: it bypasses every grant. Use a plain role."
                )
            if app_role == owner:
                raise CommandError(
                    f"«{app_role}» is the role running this command, the tables' owner. "
                    "Run db_roles as the owner, naming the application's own role."
                )
            cursor.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = %s AND tableowner = %s",
                [schema, app_role],
            )
            owned = [name for (name,) in cursor.fetchall()]
            if owned:
                raise CommandError(
                    f"«{app_role}» owns {len(owned)} table(s) ({', '.join(owned[:5])}…): an "
                    f"owner may alter, truncate or drop them. As the superuser: "
                    f"REASSIGN OWNED BY {app_role} TO {owner};"
                )
            # A schema's owner may drop any table in it; on PostgreSQL 15 the database's owner
            # owns the public schema (pg_database_owner).
            cursor.execute(
                "SELECT pg_has_role(%s, nspowner, 'USAGE') FROM pg_namespace WHERE nspname = %s",
                [app_role, schema],
            )
            if cursor.fetchone()[0]:
                raise CommandError(
                    f"«{app_role}» owns the schema «{schema}» (or the database, which owns "
                    f"it): it may drop any table there, the audit trail's too. As the "
                    f"superuser: ALTER DATABASE … OWNER TO {owner}; ALTER SCHEMA {schema} "
                    f"OWNER TO {owner};"
                )
            schema_q = connection.ops.quote_name(schema)
            for statement in (
                f"GRANT USAGE ON SCHEMA {schema_q} TO {role}",
                # Exactly the row operations on every table; nothing that changes a table.
                f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema_q} FROM {role}",
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema_q} "
                f"TO {role}",
                f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema_q} FROM {role}",
                f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema_q} TO {role}",
                # The audit trail: read and append only, column grants included.
                f"REVOKE ALL ON TABLE {audit} FROM {role}, PUBLIC",
                f"REVOKE ALL ({columns}) ON TABLE {audit} FROM {role}, PUBLIC",
                f"GRANT SELECT, INSERT ON TABLE {audit} TO {role}",
                # Tables and sequences that later migrations create (as this owner).
                f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema_q} GRANT SELECT, INSERT, UPDATE, "
                f"DELETE ON TABLES TO {role}",
                f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema_q} GRANT USAGE, SELECT ON "
                f"SEQUENCES TO {role}",
            ):
                cursor.execute(statement)

            # Check the result as PostgreSQL sees it, inherited rights included.
            held = []
            for privilege in FORBIDDEN_ON_AUDIT:
                # has_any_column_privilege also sees a grant on a single column.
                check = (
                    "has_any_column_privilege"
                    if privilege in COLUMN_PRIVILEGES
                    else ("has_table_privilege")
                )
                cursor.execute(f"SELECT {check}(%s, %s, %s)", [app_role, audit_table, privilege])
                if cursor.fetchone()[0]:
                    held.append(privilege)
            # A member of the owner may SET ROLE to it, and the owner may do anything.
            cursor.execute("SELECT pg_has_role(%s, %s, 'MEMBER')", [app_role, owner])
            if cursor.fetchone()[0]:
                held.append(f"MEMBER OF {owner}")
            if held:
                raise CommandError(
                    f"«{app_role}» still holds {', '.join(held)} on {audit_table}, through "
                    "PUBLIC or a role it belongs to. Revoke that grant or membership and run "
                    "db_roles again."
                )
        self.stdout.write(
            f"«{app_role}»: SELECT, INSERT, UPDATE, DELETE on the tables of «{schema}» "
            f"(and future ones); SELECT, INSERT only on {audit_table}."
        )

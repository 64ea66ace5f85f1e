"""A created row is recorded whole, created_at and updated_at included.

Taking the two stamps out of each row's jsonb (`to_jsonb(n) - 'created_at' - 'updated_at'`) cost
as much as building it: 1,0 s of the 2,7 s the trail took for 100.000 imported workers. They say
nothing the event's own time does not, and readers leave them out (privacy.selectors.QUIET_COLUMNS).
"""

from django.db import migrations

INSERTED = """
CREATE OR REPLACE FUNCTION audit_rows_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_event (at, table_name, row_id, action, before, after,
                             actor_id, roster_import_id, request_id, ip)
    SELECT now(), TG_TABLE_NAME, n.id, 'I', NULL, {after},
           c.actor_id, c.import_id, c.request_id, c.ip
    FROM new_rows n, audit_context() c;
    RETURN NULL;
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_breach_query_indexes")]

    operations = [
        migrations.RunSQL(
            INSERTED.format(after="to_jsonb(n)"),
            INSERTED.format(after="to_jsonb(n) - 'created_at' - 'updated_at'"),
        )
    ]

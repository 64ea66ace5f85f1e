"""`make bench`'s floor: what the rows of a first import cost the database to write, however the
apply is written, and what each guarantee the issue keeps adds to that.

After a first import into empty tables, `write_floor()` copies what it left (its workers,
employments and enrolments) into scratch tables made like theirs, three times, in one
transaction that it rolls back:

1. with their indexes and checks only;
2. with their foreign keys too, checked per row as the apply has them (immediate);
3. with the trail's statement triggers too, stamped with the import as the apply stamps them.

Each copy is one plain `INSERT … SELECT` of finished rows in id order: no staging, no joins, no
conflict handling, no comparison. The three figures are therefore lower bounds of the apply's
workers, employments and enrolments phases, measured in the same run, on the same machine.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from django.db import connection, transaction

from audit.context import audit_stamp

# In the order their foreign keys need: employments and enrolments name workers.
TABLES = ("enrolment_worker", "enrolment_employment", "enrolment_enrolment")
PREFIX = "floor_"

FOREIGN_KEYS_SQL = """
SELECT conname, pg_get_constraintdef(oid)
FROM pg_constraint
WHERE conrelid = %s::regclass AND contype = 'f'
ORDER BY conname
"""


@dataclass
class Floor:
    rows: dict[str, int] = field(default_factory=dict)
    # seconds per table, for each of the three copies
    indexes: dict[str, float] = field(default_factory=dict)
    keys: dict[str, float] = field(default_factory=dict)
    trail: dict[str, float] = field(default_factory=dict)
    # the foreign keys the second and third copies were checked against, as "table definition"
    foreign_keys: list[str] = field(default_factory=list)


def write_floor(*, roster_import_id: int) -> Floor:
    """The three copies of what the import `roster_import_id` left; nothing stays behind."""
    floor = Floor()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        audit_stamp(actor_id=None, roster_import_id=roster_import_id)
        for table in TABLES:
            cursor.execute(
                f"CREATE TABLE {PREFIX}{table} (LIKE {table} "
                "INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)"
            )
            cursor.execute(f"SELECT count(*) FROM {table}")
            floor.rows[table] = cursor.fetchone()[0]
        _copy(cursor, floor.indexes)
        for table in TABLES:
            cursor.execute(FOREIGN_KEYS_SQL, [table])
            for name, definition in cursor.fetchall():
                for referenced in TABLES:  # a key between the three names the copy
                    definition = definition.replace(
                        f"REFERENCES {referenced}(", f"REFERENCES {PREFIX}{referenced}("
                    )
                cursor.execute(
                    f"ALTER TABLE {PREFIX}{table} ADD CONSTRAINT {PREFIX}{name} {definition}"
                )
                floor.foreign_keys.append(f"{PREFIX}{table} {definition}")
        _copy(cursor, floor.keys)
        for table in TABLES:
            cursor.execute(
                f"CREATE TRIGGER {PREFIX}{table}_trail AFTER INSERT ON {PREFIX}{table} "
                "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
                "EXECUTE FUNCTION audit_rows_inserted()"
            )
        _copy(cursor, floor.trail)
        transaction.set_rollback(True)  # nothing of the copies stays
    return floor


def _copy(cursor, seconds: dict[str, float]) -> None:
    """Empty the copies, then fill each from its table, timed."""
    cursor.execute(f"TRUNCATE {', '.join(PREFIX + t for t in TABLES)}")
    for table in TABLES:
        started = time.perf_counter()
        cursor.execute(f"INSERT INTO {PREFIX}{table} SELECT * FROM {table} ORDER BY id")
        seconds[table] = time.perf_counter() - started

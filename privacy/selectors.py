"""Reads for the person's rights and for a breach (UU 27/2022): the data-subject report (what
Sinergi holds about one person, where it came from, every change and every access) and the
breach query (the people and fields one user or one address touched in a window).

Callers scope first: `subject_report` takes a worker the user may already see
(`enrolment.selectors.worker_get`); `access_report` is for the operators who run
`manage.py access_report`, who see everything.
"""

from __future__ import annotations

import datetime as dt
import heapq
import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import DateField, Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from accounts.models import AccessLog, PersonalField, User
from audit.models import TRAILED_TABLES, Event
from audit.selectors import events_of_worker
from enrolment.models import (
    Employment,
    Enrolment,
    EnrolmentChange,
    Program,
    Restriction,
    RosterImport,
    Worker,
    WorkerCategory,
)
from partners.models import Agreement, Institution
from regions.models import Regency

PERSON_TABLES = ("enrolment_worker", "enrolment_employment", "enrolment_enrolment")
# Columns that say nothing about the person: the row's own id, the person it belongs to, stamps.
QUIET_COLUMNS = {"id", "worker_id", "created_at", "updated_at"}


# --- the data-subject report -----------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


@dataclass
class Change:
    """One recorded change of the person's data: from the trail, or, before the trail began,
    from the import's worker-change rows and the enrolment history."""

    at: dt.datetime
    subject: str  # "Personal data", "Employment at …", "Enrolment JKK"
    action: str
    fields: list[FieldChange]
    by: str
    roster_import_id: int | None = None
    ip: str = ""


@dataclass
class Access:
    at: dt.datetime
    user: User
    action: str
    what: str
    fields: list[str]
    ip: str
    rows: int


@dataclass
class SubjectReport:
    """Everything Sinergi holds about one person, made at `made_at`."""

    worker: Worker
    made_at: dt.datetime
    person: list[tuple[str, str]]
    employments: list[Employment]
    enrolments: list[Enrolment]
    imports: list[RosterImport]
    restrictions: list[Restriction] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    accesses: list[Access] = field(default_factory=list)


def subject_find(*, user: User, nik: str) -> Worker | None:
    """The person with this NIK among the workers the user sees; None for anyone else, so a
    NIK outside the user's region reads like one Sinergi does not hold."""
    from enrolment.selectors import workers_for

    return workers_for(user).filter(nik=nik).first()


def _date(value) -> str:
    if isinstance(value, dt.date):
        return f"{value:%d-%m-%Y}"
    if isinstance(value, str) and len(value) == 10 and value[4] == "-":  # a date from the trail
        return f"{value[8:10]}-{value[5:7]}-{value[0:4]}"
    return str(value)


class _Readable:
    """Turns a trail row's columns into labels and values a person reads: names for the ids of
    institutions, categories, programs, regencies and agreements (one query each, for all the
    report's events at once), the choices' labels, dates as DD-MM-YYYY."""

    MODELS = {
        "enrolment_worker": Worker,
        "enrolment_employment": Employment,
        "enrolment_enrolment": Enrolment,
    }

    def __init__(self, rows: list[dict], employments: list[Employment]):
        def ids(column: str) -> set:
            return {row[column] for row in rows if row.get(column) is not None}

        self.names = {
            "institution_id": {
                **{e.institution_id: e.institution.name for e in employments},
                **dict(
                    Institution.objects.filter(
                        pk__in=ids("institution_id") - {e.institution_id for e in employments}
                    ).values_list("pk", "name")
                ),
            },
            "category_id": dict(WorkerCategory.objects.values_list("pk", "name")),
            "program_id": dict(Program.objects.values_list("pk", "code")),
            "regency_id": dict(
                Regency.objects.filter(pk__in=ids("regency_id")).values_list("pk", "name")
            ),
            "agreement_id": dict(
                Agreement.objects.filter(pk__in=ids("agreement_id")).values_list("pk", "title")
            ),
        }
        self.fields = {
            table: {f.attname: f for f in model._meta.concrete_fields}
            for table, model in self.MODELS.items()
        }

    def label(self, table: str, column: str) -> str:
        found = self.fields.get(table, {}).get(column)
        if found is None:
            return column
        if found.is_relation and found.verbose_name == found.name.replace("_", " "):
            return str(capfirst(found.related_model._meta.verbose_name))  # named by its model
        return str(capfirst(found.verbose_name))

    def value(self, table: str, column: str, value) -> str:
        if value in (None, ""):
            return "—"
        if column in self.names:
            return str(self.names[column].get(value, f"#{value}"))
        if column == "source_import_id":
            return _("Import #%(n)s") % {"n": value}
        found = self.fields.get(table, {}).get(column)
        if found is not None and found.choices:
            return str(dict(found.choices).get(value, value))
        if isinstance(found, DateField):
            return _date(value)
        return str(value)

    def changes(self, table: str, before: dict | None, after: dict | None) -> list[FieldChange]:
        before, after = before or {}, after or {}
        columns = [c for c in {**before, **after} if c not in QUIET_COLUMNS]
        if not before:  # a new row: what it was given, not each empty column
            columns = [c for c in columns if after.get(c) not in (None, "")]
        return [
            FieldChange(
                self.label(table, column),
                self.value(table, column, before.get(column)) if before else "",
                self.value(table, column, after.get(column)) if after else "",
            )
            for column in columns
        ]


def _who(user: User | None, roster_import_id: int | None) -> str:
    name = f"{user} ({user.username})" if user is not None else ""
    if roster_import_id:
        through = _("Import #%(n)s") % {"n": roster_import_id}
        return f"{through} · {name}" if name else through
    return name or "Sinergi"


def subject_report(*, worker: Worker) -> SubjectReport:
    """The report on one person, in a fixed number of queries however long their history:
    employments, enrolments, trail events, the trail's first event, worker changes and
    enrolment history from before the trail, the imports, the names the events refer to
    (institutions, categories, programs, regencies, agreements), the restrictions of
    processing and the accesses.

    Changes come from the trail (`audit`), which records every write of the person, their
    employments and enrolments. The worker-change rows and enrolment history that imports
    write as well are listed only from before the trail began, so nothing is listed twice."""
    employments = list(
        worker.employments.select_related("institution", "category").order_by("start_date", "pk")
    )
    enrolments = list(
        worker.enrolments.select_related("program", "agreement").order_by(
            "program__sort_order", "program__code"
        )
    )
    events = list(events_of_worker(worker))
    trail_began = Event.objects.order_by("pk").values_list("at", flat=True).first()
    legacy = Q() if trail_began is None else Q(at__lt=trail_began)
    worker_changes = list(worker.changes.filter(legacy).order_by("-at", "-pk"))
    enrolment_history = list(
        EnrolmentChange.objects.filter(legacy, enrolment__worker=worker)
        .select_related("actor", "enrolment__program")
        .order_by("-at", "-pk")
    )

    rows = [row for event in events for row in (event.before, event.after) if row]
    rows.append({"regency_id": worker.regency_id})
    readable = _Readable(rows, employments)
    by_employment = {e.pk: e for e in employments}
    by_enrolment = {e.pk: e for e in enrolments}
    programs = readable.names["program_id"]
    actions = dict(Event.Action.choices)

    def subject(event: Event) -> str:
        row = event.after or event.before or {}
        if event.table_name == "enrolment_employment":
            employment = by_employment.get(event.row_id)
            institution_id = employment.institution_id if employment else row.get("institution_id")
            unit = employment.work_unit if employment else row.get("work_unit", "")
            place = readable.value(event.table_name, "institution_id", institution_id)
            return _("Employment at %(place)s") % {"place": f"{place} — {unit}" if unit else place}
        if event.table_name == "enrolment_enrolment":
            enrolment = by_enrolment.get(event.row_id)
            code = enrolment.program.code if enrolment else programs.get(row.get("program_id"))
            return _("Enrolment %(program)s") % {"program": code or f"#{event.row_id}"}
        return _("Personal data")

    changes = [
        Change(
            at=event.at,
            subject=subject(event),
            action=str(actions.get(event.action, event.action)),
            fields=readable.changes(event.table_name, event.before, event.after),
            by=_who(event.actor, event.roster_import_id),
            roster_import_id=event.roster_import_id,
            ip=event.ip or "",
        )
        for event in events
    ]
    for change in worker_changes:
        before = {
            key: (pair[0] if isinstance(pair, list) else None)
            for key, pair in change.changes.items()
        }
        after = {
            key: (pair[-1] if isinstance(pair, list) else pair)
            for key, pair in change.changes.items()
        }
        changes.append(
            Change(
                at=change.at,
                subject=_("Personal data"),
                action=str(actions["U"]),
                fields=readable.changes("enrolment_worker", before, after),
                by=_who(None, change.roster_import_id),
                roster_import_id=change.roster_import_id,
            )
        )
    statuses = dict(Enrolment.Status.choices)
    for change in enrolment_history:
        changes.append(
            Change(
                at=change.at,
                subject=_("Enrolment %(program)s") % {"program": change.enrolment.program.code},
                action=str(actions["U"] if change.before else actions["I"]),
                fields=[
                    FieldChange(
                        readable.label("enrolment_enrolment", "status"),
                        str(statuses.get(change.before, change.before)) if change.before else "",
                        " — ".join(
                            filter(
                                None, [str(statuses.get(change.after, change.after)), change.note]
                            )
                        ),
                    )
                ],
                by=_who(change.actor, change.roster_import_id),
                roster_import_id=change.roster_import_id,
            )
        )
    changes.sort(key=lambda change: change.at, reverse=True)

    import_ids = {e.source_import_id for e in employments}
    import_ids |= {e.source_import_id for e in enrolments}
    import_ids |= {c.roster_import_id for c in changes}
    import_ids.discard(None)
    imports = list(
        RosterImport.objects.filter(pk__in=import_ids)
        .select_related("institution", "uploaded_by", "applied_by")
        .order_by("created_at", "pk")
    )

    labels = dict(PersonalField.choices)
    access_actions = dict(AccessLog.Action.choices)
    accesses = [
        Access(
            at=log.at,
            user=log.user,
            action=str(access_actions.get(log.action, log.action)),
            what=log.what,
            fields=[str(labels.get(name, name)) for name in log.fields],
            ip=log.ip or "",
            rows=log.rows,
        )
        for log in AccessLog.objects.filter(Q(worker=worker) | Q(workers__contains=[worker.pk]))
        .select_related("user")
        .defer("workers")  # an export's ids: up to millions, and only the filter needs them
        .order_by("-at", "-pk")
    ]
    return SubjectReport(
        worker=worker,
        made_at=timezone.now(),
        person=_person(worker, readable),
        employments=employments,
        enrolments=enrolments,
        imports=imports,
        restrictions=list(
            worker.restrictions.select_related("set_by", "lifted_by").order_by("-set_at", "-pk")
        ),
        changes=changes,
        accesses=accesses,
    )


def _person(worker: Worker, readable: _Readable) -> list[tuple[str, str]]:
    table = "enrolment_worker"
    columns = ["nik", "full_name", "birth_date", "sex", "birth_place", "phone", "address"]
    person = [
        (readable.label(table, c), readable.value(table, c, getattr(worker, c))) for c in columns
    ]
    person += [
        (
            readable.label(table, "regency_id"),
            readable.value(table, "regency_id", worker.regency_id),
        ),
        (readable.label(table, "kpj"), worker.kpj or "—"),
        (
            _("Recorded in Sinergi since"),
            timezone.localtime(worker.created_at).strftime("%d-%m-%Y %H:%M"),
        ),
    ]
    return person


# --- the breach query ------------------------------------------------------------------------


@dataclass(frozen=True)
class Touch:
    """One person touched by one act: viewed or exported (access log), or changed (trail)."""

    at: dt.datetime
    username: str
    ip: str
    action: str  # "view", "export" or "change"
    what: str
    worker_id: int | None
    nik: str
    full_name: str
    fields: tuple[str, ...]


# An act that names no one (a page of a list written before the log named people) still shows.
ACCESSES_SQL = """
SELECT a.at, u.username, host(a.ip), a.action, a.what, p.worker_id, w.nik, w.full_name, a.fields
FROM accounts_accesslog a
JOIN accounts_user u ON u.id = a.user_id
LEFT JOIN LATERAL (
    SELECT a.worker_id WHERE a.worker_id IS NOT NULL
    UNION
    SELECT unnest(a.workers)
) p(worker_id) ON true
LEFT JOIN enrolment_worker w ON w.id = p.worker_id
WHERE {who} AND a.at >= %(since)s AND a.at < %(until)s
ORDER BY a.at, a.id, p.worker_id
"""
# A change of an employment or enrolment names its person in the row the trail recorded (new
# or deleted rows) or, for an update of other columns, in the row as it is.
CHANGES_SQL = """
SELECT e.at, u.username, host(e.ip), e.table_name, e.row_id, p.person, w.nik, w.full_name,
       ARRAY(SELECT k FROM jsonb_object_keys(COALESCE(e.after, e.before)) k
             WHERE k NOT IN ('created_at', 'updated_at'))
FROM audit_event e
LEFT JOIN accounts_user u ON u.id = e.actor_id
LEFT JOIN enrolment_employment em ON e.table_name = 'enrolment_employment' AND em.id = e.row_id
LEFT JOIN enrolment_enrolment en ON e.table_name = 'enrolment_enrolment' AND en.id = e.row_id
CROSS JOIN LATERAL (
    SELECT CASE WHEN e.table_name = 'enrolment_worker' THEN e.row_id
                ELSE COALESCE((COALESCE(e.after, e.before) ->> 'worker_id')::bigint,
                              em.worker_id, en.worker_id) END
) p(person)
LEFT JOIN enrolment_worker w ON w.id = p.person
WHERE e.table_name = ANY(%(tables)s) AND {who} AND e.at >= %(since)s AND e.at < %(until)s
ORDER BY e.at, e.id
"""

# The trail's columns as the access log names what was shown.
COLUMN_FIELDS = {
    "enrolment_worker": {
        "nik": PersonalField.NIK,
        "full_name": PersonalField.FULL_NAME,
        "birth_date": PersonalField.BIRTH_DATE,
        "sex": PersonalField.SEX,
        "birth_place": PersonalField.BIRTH_PLACE,
        "phone": PersonalField.PHONE,
        "address": PersonalField.ADDRESS,
        "regency_id": PersonalField.REGENCY,
        "kpj": PersonalField.KPJ,
    },
    "enrolment_employment": {"wage": PersonalField.WAGE},
}
TABLE_FIELDS = {
    "enrolment_employment": PersonalField.EMPLOYMENT,
    "enrolment_enrolment": PersonalField.ENROLMENT,
}


def _fields_changed(table: str, columns: list[str]) -> tuple[str, ...]:
    named = COLUMN_FIELDS.get(table, {})
    found = []
    for column in columns:
        if column in QUIET_COLUMNS:
            continue
        name = named.get(column, TABLE_FIELDS.get(table))
        if name is not None and name not in found:
            found.append(name)
    return tuple(str(name) for name in found)


def parse_ip(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """An address (10.1.2.3) or a network (10.1.2.0/24); ValueError otherwise."""
    return ipaddress.ip_network(text.strip(), strict=False)


def access_report(
    *,
    since: dt.datetime,
    until: dt.datetime,
    user: User | None = None,
    ip: str | None = None,
) -> Iterator[Touch]:
    """Every person `user` (or the address or network `ip`) touched from `since` up to
    `until`, in time order: each person of each page viewed or file exported (the access log)
    and each change they made to a person, their employments or enrolments (the trail, where
    the address is the request's). A list of 100.000 people is 100.000 touches.

    Served by the access log's (user, at) and (ip, at) indexes and the trail's (actor, at),
    (ip, at) and time indexes;
    read with server-side cursors, so a report of millions streams."""
    if (user is None) == (ip is None):
        raise ValueError("give either a user or an address")
    params: dict = {"since": since, "until": until, "tables": list(PERSON_TABLES)}
    if user is not None:
        params["user"] = user.pk
        on_log, on_trail = (
            "a.user_id = %(user)s",
            "e.roster_import_id IS NULL AND e.actor_id = %(user)s",
        )
        # What their imports wrote: found by the import within the window (the trail's time
        # index), not by an index over every imported row.
        params["imports"] = list(
            RosterImport.objects.filter(
                applied_by=user, applied_at__gte=since, created_at__lt=until
            ).values_list("pk", flat=True)
        )
    else:
        network = parse_ip(ip)
        params["ip"] = str(network)
        if network.num_addresses == 1:
            params["ip"] = str(network.network_address)
            on_log, on_trail = "a.ip = %(ip)s::inet", "e.ip = %(ip)s::inet"
        else:
            on_log, on_trail = "a.ip <<= %(ip)s::inet", "e.ip <<= %(ip)s::inet"
    streams = [
        _accesses(ACCESSES_SQL.format(who=on_log), params),
        _changes(CHANGES_SQL.format(who=on_trail), params),
    ]
    if params.get("imports"):
        streams.append(
            _changes(CHANGES_SQL.format(who="e.roster_import_id = ANY(%(imports)s)"), params)
        )
    return heapq.merge(*streams, key=lambda touch: touch.at)


def _rows(sql: str, params: dict) -> Iterator[tuple]:
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(5000):
            yield from rows


def _accesses(sql: str, params: dict) -> Iterator[Touch]:
    for at, username, host, action, what, worker_id, nik, name, fields in _rows(sql, params):
        yield Touch(
            at, username, host or "", action, what, worker_id, nik or "", name or "", tuple(fields)
        )


def _changes(sql: str, params: dict) -> Iterator[Touch]:
    tables = {table: str(label) for table, label in TRAILED_TABLES.items()}
    for at, username, host, table, row_id, person, nik, name, columns in _rows(sql, params):
        yield Touch(
            at,
            username or "",
            host or "",
            "change",
            f"{tables.get(table, table)} #{row_id}",
            person,
            nik or "",
            name or "",
            _fields_changed(table, columns),
        )

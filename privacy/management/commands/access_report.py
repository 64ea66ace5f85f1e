"""`manage.py access_report --user U | --ip IP --since T [--until T]`: after a breach, the
people and fields one account or one address (or network) touched in a window, for the 3 × 24
hour notification (UU 27/2022). Lines on the screen, or a CSV or XLSX file with `--output`.

NIKs are masked unless `--full-nik`, which needs `--by` (the data protection officer's account)
and is itself written to the access log.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import tablib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AccessLog, PersonalField, User
from accounts.services import access_log_record
from audit.models import Event
from enrolment.imports.validation import mask_nik
from ops.spreadsheets import dataset_to_csv, dataset_to_xlsx
from privacy.selectors import Touch, access_report, parse_ip

FORMATS = ("text", "csv", "xlsx")


def parse_moment(text: str, *, end: bool = False) -> dt.datetime:
    """An ISO date or date and time; without an offset, in Asia/Jakarta (the settings' zone).
    A bare date starts at its midnight, or, as the end of a window, runs to the next one."""
    text = text.strip()
    zone = ZoneInfo(settings.TIME_ZONE)
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            if end:
                day += dt.timedelta(days=1)
            return dt.datetime.combine(day, dt.time(), tzinfo=zone)
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"{text!r} is not a date or time: write 2026-03-01 or 2026-03-01T14:30 "
            "(Asia/Jakarta unless an offset is given, e.g. 2026-03-01T14:30+07:00)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


class Command(BaseCommand):
    help = (
        "The people and fields a user or an address touched between two moments: each page "
        "viewed, file exported (the access log) and change made (the trail)."
    )

    def add_arguments(self, parser):
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--user", help="the username whose acts are listed")
        who.add_argument("--ip", help="an address (10.1.2.3) or a network (10.1.2.0/24)")
        parser.add_argument(
            "--since", required=True, help="from (ISO date or datetime, Asia/Jakarta)"
        )
        parser.add_argument(
            "--until", help="up to, not including (a bare date: through that day); default now"
        )
        parser.add_argument("--format", choices=FORMATS, default="text")
        parser.add_argument("--output", help="the file to write (required for csv and xlsx)")
        parser.add_argument(
            "--full-nik", action="store_true", help="whole NIKs (needs --by; written to the log)"
        )
        parser.add_argument(
            "--by", help="with --full-nik: the username of the officer who asks for the report"
        )

    def handle(self, *args, **options):
        since = parse_moment(options["since"])
        until = parse_moment(options["until"], end=True) if options["until"] else timezone.now()
        if until <= since:
            raise CommandError("--until must come after --since")
        fmt, output = options["format"], options["output"]
        if fmt != "text" and not output:
            raise CommandError(f"--format {fmt} writes a file: name it with --output")
        reader = self._reader(options) if options["full_nik"] else None
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"no user {options['user']!r}")
            subject = f"user {user.username}"
        else:
            try:
                parse_ip(options["ip"])
            except ValueError:
                raise CommandError(f"{options['ip']!r} is not an address or network") from None
            subject = f"ip {options['ip']}"

        touches = access_report(since=since, until=until, user=user, ip=options["ip"])
        cells = _Cells(whole_nik=reader is not None)
        start, end = timezone.localtime(since), timezone.localtime(until)
        window = f"{start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M} WIB"
        if fmt == "text":
            acts, people = self._print(touches, cells, f"# access report: {subject}, {window}")
        else:
            acts, people = self._write(touches, cells, fmt, output)
            self.stdout.write(f"# access report: {subject}, {window}: written to {output}")
        self.stdout.write(f"# {acts:,} acts, {len(people):,} people")
        if reader is not None:
            access_log_record(
                user=reader,
                action=AccessLog.Action.VIEW if fmt == "text" else AccessLog.Action.EXPORT,
                what=f"laporan akses {subject}, {window}"[:200],
                fields=[PersonalField.NIK, PersonalField.FULL_NAME],
                workers=people,
            )

    def _reader(self, options) -> User:
        if not options["by"]:
            raise CommandError("--full-nik needs --by: the account the access is recorded under")
        reader = User.objects.filter(username=options["by"], is_active=True).first()
        if reader is None or not reader.handles_data_requests:
            raise CommandError(
                f"{options['by']!r} is not an active national administrator or regional officer"
            )
        return reader

    def _print(self, touches, cells: _Cells, title: str) -> tuple[int, set[int]]:
        self.stdout.write(title)
        self.stdout.write("\t".join(_headers()))
        acts, people = set(), set()
        for touch in touches:
            self.stdout.write("\t".join(str(cell) for cell in cells(touch)))
            acts.add((touch.at, touch.action, touch.what))
            if touch.worker_id is not None:
                people.add(touch.worker_id)
        return len(acts), people

    def _write(self, touches, cells: _Cells, fmt: str, output: str) -> tuple[int, set[int]]:
        dataset = tablib.Dataset(headers=_headers(), title=_("Access report"))
        acts, people = set(), set()
        for touch in touches:
            dataset.append(cells(touch))
            acts.add((touch.at, touch.action, touch.what))
            if touch.worker_id is not None:
                people.add(touch.worker_id)
        if fmt == "xlsx":
            content = dataset_to_xlsx(dataset)
        else:
            content = dataset_to_csv(dataset).encode("utf-8")
        with open(output, "wb") as handle:
            handle.write(content)
        return len(acts), people


def _headers() -> list[str]:
    return [
        _("When"),
        _("Action"),
        _("User"),
        _("IP address"),
        _("Page or file"),
        _("Worker"),
        _("NIK"),
        _("Full name"),
        _("Data"),
    ]


ACTIONS = {
    "view": AccessLog.Action.VIEW.label,
    "export": AccessLog.Action.EXPORT.label,
    "change": Event.Action.UPDATE.label,
}


class _Cells:
    """A touch as the report's cells. Labels and the time zone are looked up once: a report
    of an export of 100.000 people is 100.000 lines."""

    def __init__(self, *, whole_nik: bool):
        self.zone = timezone.get_current_timezone()
        self.actions = {key: str(label) for key, label in ACTIONS.items()}
        self.show = str if whole_nik else mask_nik

    def __call__(self, touch: Touch) -> list[object]:
        return [
            f"{touch.at.astimezone(self.zone):%Y-%m-%d %H:%M:%S}",
            self.actions.get(touch.action, touch.action),
            touch.username,
            touch.ip,
            touch.what,
            touch.worker_id if touch.worker_id is not None else "",
            self.show(touch.nik) if touch.nik else "",
            touch.full_name,
            ",".join(touch.fields),
        ]

"""The roster import without a browser or a worker: the same services, in the foreground.

    python manage.py import_roster PATH --institution CODE [--agreement ID] [--dry-run] [--json]

Exit 0 when the file was processed (row errors included), 2 when the file was refused.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from enrolment import services
from enrolment.models import RosterImport
from partners.models import Agreement, Institution

REFUSED = 2
COUNTS = ["rows", "valid", "warnings", "errors", "created", "updated", "unchanged", "enrolments"]


class Command(BaseCommand):
    help = "Check and apply a roster file for an institution (by its short code)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--institution", required=True, help="the institution's short code")
        parser.add_argument("--agreement", type=int, help="the agreement's id (default: active)")
        parser.add_argument("--dry-run", action="store_true", help="check only, apply nothing")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, path: Path, institution: str, agreement, dry_run, json, **options):
        try:
            target = Institution.objects.get(code=institution)
        except Institution.DoesNotExist:
            raise CommandError(f"No institution has the code {institution!r}.") from None
        chosen = None
        if agreement is not None:
            chosen = Agreement.objects.filter(pk=agreement).first()
            if chosen is None:
                raise CommandError(f"No agreement has the id {agreement}.")
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        started = time.perf_counter()
        try:
            with path.open("rb") as handle:
                roster_import = services.roster_upload(
                    by=None,
                    institution=target,
                    upload=File(handle, name=path.name),
                    agreement=chosen,
                    enqueue=False,
                )
        except services.RosterError as error:
            refused = {key: 0 for key in COUNTS} | {
                "status": "refused",
                "file_code": error.code,
                "message": error.message,
                "import_id": error.existing.pk if error.existing else None,
                "timings": {},
                "issues": [],
            }
            return self._finish(refused, json, REFUSED)
        if roster_import.status == RosterImport.Status.UPLOADED:
            roster_import = services.roster_validate(import_id=roster_import.pk)
        if roster_import.status == RosterImport.Status.VALIDATED:
            if dry_run:
                services.roster_cancel_unattended(roster_import=roster_import)
            elif roster_import.rows_valid:
                roster_import = services.roster_apply(import_id=roster_import.pk)
        roster_import.refresh_from_db()
        code = REFUSED if roster_import.status == RosterImport.Status.REFUSED else 0
        summary = _summary(roster_import, dry_run)
        summary["seconds"] = round(time.perf_counter() - started, 3)
        return self._finish(summary, json, code)

    def _finish(self, result: dict, as_json: bool, code: int):
        if as_json:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            self.stdout.write(_human(result))
        if code:
            sys.exit(code)


def _summary(roster_import: RosterImport, dry_run: bool) -> dict:
    issues = [
        {
            "row": issue.row,
            "column": issue.column,
            "code": issue.code,
            "severity": issue.severity,
            "message": issue.message,
        }
        for issue in roster_import.issues.order_by("row", "id").iterator()
    ]
    status = roster_import.status
    if dry_run and status == RosterImport.Status.CANCELLED:
        status = "checked"
    return {
        "status": status,
        "file_code": roster_import.file_code,
        "message": roster_import.message,
        "import_id": roster_import.pk,
        "rows": roster_import.rows_total or 0,
        "valid": roster_import.rows_valid,
        "warnings": roster_import.rows_warning,
        "errors": roster_import.rows_error,
        "created": roster_import.workers_created,
        "updated": roster_import.workers_updated,
        "unchanged": roster_import.workers_unchanged,
        "enrolments": roster_import.enrolments_created,
        "timings": roster_import.timings,
        "issues": issues,
    }


def _human(result: dict) -> str:
    if result["status"] == "refused":
        return f"Refused ({result['file_code']}): {result['message']}"
    lines = [
        f"{result['status']}: {result['rows']} rows, {result['valid']} valid "
        f"({result['warnings']} with warnings), {result['errors']} with errors; "
        f"workers {result['created']} new, {result['updated']} changed, "
        f"{result['unchanged']} unchanged; {result['enrolments']} enrolments"
    ]
    lines += [
        f"  row {i['row']} {i['column']} {i['code']} ({i['severity']}): {i['message']}"
        for i in result["issues"][:50]
    ]
    if len(result["issues"]) > 50:
        lines.append(f"  … and {len(result['issues']) - 50} more (use --json for all)")
    return "\n".join(lines)

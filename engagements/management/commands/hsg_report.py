"""Coverage report of the Office of the Historian import (also at /admin/hsg-report/)."""

from django.core.management.base import BaseCommand

from engagements.hsg.report import build_report


class Command(BaseCommand):
    help = "Report what the Office of the Historian import imported, merged, linked and missed."

    def handle(self, *args, **options):
        report = build_report()
        out = self.stdout.write
        for line in report.summary_lines():
            out(line)
        out("\nMerged (one encounter, several Office records):")
        for encounter, ids in report.merged:
            out(f"  {encounter.slug}: {', '.join(ids)}")
        out("\nLinked to curated encounters:")
        for encounter, ids in report.linked:
            out(f"  {encounter.slug}: {', '.join(ids)}")
        out("\nDiscrepancies:")
        for d in report.discrepancies:
            out(
                f"  {d.encounter.slug} [{d.source.external_id}] {d.get_field_display()}: "
                f"ours “{d.our_value}”, theirs “{d.their_value}”"
            )
        out("\nNames not matched (reported, not linked):")
        for record_id, phrase in report.unmatched:
            out(f"  {record_id}: {phrase}")
        out("\nPossible overlaps with curated encounters (review; link if the same event):")
        for encounter, curated in report.overlaps:
            out(f"  {encounter.slug} ~ {curated.slug}")
        if report.pending:
            out("\nRecords not imported:")
            for record_id, reason in report.pending:
                out(f"  {record_id}" + (f": {reason}" if reason else ""))

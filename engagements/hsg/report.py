"""Coverage of the Office of the Historian import: what was imported, merged, linked,
disputed and left unmatched. Read from the database and the shipped files, so it describes the
state after any number of imports (and after editors' changes)."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from engagements.hsg import gazetteer as gz
from engagements.hsg.importer import CURATED_LINKS
from engagements.hsg.records import read_all
from engagements.models import Discrepancy, Encounter, Participation, Source


@dataclass
class Report:
    records: list
    trips: int
    visits: int
    imported: list  # record ids with a Source in the database
    pending: list  # record ids not imported (with the reason when known)
    encounters: list  # encounters created from the records (provenance hsg)
    merged: list  # (encounter, [record ids]): several records, one encounter
    linked: list  # (curated encounter, [record ids])
    discrepancies: list
    unmatched: list  # (record id, phrase) named but matched to no one
    overlaps: list  # (imported encounter, curated encounter) that may describe the same event

    def summary_lines(self):
        return [
            f"Records in the shipped files: {len(self.records)} "
            f"({self.trips} trips, {self.visits} visits)",
            f"Records imported: {len(self.imported)}",
            f"Records not imported: {len(self.pending)}",
            f"Encounters created (provenance hsg): {len(self.encounters)}",
            f"Encounters merged from several records: {len(self.merged)}",
            f"Curated encounters with Office records linked: {len(self.linked)}",
            f"Discrepancies recorded: {len(self.discrepancies)}",
            f"Names not matched: {len(self.unmatched)}",
            f"Possible overlaps with curated encounters, to review: {len(self.overlaps)}",
        ]


def names_not_matched(records):
    """Phrases in the records' text that name someone the tables do not know (pure)."""
    unmatched = []
    for record in records:
        if record.kind == "visit":
            title, name = gz.parse_visitor(record.visitor)
            if gz.find_official(name) is None:
                unmatched.append((record.external_id, record.visitor))
        table = gz.TRIP_MENTIONS if record.kind == "trip" else gz.VISIT_MENTIONS
        found = gz.match_names(record.text, record.start_date, table)
        unmatched += [(record.external_id, phrase) for phrase in found.unmatched]
        if record.kind == "trip":
            unmatched += [(record.external_id, loc) for loc in gz.trip_place_keys(record)[1]]
    return unmatched


OVERLAP_SLACK = datetime.timedelta(days=3)


def curated_overlaps():
    """Imported encounters whose traveller or visitor took part in a curated one within three
    days of its dates, not already linked to them as a source or a session: candidates for
    CURATED_LINKS or SESSIONS, for an editor to decide. Only the record's own subject counts:
    the counterparts the import names (a host on a summit week) meet many people that week."""
    imported = Encounter.objects.filter(provenance=Encounter.Provenance.HSG)
    pairs = []
    for encounter in imported.prefetch_related("participations"):
        people = [
            p.person_id
            for p in encounter.participations.all()
            if p.role == Participation.Role.VISITOR
        ]
        candidates = (
            Encounter.objects.exclude(provenance=Encounter.Provenance.HSG)
            .filter(
                start_date__lte=encounter.end_date + OVERLAP_SLACK,
                end_date__gte=encounter.start_date - OVERLAP_SLACK,
                participations__person__in=people,
            )
            .exclude(parent=encounter)
            .distinct()
        )
        pairs += [(encounter, curated) for curated in candidates]
    return pairs


def build_report():
    records = read_all()
    sources = Source.objects.filter(external_id__startswith="hsg-").select_related("encounter")
    by_encounter = defaultdict(list)
    imported = set()
    for source in sources:
        by_encounter[source.encounter].append(source.external_id)
        imported.add(source.external_id)
    pending = []
    for record in records:
        if record.external_id not in imported:
            slug = CURATED_LINKS.get(record.external_id)
            reason = f"waiting for curated encounter {slug} (run load_seed)" if slug else ""
            pending.append((record.external_id, reason))
    hsg = Encounter.Provenance.HSG
    return Report(
        records=records,
        trips=sum(r.kind == "trip" for r in records),
        visits=sum(r.kind == "visit" for r in records),
        imported=sorted(imported),
        pending=pending,
        encounters=list(Encounter.objects.filter(provenance=hsg).order_by("start_date", "id")),
        merged=sorted(
            [
                (e, sorted(ids))
                for e, ids in by_encounter.items()
                if e.provenance == hsg and len(ids) > 1
            ],
            key=lambda item: item[0].start_date,
        ),
        linked=sorted(
            [(e, sorted(ids)) for e, ids in by_encounter.items() if e.provenance != hsg],
            key=lambda item: item[0].start_date,
        ),
        discrepancies=list(
            Discrepancy.objects.filter(source__external_id__startswith="hsg-")
            .select_related("encounter", "source")
            .order_by("encounter__start_date", "id")
        ),
        unmatched=names_not_matched(records),
        overlaps=curated_overlaps(),
    )

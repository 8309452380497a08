"""Entering an encounter from its readout: the record side of the readout intake.

The parser (engagements/domain/readouts.py) proposes values from the text; the editor corrects
them in the admin (engagements/surfaces/readout_intake.py); this module writes what the editor
confirmed, through the model's rules:

- `people_directory()`: the People rows (names, Chinese names, aliases) the parser matches.
- `matching_encounters(start_date, person_ids_by_side)`: encounters already recorded within a
  day of that date with a lead of each side among those people: the readout probably belongs
  to one of them, and the intake offers to attach it instead of creating a duplicate.
- `create_draft(values, source, principals, topics, by)`: a new draft encounter with the
  readout as its source (kind US/PRC readout, with its text), its principals and topics; the
  coding rules (`Encounter.apply_coding_rules`) set the level and the capitals' dates.
- `attach_readout(encounter, values, source, principals)`: the readout added to a recorded
  encounter (`Encounter.attach_source`), filling only empty or unknown fields
  (`Encounter.fill_from`: a value the record holds differently becomes a Discrepancy), and
  the principals not yet taking part added.

Everything runs in one transaction: a rule that refuses a value leaves nothing written.
"""

import datetime

from django.db import transaction
from django.utils.text import slugify

from engagements.domain.readouts import Directory
from engagements.domain.signals import encounter_changes_batched
from engagements.models import Encounter, Participation, Person, Side, Source, Topic

READOUT_KIND = {Side.US: Source.Kind.US_READOUT, Side.PRC: Source.Kind.PRC_READOUT}
ISSUER_ZONE = {Side.US: "America/New_York", Side.PRC: "Asia/Shanghai"}


def people_directory():
    rows = Person.objects.filter(side__in=[Side.US, Side.PRC]).values(
        "pk", "slug", "name", "name_zh", "aliases", "side"
    )
    return Directory.from_people(rows)


def matching_encounters(start_date, person_ids_by_side, limit=10):
    """Encounters within a day of START_DATE led on each side by one of those people."""
    if start_date is None or not all(person_ids_by_side.get(s) for s in (Side.US, Side.PRC)):
        return Encounter.objects.none()
    day = datetime.timedelta(days=1)
    leads = Participation.objects.leads()
    queryset = Encounter.objects.filter(
        start_date__gte=start_date - day, start_date__lte=start_date + day
    ).exclude(provenance=Encounter.Provenance.SYNTHETIC)
    for side in (Side.US, Side.PRC):
        ids = leads.filter(side=side, person_id__in=person_ids_by_side[side]).values("encounter_id")
        queryset = queryset.filter(pk__in=ids)
    return queryset.order_by("start_date", "pk")[:limit]


def readout_source(side, fields):
    """The Source row values for a readout of SIDE: kind, zone and defaults from the side."""
    values = {
        "kind": READOUT_KIND[side],
        "issued_time_zone": ISSUER_ZONE[side],
        **fields,
    }
    values.setdefault("published_on", values.get("issued_on"))
    return values


def unique_slug(title, date):
    base = slugify(f"{title} {date:%Y-%m-%d}")[:190] or f"encounter-{date:%Y-%m-%d}"
    slug, n = base, 2
    while Encounter.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def add_principals(encounter, principals):
    """Add each (person, side, office) not yet taking part, as a principal."""
    present = set(encounter.participations.values_list("person_id", flat=True))
    added = []
    for order, (person, side, office) in enumerate(principals):
        if person.pk in present:
            continue
        present.add(person.pk)
        added.append(
            Participation.objects.create(
                encounter=encounter,
                person=person,
                side=side,
                role=Participation.Role.PRINCIPAL,
                office=office[:200],
                order=order,
            )
        )
    return added


def create_draft(values, source, principals, topics, by=None):
    """A new draft encounter from the readout. VALUES: title, kind, venue, level, start_date,
    initiated_by, initiator_note, and the other capital's date with its note (washington_date /
    beijing_date and *_note) where the readout states it. SOURCE: the readout's Source fields
    (side in "side"). Returns the encounter."""
    side = source.pop("side")
    with transaction.atomic(), encounter_changes_batched():
        encounter = Encounter(
            title=values["title"],
            slug=unique_slug(values["title"], values["start_date"]),
            kind=values["kind"],
            venue=values["venue"],
            level=values["level"],
            start_date=values["start_date"],
            status=Encounter.Status.DRAFT,
            provenance=Encounter.Provenance.CURATED,
        )
        for field in ("washington_date", "beijing_date"):
            if values.get(field):
                setattr(encounter, field, values[field])
                setattr(encounter, f"{field}_note", values.get(f"{field}_note", "")[:300])
        encounter.full_clean(exclude=["slug"])
        encounter.save()
        readout = encounter.attach_source(readout_source(side, source))
        if values.get("initiated_by") and values["initiated_by"] != Encounter.Initiator.UNKNOWN:
            encounter.initiated_by = values["initiated_by"]
            encounter.initiator_source = readout
            encounter.initiator_note = (values.get("initiator_note") or "")[:300]
            encounter.save()
        add_principals(encounter, principals)
        encounter.topics.set(Topic.objects.filter(slug__in=topics))
        encounter.apply_coding_rules()
        if by is not None:
            record_author(encounter, by)
    return encounter


def attach_readout(encounter, values, source, principals):
    """Attach the readout to ENCOUNTER: fill what is empty, record what differs. Returns the
    discrepancies the readout raises."""
    side = source.pop("side")
    with transaction.atomic(), encounter_changes_batched():
        readout = encounter.attach_source(readout_source(side, source))
        fill = {
            key: value
            for key, value in values.items()
            if key in FILL_KEYS and value not in (None, "", [])
        }
        discrepancies = encounter.fill_from(fill, readout)
        add_principals(encounter, principals)
        encounter.apply_coding_rules()
    return discrepancies


# What an attached readout may fill (Encounter.fill_from takes these; the date itself, the
# title and the level stay the record's).
FILL_KEYS = (
    "initiated_by",
    "initiator_note",
    "kind",
    "topics",
    "washington_date",
    "washington_date_note",
    "beijing_date",
    "beijing_date_note",
)


def record_author(encounter, user):
    """Name the editor on the draft's first history row (simple-history keeps who saved)."""
    record = encounter.history.order_by("history_date").first()
    if record is not None and record.history_user_id is None:
        encounter.history.filter(pk=record.pk).update(history_user=user)

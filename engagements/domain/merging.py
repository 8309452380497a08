"""Merging a readout (or any source) into an encounter that is already recorded.

The rule, called through `Encounter.fill_from`, `Encounter.attach_source` and
`Encounter.replace_source` by every write path (the seed loader's amendments, the admin's
readout intake, scripts):

- A source fills only what the record leaves empty or unknown; it never overwrites.
- Where it states something else, a Discrepancy keeps both claims, each with its source, and the
  record's value stays until an editor weighs them.
- Attaching a source is idempotent by its address: a second attach returns the row already
  there (completing its empty readout fields) instead of adding a duplicate.
"""

import datetime
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import transaction

from engagements.domain import capitals

# The fields a source may fill, each with the companions that travel with it.
COMPANIONS = {
    "initiated_by": ("initiator_note",),
    "local_start_time": ("time_zone",),
    "beijing_date": ("beijing_date_note",),
    "washington_date": ("washington_date_note",),
    "duration_minutes": (),
    "end_date": (),
    "kind": (),
    "topics": (),
    "place": (),
}
FILLABLE = set(COMPANIONS) | {c for companions in COMPANIONS.values() for c in companions}

# A source row's fields that describe the readout; attaching completes the empty ones.
COMPLETABLE_SOURCE_FIELDS = (
    "outlet",
    "title",
    "published_on",
    "note",
    "issuer",
    "language",
    "issued_on",
    "issued_time",
    "issued_time_zone",
    "copy_outlet",
    "copy_url",
)


def source_label(source):
    """How a discrepancy's note names the source: “the PRC Ministry of Foreign Affairs's
    readout”, or the outlet for other sources."""
    if source.is_readout:
        body = source.get_issuer_display() if source.issuer else source.outlet
        return f"the {body} readout" if body else "the readout"
    return source.outlet or "the source"


def first_upper(text):
    return text[:1].upper() + text[1:]


def show_date(value):
    return f"{value.day} {value:%B %Y}"


def show_time(value, zone):
    return f"{value:%H:%M} ({zone})" if zone else f"{value:%H:%M}"


class Merge:
    """One source's values merged into one encounter (see the module's docstring)."""

    def __init__(self, encounter, values, source):
        self.encounter = encounter
        self.source = source
        self.values = self.clean(values)
        self.changed = []
        self.discrepancies = []

    # Input ------------------------------------------------------------------------------

    def clean(self, values):
        """The values as the model's fields read them; a clear ValidationError otherwise."""
        from engagements.models import Encounter

        unknown = sorted(set(values) - FILLABLE)
        if unknown:
            raise ValidationError(
                f"A source cannot fill {', '.join(unknown)}: only {', '.join(sorted(FILLABLE))}."
            )
        if self.source.pk is None or self.source.encounter_id != self.encounter.pk:
            raise ValidationError("Attach the source to this encounter before filling from it.")
        cleaned, errors = {}, {}
        for name, value in values.items():
            if value in (None, "") or name == "topics":
                cleaned[name] = value
                continue
            if name == "place":
                cleaned[name] = self.clean_place(value)
                continue
            field = Encounter._meta.get_field(name)
            try:
                value = field.to_python(value)
                field.run_validators(value)
                if field.choices:
                    field.validate(value, self.encounter)
            except ValidationError as error:
                errors[name] = error.messages
                continue
            if name == "duration_minutes" and value <= 0:
                errors[name] = ["A length in minutes is more than 0."]
                continue
            cleaned[name] = value
        if errors:
            raise ValidationError(errors)
        return cleaned

    @staticmethod
    def clean_place(value):
        from engagements.models import Place

        if isinstance(value, Place) and value.pk:
            return value
        raise ValidationError({"place": "A place to fill is a saved Place."})

    def given(self, name):
        value = self.values.get(name)
        return None if value in (None, "") else value

    # The rule ---------------------------------------------------------------------------

    def run(self):
        # The place first: a clock time the source gives without a zone is the place's.
        self.fill_place()
        self.fill_initiator()
        self.fill_start_time()
        # The capitals' dates a start time determines, before comparing the source's dates.
        self.encounter.apply_date_rules()
        for name in ("beijing_date", "washington_date"):
            self.fill_capital_date(name)
        self.fill_duration()
        self.fill_end_date()
        self.compare_kind()
        self.add_topics()
        if self.changed:
            self.encounter._change_reason = f"Filled from {self.source}"[:100]
            self.encounter.save()
        self.encounter.apply_coding_rules()
        return self.discrepancies

    def set(self, name, value):
        setattr(self.encounter, name, value)
        self.changed.append(name)

    def disagree(self, field, ours, theirs, what, our_source=None, our_support=""):
        from engagements.models import Discrepancy

        if our_source is not None and our_source.pk == self.source.pk:
            our_source = None
        support = f", from {our_support}" if our_support else ""
        note = (
            f"{first_upper(source_label(self.source))} gives {what} as {theirs}; the record has "
            f"{ours}{support}. The record's value is kept until an editor weighs the two."
        )
        discrepancy, _ = Discrepancy.objects.get_or_create(
            encounter=self.encounter,
            source=self.source,
            field=field,
            their_value=theirs[:300],
            defaults={"our_value": ours[:300], "our_source": our_source, "note": note},
        )
        self.discrepancies.append(discrepancy)

    def fill_initiator(self):
        from engagements.models import Discrepancy, Encounter

        theirs = self.given("initiated_by")
        if theirs is None or theirs == Encounter.Initiator.UNKNOWN:
            return  # a readout without words on who asked says nothing about it
        words = (self.given("initiator_note") or "")[:300]
        encounter = self.encounter
        if encounter.initiated_by == Encounter.Initiator.UNKNOWN:
            self.set("initiated_by", theirs)
            self.set("initiator_source", self.source)
            self.set("initiator_note", words)
        elif encounter.initiated_by == theirs:
            if encounter.initiator_source_id is None:
                self.set("initiator_source", self.source)
            if not encounter.initiator_note and words:
                self.set("initiator_note", words)
        else:
            label = Encounter.Initiator(theirs).label
            our_source = encounter.initiator_source
            self.disagree(
                Discrepancy.Field.INITIATOR,
                encounter.get_initiated_by_display(),
                f"{label}: “{words}”" if words else label,
                "the side that asked for it",
                our_source=our_source,
                our_support=str(our_source) if our_source else encounter.initiator_note,
            )

    def default_zone(self):
        encounter = self.encounter
        if encounter.is_remote:
            return capitals.CALL_ZONE
        return encounter.place.timezone if encounter.place_id else ""

    def fill_start_time(self):
        from engagements.models import Discrepancy

        theirs = self.given("local_start_time")
        if theirs is None:
            return
        their_zone = self.given("time_zone") or ""
        encounter = self.encounter
        if encounter.local_start_time is None:
            self.set("local_start_time", theirs)
            if their_zone:
                self.set("time_zone", their_zone)
            return
        our_zone = encounter.time_zone or self.default_zone()
        their_zone = their_zone or our_zone
        if self.same_moment(theirs, their_zone, encounter.local_start_time, our_zone):
            return
        self.disagree(
            Discrepancy.Field.DATES,
            show_time(encounter.local_start_time, our_zone),
            show_time(theirs, their_zone),
            "the start time",
        )

    def same_moment(self, theirs, their_zone, ours, our_zone):
        """The two clock times name the same moment (compared on the encounter's first day)."""
        if not (capitals.is_time_zone(their_zone) and capitals.is_time_zone(our_zone)):
            return theirs == ours
        day = self.encounter.start_date
        moment = datetime.datetime.combine(day, theirs, zoneinfo.ZoneInfo(their_zone))
        return moment.astimezone(zoneinfo.ZoneInfo(our_zone)).time() == ours

    def fill_capital_date(self, name):
        from engagements.models import Discrepancy

        theirs = self.given(name)
        if theirs is None:
            return
        encounter = self.encounter
        ours = getattr(encounter, name)
        capital = "Beijing's" if name == "beijing_date" else "Washington's"
        what = f"{capital} date of the first day"
        if ours is None and abs(theirs - encounter.start_date) <= datetime.timedelta(days=1):
            self.set(name, theirs)
            note = self.given(f"{name}_note") or first_upper(source_label(self.source))
            self.set(f"{name}_note", note[:300])
        elif ours is None:
            # More than a day from the first day: not the same day in the other calendar.
            self.disagree(
                Discrepancy.Field.DATES,
                f"first day {show_date(encounter.start_date)}",
                show_date(theirs),
                what,
            )
        elif ours != theirs:
            self.disagree(
                Discrepancy.Field.DATES,
                show_date(ours),
                show_date(theirs),
                what,
                our_support=getattr(encounter, f"{name}_note"),
            )

    def fill_duration(self):
        from engagements.models import Discrepancy

        theirs = self.given("duration_minutes")
        if theirs is None:
            return
        ours = self.encounter.duration_minutes
        if ours is None:
            self.set("duration_minutes", theirs)
        elif ours != theirs:
            self.disagree(
                Discrepancy.Field.DURATION, f"{ours} minutes", f"{theirs} minutes", "its length"
            )

    def fill_end_date(self):
        from engagements.models import Discrepancy

        theirs = self.given("end_date")
        if theirs is None:
            return
        ours = self.encounter.end_date
        if ours is None:
            self.set("end_date", theirs)
        elif ours != theirs:
            # A stored end date is always a claim (a single day is end = start), never empty.
            self.disagree(
                Discrepancy.Field.DATES, show_date(ours), show_date(theirs), "the last day"
            )

    def compare_kind(self):
        from engagements.models import Discrepancy, Encounter

        theirs = self.given("kind")
        encounter = self.encounter
        if theirs is None or theirs == encounter.kind:
            return
        self.disagree(
            Discrepancy.Field.KIND,
            encounter.get_kind_display(),
            Encounter.Kind(theirs).label,
            "how the two sides met",
        )

    def fill_place(self):
        from engagements.models import Discrepancy

        theirs = self.given("place")
        ours = self.encounter.place
        if theirs is None or theirs == ours:
            return
        if ours is None:
            self.set("place", theirs)
        else:
            self.disagree(Discrepancy.Field.PLACE, str(ours), str(theirs), "where it took place")

    def add_topics(self):
        from engagements.models import Topic

        slugs = [getattr(t, "slug", t) for t in self.given("topics") or []]
        if not slugs:
            return
        topics = {t.slug: t for t in Topic.objects.filter(slug__in=slugs)}
        missing = sorted(set(slugs) - set(topics))
        if missing:
            raise ValidationError({"topics": f"No topic {', '.join(missing)}."})
        self.encounter.topics.add(*topics.values())


def fill_from(encounter, values, source):
    with transaction.atomic():
        return Merge(encounter, values, source).run()


# Sources --------------------------------------------------------------------------------------


def source_values(row):
    """A source row (a dict of Source fields, or an unsaved Source) as a dict of its fields."""
    from engagements.models import Source

    names = {f.name for f in Source._meta.concrete_fields} - {"id", "encounter"}
    if isinstance(row, Source):
        return {name: getattr(row, name) for name in names}
    unknown = sorted(set(row) - names - {"key"})
    if unknown:
        raise ValidationError(f"Not fields of a source: {', '.join(unknown)}.")
    return {k: v for k, v in row.items() if k != "key"}


def attach_source(encounter, row):
    """The encounter's source for ROW: the one with the same address if there is one (its empty
    readout fields completed from ROW), else a new one."""
    from engagements.models import Source

    if isinstance(row, Source) and row.pk and row.encounter_id == encounter.pk:
        return row
    values = source_values(row)
    with transaction.atomic():
        existing = find_source(encounter, values)
        if existing is not None:
            complete_source(existing, values)
            return existing
        source = Source(encounter=encounter, **values)
        source.full_clean()
        source.save()
        return source


def find_source(encounter, values):
    url = values.get("url") or ""
    if url:
        return encounter.sources.filter(url=url).first()
    # An address-less source (print, or an address not seen) is the same one by its name.
    return encounter.sources.filter(
        url="",
        kind=values.get("kind", "news"),
        outlet=values.get("outlet", ""),
        title=values.get("title", ""),
    ).first()


def complete_source(source, values):
    """Fill the empty fields of a stored source; what it already holds is never changed."""
    from engagements.models import Source

    changed = []
    readout = values.get("kind") in Source.READOUT_KINDS
    if readout and not source.is_readout and source.kind in (Source.Kind.NEWS, Source.Kind.OTHER):
        # The official readout's own address, first stored as a plain page: it is the readout.
        source.kind = values["kind"]
        changed.append("kind")
    for name in COMPLETABLE_SOURCE_FIELDS:
        value = values.get(name)
        if value not in (None, "") and getattr(source, name) in (None, ""):
            setattr(source, name, value)
            changed.append(name)
    if values.get("text") and not source.text:
        source.text = values["text"]
        source.text_is_excerpt = bool(values.get("text_is_excerpt"))
        changed += ["text", "text_is_excerpt"]
    if changed:
        source.full_clean()
        source.save(update_fields=changed)
    return changed


def replace_source(encounter, old, new):
    """Drop OLD (a syndicated copy or an aggregator) for NEW: the quotes, discrepancies and
    initiator support that cited OLD cite NEW instead."""
    from engagements.models import Discrepancy, Encounter

    if old.encounter_id != encounter.pk or new.encounter_id != encounter.pk:
        raise ValidationError("Both sources must be this encounter's.")
    if old.pk == new.pk:
        return
    with transaction.atomic():
        old.quotes.update(source=new)
        for discrepancy in old.discrepancies.all():
            duplicate = Discrepancy.objects.filter(
                encounter=encounter,
                source=new,
                field=discrepancy.field,
                their_value=discrepancy.their_value,
            ).exists()
            if duplicate:
                continue  # NEW already makes the same claim; OLD's copy goes with OLD
            discrepancy.source = new
            if discrepancy.our_source_id == new.pk:
                discrepancy.our_source = None
            discrepancy.save()
        Discrepancy.objects.filter(our_source=old).exclude(source=new).update(our_source=new)
        Discrepancy.objects.filter(our_source=old).update(our_source=None)
        Encounter.objects.filter(pk=encounter.pk, initiator_source=old).update(initiator_source=new)
        if encounter.initiator_source_id == old.pk:
            encounter.initiator_source = new
        old.delete()

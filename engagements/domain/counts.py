"""Counts over the whole published record, kept exact by the database itself.

The unfiltered list and timeline show how many published encounters each kind, level, venue,
initiator, record source and country has, and which people and topics have the most; the
people and topics lists show each one's number of published encounters. Counting those from
the rows means aggregating every published encounter and every participation (440,000 rows
at 100,000 encounters) on every uncached request. These tables hold the answers instead:

- PublishedFacetCount: one row per (facet, value), plus ("total", "") for all of them;
- PersonPublishedCount: per person, how many published encounters and the first and last
  start dates (the people list's columns);
- TopicPublishedCount: per topic, how many published encounters.

Triggers (migration 0015_published_counts) change them in the same statement as any insert,
update, delete or truncate of encounters, participations, topic links or places' countries,
so they are never stale: a reader sees a new count exactly when it sees the write. They add
and subtract only what changed (an import adds its rows, not a recount of the record), and a
person's first or last date is read again only when an encounter on that bound goes away.
Writers that change the same count take turns on its row until they commit (the price of
exact counts kept in place); docs/developers.md, "Data model", says more. The counts have no
CHECK (encounters >= 0): PostgreSQL checks the row an upsert proposes before it finds the row
it will add to, and a subtraction proposes a negative row.
"""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models

from engagements.domain.models import Encounter, Person, Side, Topic


class PublishedFacetCount(models.Model):
    class Facet(models.TextChoices):
        TOTAL = "total", "Every published encounter"
        KIND = "kind", "Kind"
        LEVEL = "level", "Level"
        VENUE = "venue", "Venue"
        INITIATED_BY = "initiated_by", "Initiated by"
        PROVENANCE = "provenance", "Record source"
        COUNTRY = "country", "Country of the place"

    pk = models.CompositePrimaryKey("facet", "value")
    facet = models.CharField(
        max_length=20, choices=Facet, help_text="The encounter field counted (or the total)."
    )
    value = models.CharField(
        max_length=64,
        blank=True,
        help_text="The field's value (a country code for countries; empty for the total).",
    )
    encounters = models.IntegerField(
        default=0, help_text="Published encounters with this value (kept by triggers)."
    )

    class Meta:
        db_table = "engagements_published_facet"

    def __str__(self):
        return f"{self.facet}={self.value}: {self.encounters}"


class PersonPublishedCount(models.Model):
    person = models.OneToOneField(
        Person,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="published_count",
        help_text="The person counted.",
    )
    encounters = models.IntegerField(
        default=0, help_text="Published encounters they took part in (kept by triggers)."
    )
    first_date = models.DateField(
        null=True, blank=True, help_text="Start date of their first published encounter."
    )
    last_date = models.DateField(
        null=True, blank=True, help_text="Start date of their last published encounter."
    )

    class Meta:
        db_table = "engagements_person_published"
        indexes = [
            # The list's "people met most" facet: the busiest first, without a sort of everyone.
            models.Index(fields=["-encounters"], name="person_published_busiest"),
        ]

    def __str__(self):
        return f"{self.person_id}: {self.encounters}"


class TopicPublishedCount(models.Model):
    topic = models.OneToOneField(
        Topic,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="published_count",
        help_text="The topic counted.",
    )
    encounters = models.IntegerField(
        default=0, help_text="Published encounters tagged with it (kept by triggers)."
    )

    class Meta:
        db_table = "engagements_topic_published"

    def __str__(self):
        return f"{self.topic_id}: {self.encounters}"


class EncounterLinks(models.Model):
    """Who took part in an encounter and what it was tagged with, as sorted arrays of ids.

    Kept by triggers (migration 0016_encounter_links) from participations and topic links in
    the same statement as each write, so that "encounters with ALL of these people" is one
    GIN-indexed `@>` and the people and topics of a set of encounters are counted by unnesting
    one narrow row each, not by joining every participation. Django never writes it: the
    encounter is a plain key here, and the database deletes the row with its encounter.
    """

    encounter = models.OneToOneField(
        "engagements.Encounter",
        on_delete=models.DO_NOTHING,  # ON DELETE CASCADE in the database (the migration)
        db_constraint=False,
        primary_key=True,
        related_name="links",
        help_text="The encounter.",
    )
    person_ids = ArrayField(
        models.BigIntegerField(), default=list, help_text="Ids of everyone who took part."
    )
    topic_ids = ArrayField(models.BigIntegerField(), default=list, help_text="Ids of its topics.")

    class Meta:
        db_table = "engagements_encounter_links"
        indexes = [
            GinIndex(fields=["person_ids"], name="encounter_links_people"),
            GinIndex(fields=["topic_ids"], name="encounter_links_topics"),
        ]

    def __str__(self):
        return f"{self.encounter_id}: {self.person_ids} {self.topic_ids}"


class PersonSideCount(models.Model):
    """Per person and side: the published encounters they took part in for that side. Kept by
    triggers (migration 0026_person_side_counts) as the counts above are.

    The network of the whole record (domain/network.py) ranks each side's most connected people
    from these rows instead of grouping every participation (440,000 at 100,000 encounters): a
    person's side in an encounter is the participation's, which is usually, not always, their
    own government's.
    """

    pk = models.CompositePrimaryKey("person", "side")
    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        # ON DELETE CASCADE in the database (the migration): the synthetic data's removal
        # deletes people with plain SQL. The primary key indexes the person first.
        db_constraint=False,
        db_index=False,
        related_name="side_counts",
        help_text="The person counted.",
    )
    side = models.CharField(max_length=5, choices=Side, help_text="The side they took part for.")
    encounters = models.IntegerField(
        default=0, help_text="Published encounters they took part in for it (kept by triggers)."
    )

    class Meta:
        db_table = "engagements_person_side_count"
        indexes = [
            # Each side's most connected people first, without a sort of everyone.
            models.Index(fields=["side", "-encounters"], name="person_side_busiest"),
        ]

    def __str__(self):
        return f"{self.person_id} {self.side}: {self.encounters}"


class MonthCount(models.Model):
    """Published encounters per month, level and kind: over the whole record, and for each person
    and each topic. Kept by triggers (migration 0024_month_counts) in the same statement as any
    write of encounters, participations or topic links, as the counts above are.

    The timeline's month chart, lanes and axis (domain/timeline.py) and the person and topic
    pages' timelines read these rows instead of grouping every matching encounter by month: a
    few hundred rows instead of 90,000 encounters (or a busy person's 4,000, each found through
    their participation). The month an encounter ends in is part of the key, so that the axis
    runs to the last month of the last encounter while every count only adds and subtracts.
    """

    class Scope(models.TextChoices):
        RECORD = "record", "Every published encounter"
        PERSON = "person", "A person's published encounters"
        TOPIC = "topic", "A topic's published encounters"

    pk = models.CompositePrimaryKey("scope", "key", "month", "end_month", "level", "kind")
    scope = models.CharField(
        max_length=6,
        choices=Scope,
        help_text="Whose encounters: the record's, a person's or a topic's.",
    )
    key = models.BigIntegerField(help_text="The person's or topic's id; 0 for the whole record.")
    month = models.DateField(help_text="First day of the month the encounters start in.")
    end_month = models.DateField(help_text="First day of the month they end in.")
    level = models.CharField(max_length=20, choices=Encounter.Level, help_text="Their level.")
    kind = models.CharField(max_length=20, choices=Encounter.Kind, help_text="Their kind.")
    encounters = models.IntegerField(
        default=0, help_text="How many published encounters (kept by triggers)."
    )

    class Meta:
        db_table = "engagements_month_count"

    def __str__(self):
        where = f"{self.scope} {self.key} {self.month:%Y-%m}"
        return f"{where} {self.level} {self.kind}: {self.encounters}"


def published_total():
    """How many encounters are published, as the database keeps the number (no count)."""
    total = PublishedFacetCount.objects.filter(facet=PublishedFacetCount.Facet.TOTAL, value="")
    return total.values_list("encounters", flat=True).first() or 0

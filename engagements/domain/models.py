"""The encounter database: who met whom, when, where, how and what each side said of it.

Every business rule that can be stated about a single row lives in the database as a named
constraint, so that imports, scripts and the admin are held to the same rules.
"""

import datetime

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce, Length, Lower
from django.db.models.lookups import LessThanOrEqual
from django.db.models.signals import pre_delete, pre_save
from django.dispatch import receiver
from django.utils import timezone
from simple_history.models import HistoricalRecords

from engagements.domain import capitals, offices, ranks
from engagements.domain.links import make_slug, slug_url
from engagements.domain.search import with_chinese_terms

# The text search configuration of the stored tsvector; queries must use the same one.
SEARCH_CONFIG = "english"
# The plausible range of an encounter's dates (docs/operators.md, "Security limits"): from the
# founding of the PRC to the end of the century, since announced encounters are dated ahead.
# Outside it a date is a typing error, and pages that lay out every month or year between the
# first and last date (timeline, stats) would pay for it, or fail past year 9999.
EARLIEST_DATE = datetime.date(1949, 10, 1)
LATEST_DATE = datetime.date(2099, 12, 31)
PLAUSIBLE_DATE_VALIDATORS = [
    MinValueValidator(EARLIEST_DATE, "Dates start on 1 October 1949 (the PRC's founding)."),
    MaxValueValidator(LATEST_DATE, "Dates end on 31 December 2099; check the year."),
]
# The longest texts an editor may enter (docs/operators.md, "Security limits"): far above any
# real summary (the longest shipped is under 600 characters), and far below what PostgreSQL's
# tsvector refuses (1 MB), so a paste gone wrong is a form error that keeps the text, not a
# failed save.
SUMMARY_MAX_LENGTH = 20_000
QUOTE_MAX_LENGTH = 5_000
# What the search document keeps of an encounter's related rows (compose_search_document).
SEARCH_DOCUMENT_MAX_LENGTH = 200_000
# Held by the Publishers group (migration 0006_editorial_groups): publish and unpublish.
PUBLISH_PERMISSION = "engagements.publish_encounter"


def published(via=""):
    """The condition for an encounter to be public, the one place "published" is spelled.

    `via` is the lookup path from the queried model, e.g. "encounters__" for topics.
    """
    return Q(**{f"{via}status": Encounter.Status.PUBLISHED})


class Side(models.TextChoices):
    US = "us", "United States"
    PRC = "prc", "People's Republic of China"
    OTHER = "other", "Other"


class TopicQuerySet(models.QuerySet):
    def shown_publicly(self):
        """Topics of at least one published encounter: the only ones the public may learn of."""
        return self.filter(
            Exists(
                Encounter.topics.through.objects.filter(
                    topic=OuterRef("pk"), encounter__status=Encounter.Status.PUBLISHED
                )
            )
        )

    def with_published_counts(self):
        """Every topic, with its number of published encounters as `encounter_count` (kept by
        the database in TopicPublishedCount, engagements/domain/counts.py: no aggregate)."""
        return self.annotate(encounter_count=Coalesce(F("published_count__encounters"), 0))


class Topic(models.Model):
    name = models.CharField(
        max_length=100, unique=True, help_text="Short name of the topic, e.g. “Climate”."
    )
    slug = models.SlugField(
        max_length=100, unique=True, help_text="Used in URLs and filters; filled from the name."
    )
    description = models.TextField(
        blank=True, help_text="Optional: what this topic covers, shown on its page."
    )

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return slug_url("topic-detail", self.slug)


class Place(models.Model):
    name = models.CharField(
        max_length=200,
        help_text="The venue as it is usually named, e.g. “Filoli estate” or “Diaoyutai State "
        "Guesthouse”. For a city as a whole, repeat the city.",
    )
    city = models.CharField(max_length=100, blank=True, help_text="City or town, in English.")
    country = models.CharField(
        max_length=2,
        help_text="ISO 3166-1 alpha-2 code in capitals: US, CN, ID, PE…",
    )
    latitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        help_text="Optional, in decimal degrees (−90 to 90). Give both coordinates or neither.",
    )
    longitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        help_text="Optional, in decimal degrees (−180 to 180).",
    )
    timezone = models.CharField(
        "time zone",
        max_length=64,
        blank=True,
        validators=[capitals.validate_time_zone],
        help_text="IANA time zone of the place, e.g. “Asia/Shanghai”, “America/Los_Angeles”, "
        "“Europe/Zurich”. Filled from the country or city when the tracker knows it. Used to "
        "compute Washington's and Beijing's dates from a local start time.",
    )

    class Meta:
        ordering = ["country", "city", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "city", "country"], name="place_unique_name_city_country"
            ),
            models.CheckConstraint(
                condition=Q(country__regex=r"^[A-Z]{2}$"), name="place_country_iso_alpha2"
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(
                    latitude__isnull=False,
                    longitude__isnull=False,
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                name="place_coordinates_both_and_in_range",
            ),
        ]

    def __str__(self):
        parts = [self.name]
        if self.city and self.city != self.name:
            parts.append(self.city)
        parts.append(self.country)
        return ", ".join(parts)

    def save(self, *args, **kwargs):
        if not self.timezone:
            self.timezone = capitals.default_place_zone(self.country, self.city)
        super().save(*args, **kwargs)


class PersonQuerySet(models.QuerySet):
    def shown_publicly(self):
        """People in at least one published encounter: the only ones the public may learn of."""
        return self.filter(
            Exists(
                Participation.objects.filter(
                    person=OuterRef("pk"), encounter__status=Encounter.Status.PUBLISHED
                )
            )
        )

    def by_family_name(self):
        """Ordered by family name: a Chinese name's first word, anyone else's last word
        ("Blinken, Antony" sorts under B; "Xi Jinping" under X), then the whole name."""
        family_first = models.Func(
            F("name"),
            models.Value(r"^(.*\S)\s+(\S+)$"),
            models.Value(r"\2 \1"),
            function="regexp_replace",
            output_field=models.CharField(),
        )
        key = models.Case(
            models.When(side=Side.PRC, then=F("name")),
            default=family_first,
            output_field=models.CharField(),
        )
        return self.order_by(Lower(key), "name", "id")

    def with_published_counts(self):
        """People who took part in a published encounter, with how many as `encounter_count`
        and the start dates of the first and last as `first_date` and `last_date` (kept by the
        database in PersonPublishedCount, engagements/domain/counts.py: no aggregate)."""
        return self.filter(published_count__encounters__gt=0).annotate(
            encounter_count=F("published_count__encounters"),
            first_date=F("published_count__first_date"),
            last_date=F("published_count__last_date"),
        )


class Person(models.Model):
    name = models.CharField(
        max_length=200, help_text="Name in Latin letters as usually written, e.g. “Wang Yi”."
    )
    name_zh = models.CharField(
        "name in Chinese",
        max_length=100,
        blank=True,
        help_text="Name in Chinese characters where relevant, e.g. 王毅.",
    )
    slug = models.SlugField(
        max_length=200, unique=True, help_text="Used in URLs and filters; filled from the name."
    )
    side = models.CharField(
        max_length=5,
        choices=Side,
        help_text="Which government the person served (or “Other” for third parties).",
    )
    aliases = models.TextField(
        blank=True,
        help_text="Other spellings found in sources, one per line (e.g. Wade-Giles “Chou "
        "En-lai”, misspellings such as “Xi Jingping”). Used to match imported records.",
    )

    history = HistoricalRecords()
    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"
        indexes = [
            models.Index(fields=["side", "name"], name="person_side_name"),
            # Trigram index (pg_trgm) for the admin's autocomplete and name matching.
            GinIndex(fields=["name"], opclasses=["gin_trgm_ops"], name="person_name_trgm"),
        ]

    def __str__(self):
        return f"{self.name} ({self.name_zh})" if self.name_zh else self.name

    def get_absolute_url(self):
        return slug_url("person-detail", self.slug)


class EncounterQuerySet(models.QuerySet):
    def waiting_for_review(self):
        """Submitted by an editor, not yet published: a publisher's work, oldest change first."""
        return self.filter(status=Encounter.Status.REVIEW).order_by("updated_at", "id")

    def published(self):
        return self.filter(published())

    def involving(self, person):
        return self.filter(participations__person=person)

    def at_level(self, level):
        return self.filter(level=level)

    def on_or_after(self, date):
        return self.filter(end_date__gte=date)

    def on_or_before(self, date):
        return self.filter(start_date__lte=date)

    def held(self):
        return self.filter(occurrence=Encounter.Occurrence.HELD)

    # before() and after() state the date bound on its own (start_date <= / >=) as well as inside
    # the tie-break, so that PostgreSQL starts its walk of the date index at the encounter's date;
    # with only the OR it walked from one end of the table (300 ms on 100,000 rows).
    def before(self, encounter):
        """Encounters earlier in time than `encounter` (by start date, then id), latest first."""
        earlier = Q(start_date__lte=encounter.start_date) & (
            Q(start_date__lt=encounter.start_date) | Q(id__lt=encounter.id)
        )
        return self.filter(earlier).exclude(pk=encounter.pk).newest_first()

    def after(self, encounter):
        """Encounters later in time than `encounter` (by start date, then id), earliest first."""
        later = Q(start_date__gte=encounter.start_date) & (
            Q(start_date__gt=encounter.start_date) | Q(id__gt=encounter.id)
        )
        return self.filter(later).exclude(pk=encounter.pk).chronological()

    def previous_at_level(self, encounter):
        """The last held encounter at `encounter`'s level that ended before it began.

        Its own trip or summit (the parent) does not count: a session is not "after" its trip.
        """
        return (
            self.held()
            .at_level(encounter.level)
            .filter(end_date__lt=encounter.start_date)
            .exclude(pk=encounter.parent_id)
            .order_by("-end_date", "-start_date", "-id")
            .first()
        )

    def chronological(self):
        return self.order_by("start_date", "id")

    def chronological_few(self):
        """Chronological, for a small selection clustered in time, such as one person's encounters.

        Ordering by `start_date + 0` keeps PostgreSQL from walking the date index and probing each
        encounter for the selection: for an official whose term began in 2013 that walk skips
        every earlier encounter (250 ms on 100,000 rows). Sorting the person's few thousand
        encounters instead takes a few milliseconds (docs/operators.md, "Performance").
        """
        date = models.ExpressionWrapper(F("start_date") + 0, output_field=models.DateField())
        return self.order_by(date.asc(), "id")

    def newest_first(self):
        return self.order_by("-start_date", "-id")

    def with_list_data(self):
        """What a list row shows: place and principals, in a fixed number of queries."""
        return self.select_related("place").prefetch_related(
            models.Prefetch(
                "participations",
                queryset=Participation.objects.leads().select_related("person"),
                to_attr="principal_participations",
            )
        )

    def refresh_search_documents(self):
        """Rebuild `search_document` for these encounters in a fixed number of queries.

        For changes that touch many encounters at once (a person renamed, a place corrected).
        Returns how many documents changed.
        """
        encounters = list(
            self.select_related("place").prefetch_related(
                models.Prefetch(
                    "participations",
                    queryset=Participation.objects.select_related("person"),
                    to_attr="searched_participations",
                ),
                models.Prefetch(
                    "quotes",
                    queryset=Quote.objects.select_related("speaker"),
                    to_attr="searched_quotes",
                ),
                models.Prefetch("topics", to_attr="searched_topics"),
                models.Prefetch(
                    "sources", queryset=Source.objects.readouts(), to_attr="searched_readouts"
                ),
            )
        )
        changed = []
        for encounter in encounters:
            document = encounter.build_search_document()
            if document != encounter.search_document:
                encounter.search_document = document
                changed.append(encounter)
        Encounter.objects.bulk_update(changed, ["search_document"], batch_size=500)
        return len(changed)

    def with_detail_data(self):
        """What the detail page shows: the record's parts and its published sessions."""
        return (
            self.with_record_data()
            .select_related("initiator_source")
            .prefetch_related(
                models.Prefetch(
                    "sessions",
                    queryset=Encounter.objects.published().chronological(),
                    to_attr="published_sessions",
                ),
            )
        )

    def with_record_data(self):
        """What the API's record of one encounter shows, in a fixed number of queries."""
        return self.select_related("place", "parent").prefetch_related(
            models.Prefetch(
                "participations", queryset=Participation.objects.select_related("person")
            ),
            "topics",
            "sources",
            models.Prefetch("quotes", queryset=Quote.objects.select_related("speaker", "source")),
            models.Prefetch(
                "discrepancies",
                queryset=Discrepancy.objects.select_related("source", "our_source"),
            ),
        )


class Encounter(models.Model):
    class Kind(models.TextChoices):
        PHONE_CALL = "phone_call", "Phone call"
        VIDEO_CALL = "video_call", "Video call"
        MEETING = "meeting", "In-person meeting"
        VISIT = "visit", "Visit"
        TALKS = "talks", "Talks or dialogue"
        SUMMIT_SIDELINE = "summit_sideline", "Summit sideline meeting"

    class Venue(models.TextChoices):
        US = "us", "In the United States"
        PRC = "prc", "In the PRC"
        THIRD_COUNTRY = "third_country", "In a third country"
        REMOTE = "remote", "Remote (phone or video)"

    class Level(models.TextChoices):
        LEADER = "leader", "Leader"
        CABINET = "cabinet", "Cabinet / Politburo"
        DEPUTY = "deputy", "Deputy"
        ENVOY = "envoy", "Special envoy or ambassador"
        WORKING = "working", "Working level"

    class DatePrecision(models.TextChoices):
        DAY = "day", "Day"
        MONTH = "month", "Month"
        YEAR = "year", "Year"

    class Initiator(models.TextChoices):
        US = "us", "United States"
        PRC = "prc", "PRC"
        BOTH = "both", "Both (jointly arranged)"
        UNKNOWN = "unknown", "Unknown"

    class Tone(models.TextChoices):
        CORDIAL = "cordial", "Cordial"
        CONSTRUCTIVE = "constructive", "Constructive"
        CANDID = "candid", "Candid / frank"
        MIXED = "mixed", "Mixed"
        TENSE = "tense", "Tense"
        HOSTILE = "hostile", "Hostile"
        UNKNOWN = "unknown", "Not reported"

    class Occurrence(models.TextChoices):
        HELD = "held", "Held"
        ANNOUNCED = "announced", "Announced, not yet held"
        POSTPONED = "postponed", "Postponed"
        CANCELLED = "cancelled", "Cancelled"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEW = "review", "In review"
        PUBLISHED = "published", "Published"

    class Provenance(models.TextChoices):
        CURATED = "curated", "Curated by the editors"
        HSG = "hsg", "Office of the Historian records"
        SYNTHETIC = "synthetic", "Synthetic (generated test data)"

    # CAMEO event codes (Conflict and Mediation Event Observations, 04x "consult").
    # https://parusanalytics.com/eventdata/cameo.dir/CAMEO.Manual.1.1b3.pdf
    CAMEO_CODES = {
        Kind.PHONE_CALL: "041",
        Kind.VIDEO_CALL: "041",
        Kind.VISIT: "042",
        Kind.SUMMIT_SIDELINE: "044",
        Kind.TALKS: "046",
    }

    title = models.CharField(
        max_length=200,
        help_text="Short descriptive title, e.g. “Biden–Xi phone call” or “Sherman visit to "
        "Tianjin”.",
    )
    slug = models.SlugField(
        max_length=200,
        unique=True,
        help_text="Permanent URL name; leave empty to fill it from the title and date (a dash "
        "between words becomes a hyphen). Do not change it once published: researchers cite it.",
    )
    kind = models.CharField(max_length=20, choices=Kind, help_text="How the two sides met.")
    venue = models.CharField(
        max_length=20,
        choices=Venue,
        help_text="Where it took place relative to the two countries.",
    )
    level = models.CharField(
        max_length=10,
        choices=Level,
        help_text="Derived, do not type: the rank of the most senior principal on the less "
        "senior side, from the principals' offices at the time (docs/editors.md, “Coding "
        "rules”). Change it only to override the rule, and then give the reason below.",
    )
    derived_level = models.CharField(
        max_length=10,
        choices=Level,
        blank=True,
        editable=False,
        help_text="The level the coding rule gives from the principals' offices; empty when an "
        "office is not in the table of ranks or a side has no principal.",
    )
    level_override_reason = models.TextField(
        blank=True,
        help_text="Only to override the derived level: why this encounter's level differs from "
        "the rank of its principals' offices, and which source says so. Leave empty to follow "
        "the rule.",
    )
    start_date = models.DateField(
        validators=PLAUSIBLE_DATE_VALIDATORS,
        help_text="First day: for an in-person encounter the local date where it took place; "
        "for a call or video call Washington's date. For month or year precision, use the "
        "first day of that month or year. Between 1 October 1949 and 31 December 2099.",
    )
    end_date = models.DateField(
        blank=True,
        validators=PLAUSIBLE_DATE_VALIDATORS,
        help_text="Last day, in the same calendar as the first. Leave empty for a single day.",
    )
    date_precision = models.CharField(
        max_length=5,
        choices=DatePrecision,
        default=DatePrecision.DAY,
        help_text="How precisely the date is known.",
    )
    local_start_time = models.TimeField(
        null=True,
        blank=True,
        help_text="Only where a source gives a clock time: the start time, in the time zone "
        "below. Both capitals' dates are then computed from it.",
    )
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        validators=[capitals.validate_time_zone],
        help_text="IANA zone of the start time: for a call the zone the time was stated in "
        "(usually “America/New_York”), in person the place's zone. Left empty, a call's time is "
        "Washington's and a meeting's is the place's.",
    )
    washington_date = models.DateField(
        null=True,
        blank=True,
        help_text="Computed, do not type when a start time is known. Washington's date of the "
        "first day; type it only for an in-person encounter away from US Eastern time when a "
        "source states it, and name the source in the note. Empty: not recorded.",
    )
    washington_date_note = models.CharField(
        max_length=300,
        blank=True,
        help_text="Required when Washington's date is typed by hand: the source that states it.",
    )
    beijing_date = models.DateField(
        null=True,
        blank=True,
        help_text="Computed, do not type when a start time is known. Beijing's date of the "
        "first day; type it only when no start time is known and a source states it (e.g. a "
        "PRC readout “on the morning of 11 February”), and name the source in the note. Empty: "
        "not recorded.",
    )
    beijing_date_note = models.CharField(
        max_length=300,
        blank=True,
        help_text="Required when Beijing's date is typed by hand: the source that states it.",
    )
    duration_minutes = models.PositiveIntegerField(
        null=True, blank=True, help_text="Length in minutes, if reported."
    )
    place = models.ForeignKey(
        Place,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="encounters",
        help_text="Where it happened. For a call, where the US side spoke from, if known.",
    )
    initiated_by = models.CharField(
        max_length=10,
        choices=Initiator,
        default=Initiator.UNKNOWN,
        help_text="Which side asked for it, from the readouts: a PRC readout saying 应约 / “at "
        "the request of” the other side means the other side asked; a US readout saying the "
        "President “called” means the US asked. Give the supporting source below.",
    )
    initiator_source = models.ForeignKey(
        "Source",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supported_initiations",
        help_text="The source (one of this encounter's) that says which side asked. Required "
        "for a curated encounter whose initiator is not “Unknown”, unless the note says why.",
    )
    initiator_note = models.CharField(
        max_length=300,
        blank=True,
        help_text="Optional: the readout's words on who asked (“应约”, “at the invitation of”), "
        "or the support when it is not one of the sources.",
    )
    tone = models.CharField(
        max_length=15,
        choices=Tone,
        default=Tone.UNKNOWN,
        help_text="Overall tone as the sources describe it.",
    )
    tone_note = models.CharField(
        max_length=300,
        blank=True,
        help_text="Free text on tone, with its attribution, e.g. “respectful” (senior "
        "administration official).",
    )
    summary = models.TextField(
        blank=True,
        max_length=SUMMARY_MAX_LENGTH,
        help_text="What happened, in our own words (Markdown). Never paste a source's text. "
        "At most 20,000 characters.",
    )
    outcomes = models.TextField(
        blank=True,
        max_length=SUMMARY_MAX_LENGTH,
        help_text="Agreements, joint statements and follow-ups (Markdown). At most 20,000 "
        "characters.",
    )
    topics = models.ManyToManyField(
        Topic, blank=True, related_name="encounters", help_text="Subjects discussed."
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        help_text="The trip or summit this is part of (e.g. a meeting within a visit, or a "
        "sideline meeting of a G20 summit).",
    )
    occurrence = models.CharField(
        max_length=10,
        choices=Occurrence,
        default=Occurrence.HELD,
        help_text="Whether it took place, is only announced, or was postponed or cancelled.",
    )
    status = models.CharField(
        max_length=10,
        choices=Status,
        default=Status.DRAFT,
        help_text="Only published encounters are visible to the public.",
    )
    published_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When it was first published."
    )
    published_on_load = models.BooleanField(
        default=False,
        db_default=False,  # bulk writers (the generator's COPY) leave it out
        editable=False,
        help_text="Published by a loader as it was added (the seed and coverage files, the "
        "Office of the Historian import): its publication time is the day of loading, so pages "
        "say when it was added, not “first published”.",
    )
    provenance = models.CharField(
        max_length=10,
        choices=Provenance,
        default=Provenance.CURATED,
        help_text="Where the record comes from.",
    )
    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Incremented on every save; detects two editors saving the same encounter.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    search_document = models.TextField(
        blank=True,
        editable=False,
        help_text="Names, places and quotes from related rows, kept for full-text search.",
    )
    search_vector = models.GeneratedField(
        expression=(
            SearchVector("title", weight="A", config=SEARCH_CONFIG)
            + SearchVector("summary", "outcomes", weight="B", config=SEARCH_CONFIG)
            + SearchVector("search_document", weight="C", config=SEARCH_CONFIG)
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    history = HistoricalRecords(excluded_fields=["search_vector", "search_document"])
    objects = EncounterQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-id"]
        get_latest_by = "start_date"
        # Editors add and change encounters; only holders of this permission (the Publishers
        # group) may publish or unpublish one. See migration 0006_editorial_groups.
        permissions = [("publish_encounter", "Can publish and unpublish encounters")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="encounter_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("summary"), SUMMARY_MAX_LENGTH)
                & LessThanOrEqual(Length("outcomes"), SUMMARY_MAX_LENGTH),
                name="encounter_texts_within_length",
                violation_error_message="Summary and outcomes have at most 20,000 characters.",
            ),
            models.CheckConstraint(
                condition=Q(start_date__gte=EARLIEST_DATE, end_date__lte=LATEST_DATE),
                name="encounter_dates_in_plausible_range",
                violation_error_message="Dates run from 1 October 1949 to 31 December 2099.",
            ),
            # The other capital's date of the first day is at most a day either side of it.
            models.CheckConstraint(
                condition=Q(beijing_date__isnull=True)
                | Q(
                    beijing_date__gte=F("start_date") - datetime.timedelta(days=1),
                    beijing_date__lte=F("start_date") + datetime.timedelta(days=1),
                ),
                name="encounter_beijing_date_within_a_day",
            ),
            models.CheckConstraint(
                condition=Q(washington_date__isnull=True)
                | Q(
                    washington_date__gte=F("start_date") - datetime.timedelta(days=1),
                    washington_date__lte=F("start_date") + datetime.timedelta(days=1),
                ),
                name="encounter_washington_date_within_a_day",
            ),
            # The level follows the principals' offices unless an editor says why not.
            models.CheckConstraint(
                condition=Q(derived_level="")
                | Q(level=F("derived_level"))
                | ~Q(level_override_reason=""),
                name="encounter_level_override_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__isnull=True) | Q(duration_minutes__gt=0),
                name="encounter_duration_positive",
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | ~Q(parent=F("id")),
                name="encounter_not_its_own_parent",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="encounter_published_has_published_at",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-start_date", "-id"], name="encounter_status_date"),
            # The admin's changelist (every status, newest first) and its date hierarchy.
            models.Index(fields=["-start_date", "-id"], name="encounter_date"),
            # The list's facet counts (COUNT(id) of published rows grouped by one of these columns,
            # filtered by the others, the date range or the place) become an index-only scan of
            # this 10 MB index instead of a scan of the whole table (docs/operators.md,
            # "Performance").
            models.Index(
                fields=["status", "level", "kind", "venue", "initiated_by", "provenance"],
                include=["start_date", "end_date", "place", "id"],
                name="encounter_facets",
            ),
            models.Index(fields=["level", "start_date"], name="encounter_level_date"),
            # "The last encounter at this level that ended before this one" (the detail page's
            # days since the previous encounter at its level): one index step instead of sorting
            # every earlier encounter at the level (170 ms on 100,000 rows).
            models.Index(
                fields=["level", "-end_date", "-start_date", "-id"], name="encounter_level_end"
            ),
            models.Index(fields=["kind"], name="encounter_kind"),
            models.Index(fields=["provenance"], name="encounter_provenance"),
            GinIndex(fields=["search_vector"], name="encounter_search_vector"),
        ]

    def __str__(self):
        return f"{self.title} ({self.start_date:%Y-%m-%d})"

    def save(self, *args, **kwargs):
        if self.end_date is None:
            self.end_date = self.start_date
        if not self.slug:
            self.slug = self.slug_for(self.title, self.start_date)
        self.apply_date_rules()
        if self.is_published and self.published_at is None:
            self.published_at = timezone.now()
        if self.pk and not self._state.adding:
            # Increment from the stored value, atomically, so that even a save from a stale
            # in-memory copy (a script, a history revert) never moves the version backwards.
            self.version = bump_version(self.pk) or self.version
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return slug_url("encounter-detail", self.slug)

    @staticmethod
    def slug_for(title, start_date):
        """The slug a new encounter gets from its title and first day."""
        return make_slug(title, start_date)

    def slug_problem(self, others_former_slugs=None):
        """Why this slug may not be used ("" if it may): it is another encounter's former slug,
        whose old permalink redirects there (FormerSlug). OTHERS_FORMER_SLUGS: those slugs,
        when the caller loaded them once for many rows (the CSV import)."""
        if others_former_slugs is not None:
            reserved = self.slug in others_former_slugs
        else:
            others = FormerSlug.objects.filter(slug=self.slug).exclude(encounter_id=self.pk)
            reserved = bool(self.slug) and others.exists()
        if reserved:
            return (
                "This slug is an older address of another encounter and stays reserved, so "
                "that citations of it keep working. Choose another slug."
            )
        return ""

    def clean(self):
        if self.end_date is None and self.start_date is not None:
            self.end_date = self.start_date
        errors = {}
        if problem := self.slug_problem(getattr(self, "_others_former_slugs", None)):
            errors["slug"] = problem
        if self.pk and self.initiator_source_id and self.initiator_source.encounter_id != self.pk:
            errors["initiator_source"] = "Choose one of this encounter's sources."
        if errors:
            raise ValidationError(errors)

    # Coding rules (docs/developers.md, "Coding rules") -------------------------------------

    @property
    def is_remote(self):
        """A call or video call: dated by Washington's calendar, not by a place's."""
        return self.kind in (self.Kind.PHONE_CALL, self.Kind.VIDEO_CALL) or (
            self.venue == self.Venue.REMOTE
        )

    def computed_capital_dates(self):
        """Washington's and Beijing's dates as the dating rule determines them."""
        # Loaders and scripts may pass ISO strings: read them as the fields would.
        start_date = self._meta.get_field("start_date").to_python(self.start_date)
        local_time = self._meta.get_field("local_start_time").to_python(self.local_start_time)
        return capitals.capital_dates(
            remote=self.is_remote,
            start_date=start_date,
            local_time=local_time,
            time_zone=self.time_zone,
            place_zone=self.place.timezone if self.place_id else "",
            day_precision=self.date_precision == self.DatePrecision.DAY,
        )

    def unsourced_capital_dates(self):
        """The capitals' dates typed by hand without the note naming their source: {field: msg}.

        The admin refuses them; other write paths (CSV import) are reported by check_data.
        """
        errors = {}
        computed = self.computed_capital_dates() if self.start_date else None
        for field, capital in (("washington_date", "washington"), ("beijing_date", "beijing")):
            if computed is None or getattr(computed, f"{capital}_computed"):
                continue  # the rule sets it from the start time or the place's calendar
            if getattr(self, field) and not getattr(self, f"{field}_note").strip():
                errors[f"{field}_note"] = (
                    "Name the source that states this date (no start time is known, so it "
                    "cannot be computed)."
                )
        return errors

    def apply_date_rules(self):
        """Set the two capitals' dates the rule determines; keep hand-typed ones it does not."""
        if self.local_start_time is not None and not self.time_zone:
            # A time without a stated zone is Washington's for a call, the place's in person.
            place_zone = self.place.timezone if self.place_id else ""
            self.time_zone = capitals.CALL_ZONE if self.is_remote else place_zone
        dates = self.computed_capital_dates()
        if dates.washington_computed:
            self.washington_date, self.washington_date_note = dates.washington, ""
        if dates.beijing_computed:
            self.beijing_date, self.beijing_date_note = dates.beijing, ""

    def derive_level(self):
        """The level the rank table gives from the stored leads' offices (ranks.Derivation)."""
        leads = [
            (p.side, p.person.slug, p.office)
            for p in self.participations.leads().select_related("person")
        ]
        return ranks.derive_level(leads, self.start_date)

    def apply_level_rule(self, derivation=None):
        derivation = derivation or self.derive_level()
        self.derived_level = derivation.level or ""
        if self.derived_level and not self.level_override_reason.strip():
            self.level = self.derived_level

    def apply_coding_rules(self, save=True):
        """Apply the dating and level rules to a saved encounter and its participants.

        Call it after the participants are stored: the seed and data loaders, the importers and
        the admin do. Returns the fields it changed (saved unless `save` is false).
        """
        before = {f: getattr(self, f) for f in self.CODED_FIELDS}
        self.apply_date_rules()
        self.apply_level_rule()
        changed = [f for f in self.CODED_FIELDS if getattr(self, f) != before[f]]
        if save and changed:
            Encounter.objects.filter(pk=self.pk).update(**{f: getattr(self, f) for f in changed})
        return changed

    CODED_FIELDS = (
        "level",
        "time_zone",
        "derived_level",
        "washington_date",
        "washington_date_note",
        "beijing_date",
        "beijing_date_note",
    )

    # --- Merging a source into the record (engagements/domain/merging.py) -----------------

    def fill_from(self, values, source):
        """Fill this encounter's empty or unknown fields from SOURCE (one of its sources).

        VALUES may hold initiated_by (with initiator_note), local_start_time (with time_zone),
        beijing_date and washington_date (with their notes), duration_minutes, end_date, kind
        and topics (slugs, added). A field the record already holds with another value is not
        changed: a Discrepancy names both claims and their sources. The coding rules are then
        applied and the encounter saved. Returns the discrepancies SOURCE raises (new or
        already recorded); raises ValidationError for a value no field accepts.
        """
        from engagements.domain import merging

        return merging.fill_from(self, values, source)

    def attach_source(self, source):
        """This encounter's source for SOURCE (a dict of Source fields or a Source): the one
        with the same URL if it exists (its empty fields completed), else a new one."""
        from engagements.domain import merging

        return merging.attach_source(self, source)

    def replace_source(self, old, new):
        """Drop source OLD for NEW, re-pointing the quotes, discrepancies and initiator support
        that cited OLD."""
        from engagements.domain import merging

        merging.replace_source(self, old, new)

    # --- Editorial transitions -----------------------------------------------------------
    # draft → in review → published, and back to draft by unpublishing. Each saves the encounter
    # with `by` recorded as the history user and returns whether anything changed; the admin's
    # actions, forms, importers and tests all go through them.

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    def submit_for_review(self, by=None):
        """A draft goes to the publishers' queue; any other status is left as it is."""
        if self.status != self.Status.DRAFT:
            return False
        return self._transition(self.Status.REVIEW, by, "Submitted for review")

    def publish(self, by=None):
        """Make the encounter public.

        Raises PermissionDenied if `by` may not publish, and ValidationError listing what is
        missing (publish_problems) if the encounter is not ready.
        """
        self._check_may_publish(by)
        if self.is_published:
            return False
        problems = self.publish_problems()
        if problems:
            raise ValidationError(problems, code="not_ready")
        return self._transition(self.Status.PUBLISHED, by)

    def unpublish(self, by=None):
        """Withdraw a published encounter from the public: it becomes a draft again."""
        self._check_may_publish(by)
        if not self.is_published:
            return False
        return self._transition(self.Status.DRAFT, by, "Unpublished")

    @staticmethod
    def _check_may_publish(user):
        if user is not None and not user.has_perm(PUBLISH_PERMISSION):
            raise PermissionDenied("Only a publisher can publish or unpublish an encounter.")

    def _transition(self, status, by, reason=None):
        self.status = status
        # django-simple-history records these two on the historical row it writes for the save;
        # set both every time, so that an earlier transition's reason is not repeated.
        self._change_reason = reason
        if by is not None:
            self._history_user = by
        self.save()
        return True

    def publish_problems(self, summary=None, principal_sides=None, source_count=None):
        """What stops this encounter being published, as sentences for editors ([] if nothing).

        The admin passes the values being submitted (form and inlines); otherwise the stored
        rows are checked.
        """
        if summary is None:
            summary = self.summary
        if principal_sides is None:
            principal_sides = set(self.participations.leads().values_list("side", flat=True))
        if source_count is None:
            source_count = self.sources.count()
        problems = []
        if not summary.strip():
            problems.append("Add a summary.")
        for side in (Side.US, Side.PRC):
            if side not in principal_sides:
                problems.append(
                    f"Add at least one principal for the {side.label} (a participant with "
                    f"side “{side.label}” and role “Principal”, “Host”, “Visitor” or "
                    "“Remote participant”)."
                )
        if source_count < 1:
            problems.append("Add at least one source.")
        return problems

    @property
    def cameo_code(self):
        """CAMEO code of the event: 040 (consult) for an in-person meeting in either capital."""
        if self.kind == self.Kind.MEETING:
            return "044" if self.venue == self.Venue.THIRD_COUNTRY else "040"
        return self.CAMEO_CODES.get(self.kind, "040")

    # What each code means in CAMEO's own terms (category 04, "consult").
    CAMEO_MEANINGS = {
        "040": "consultation, not specified below",
        "041": "a discussion by telephone",
        "042": "a visit made",
        "044": "a meeting at a third location",
        "046": "negotiations",
    }

    @property
    def cameo_meaning(self):
        return self.CAMEO_MEANINGS.get(self.cameo_code, "consultation")

    @property
    def is_multi_day(self):
        return self.end_date and self.end_date != self.start_date

    def build_search_document(self):
        """The text of related rows that full-text search should find this encounter by.

        Uses the rows EncounterQuerySet.refresh_search_documents() prefetched when present.
        """
        participations = getattr(self, "searched_participations", None)
        if participations is None:
            participations = self.participations.select_related("person")
        quotes = getattr(self, "searched_quotes", None)
        if quotes is None:
            quotes = self.quotes.select_related("speaker")
        topics = getattr(self, "searched_topics", None)
        if topics is None:
            topics = self.topics.all()
        readouts = getattr(self, "searched_readouts", None)
        if readouts is None:
            readouts = self.sources.readouts()
        return compose_search_document(
            place=(self.place.name, self.place.city) if self.place_id else None,
            participants=[(p.person.name, p.person.name_zh, p.office) for p in participations],
            quotes=[(q.text, q.speaker_description) for q in quotes],
            topics=[topic.name for topic in topics],
            readouts=[(source.title, source.text) for source in readouts],
        )

    def keep_former_slug(self, slug):
        """Make SLUG, an address this encounter was once published under, answer 301 here.

        Nothing changes when a live encounter holds SLUG (a current slug is never a former one)
        or when SLUG already redirects.
        """
        if slug == self.slug or Encounter.objects.filter(slug=slug).exists():
            return
        FormerSlug.objects.get_or_create(slug=slug, defaults={"encounter": self})

    def refresh_search_document(self):
        document = self.build_search_document()
        if document != self.search_document:
            Encounter.objects.filter(pk=self.pk).update(search_document=document)
            self.search_document = document


def compose_search_document(place, participants, quotes, topics=(), readouts=()):
    """The words of related rows in an encounter's `search_document`, in one order.

    `place` is (name, city) or None, `participants` (name, name_zh, office) in the
    participations' order, `quotes` (text, speaker_description) in the quotes' order, `topics`
    the topics' names by name, `readouts` (title, text) of its US and PRC readouts in the
    sources' order. Used by Encounter.build_search_document() and by the synthetic generator,
    which writes rows with COPY and must store the same document the model would build.

    A researcher searching "climate" expects every encounter tagged Climate, and one searching
    a readout's words expects the encounter it reports; Chinese text is followed by the terms
    that let part of a word find it (engagements/domain/search.py).
    """
    parts = list(place or ())
    for participant in participants:
        parts += participant
    parts += topics
    for quote in quotes:
        parts += quote
    for readout in readouts:
        parts += readout
    # Bounded, so that no number of quotes makes the stored tsvector too long for PostgreSQL.
    text = " ".join(part for part in parts if part)[:SEARCH_DOCUMENT_MAX_LENGTH]
    return with_chinese_terms(text)


class OfficeTerm(models.Model):
    """A person's term in an office: the data check flags a participant whose office was not
    held on the encounter's date."""

    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="terms",
        help_text="Who held the office.",
    )
    office = models.CharField(
        max_length=200,
        help_text="The office exactly as participants' “office” writes it, e.g. “State "
        "Councilor and Foreign Minister”.",
    )
    start_date = models.DateField(
        null=True, blank=True, help_text="First day in office; empty when not known."
    )
    end_date = models.DateField(
        null=True,
        blank=True,
        help_text="Last day in office; empty when still held or not known.",
    )
    note = models.TextField(
        blank=True, help_text="How we know the dates: the source or the data it comes from."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["person", "start_date", "office"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "office", "start_date"],
                nulls_distinct=False,
                name="officeterm_unique_person_office_start",
            ),
            models.CheckConstraint(
                condition=~Q(office__in=sorted(offices.CANONICAL)),
                name="officeterm_office_canonical",
                violation_error_message="Write the office as the record's one string for the "
                "post (engagements/domain/offices.py).",
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="officeterm_end_not_before_start",
            ),
        ]
        indexes = [models.Index(fields=["person", "office"], name="officeterm_person_office")]

    def __str__(self):
        start = f"{self.start_date:%Y-%m-%d}" if self.start_date else "?"
        end = f"{self.end_date:%Y-%m-%d}" if self.end_date else ""
        return f"{self.person.name}, {self.office} ({start}–{end})"

    def save(self, *args, **kwargs):
        # One string per post (engagements/domain/offices.py), whichever path writes the term.
        self.office = offices.canonical_office(self.office)
        super().save(*args, **kwargs)

    @classmethod
    def record(cls, rows):
        """Write each (person slug, office, start, end, note) of ROWS whose person is recorded,
        unless that person's term of that office starting then is there already; the number
        written. Used by the seed loader and the Office import (people looked up in one query)."""
        rows = list(rows)
        people = Person.objects.in_bulk({row[0] for row in rows}, field_name="slug")
        written = 0
        for slug, office, start, end, note in rows:
            if slug in people:
                _, created = cls.objects.get_or_create(
                    person=people[slug],
                    office=office,
                    start_date=start,
                    defaults={"end_date": end, "note": note},
                )
                written += created
        return written

    def covers(self, date):
        return (self.start_date is None or self.start_date <= date) and (
            self.end_date is None or date <= self.end_date
        )


def _topic_link_label(link):
    """An encounter's link to a topic in words: the topic's name, not "Encounter_topics
    object (497)" (the admin's delete confirmation lists every link it removes)."""
    return f"{link.topic.name}"


Encounter.topics.through.__str__ = _topic_link_label


class ParticipationQuerySet(models.QuerySet):
    def principals(self):
        return self.filter(role=Participation.Role.PRINCIPAL)

    def leads(self):
        """Who led each side: principals, hosts, visitors and remote participants, but not
        delegation members or interpreters."""
        return self.filter(role__in=Participation.LEAD_ROLES)


class Participation(models.Model):
    class Role(models.TextChoices):
        PRINCIPAL = "principal", "Principal"
        DELEGATION = "delegation", "Delegation member"
        HOST = "host", "Host"
        VISITOR = "visitor", "Visitor"
        REMOTE = "remote", "Remote participant"
        INTERPRETER = "interpreter", "Interpreter"

    # The roles that lead a side: on a visit the visitor and the host are the principals, on a
    # call the remote participant may be. Lists show them; publishing needs one per side.
    LEAD_ROLES = [Role.PRINCIPAL, Role.HOST, Role.VISITOR, Role.REMOTE]

    encounter = models.ForeignKey(
        Encounter, on_delete=models.CASCADE, related_name="participations"
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="participations",
        help_text="Who took part. Add them under People first if they are new.",
    )
    side = models.CharField(
        max_length=5,
        choices=Side,
        help_text="Which side the person took part for (usually their government's).",
    )
    role = models.CharField(
        max_length=12,
        choices=Role,
        default=Role.PRINCIPAL,
        help_text="Principal: the lead on their side. Others: delegation member, host, visitor, "
        "remote participant or interpreter.",
    )
    office = models.CharField(
        max_length=200,
        blank=True,
        help_text="Office held at the time, e.g. “State Councilor and Foreign Minister”.",
    )
    start_date = models.DateField(
        null=True,
        blank=True,
        help_text="Only where this person's dates differ from the encounter's (e.g. a "
        "Secretary who arrived before the President).",
    )
    end_date = models.DateField(
        null=True, blank=True, help_text="Only where it differs from the encounter's."
    )
    order = models.PositiveSmallIntegerField(
        default=0, help_text="Display order within the side (lowest first)."
    )

    history = HistoricalRecords()
    objects = ParticipationQuerySet.as_manager()

    class Meta:
        ordering = ["side", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["encounter", "person"], name="participation_one_per_person"
            ),
            models.CheckConstraint(
                condition=~Q(office__in=sorted(offices.CANONICAL)),
                name="participation_office_canonical",
                violation_error_message="Write the office as the record's one string for the "
                "post (engagements/domain/offices.py).",
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="participation_end_not_before_start",
            ),
        ]
        indexes = [
            # A person's encounters, and the side they took part for, from the index alone: the
            # network's ties join two sides' people by encounter (half the time at 100,000).
            models.Index(
                fields=["person", "encounter"], include=["side"], name="participation_person_side"
            ),
            models.Index(fields=["encounter", "role"], name="participation_encounter_role"),
        ]

    def __str__(self):
        office = f", {self.office}" if self.office else ""
        return f"{self.person.name}{office} ({self.get_role_display()})"

    def save(self, *args, **kwargs):
        # One string per post (engagements/domain/offices.py), whichever path writes the row.
        self.office = offices.canonical_office(self.office)
        super().save(*args, **kwargs)

    @property
    def office_shown(self):
        """The office with the party post that counts beside it (General Secretary)."""
        day = self.start_date or self.encounter.start_date
        return offices.office_shown(self.person.slug, self.office, day)


class SourceQuerySet(models.QuerySet):
    def readouts(self):
        """The governments' own readouts (US and PRC), in the sources' order."""
        return self.filter(kind__in=Source.READOUT_KINDS)


class Source(models.Model):
    class Kind(models.TextChoices):
        US_READOUT = "us_readout", "US official readout"
        PRC_READOUT = "prc_readout", "PRC official readout"
        NEWS = "news", "News report"
        TRANSCRIPT = "transcript", "Transcript"
        DATASET = "dataset", "Official dataset record"
        OTHER = "other", "Other"

    class Issuer(models.TextChoices):
        WHITE_HOUSE = "white_house", "The White House"
        STATE = "state", "US Department of State"
        TREASURY = "treasury", "US Department of the Treasury"
        DEFENSE = "defense", "US Department of Defense"
        COMMERCE = "commerce", "US Department of Commerce"
        USTR = "ustr", "Office of the US Trade Representative"
        US_EMBASSY = "us_embassy", "US Embassy or Mission"
        PRC_MFA = "prc_mfa", "PRC Ministry of Foreign Affairs"
        XINHUA = "xinhua", "Xinhua News Agency"
        PRC_MOFCOM = "prc_mofcom", "PRC Ministry of Commerce"
        PRC_MOD = "prc_mod", "PRC Ministry of National Defense"
        PRC_EMBASSY = "prc_embassy", "PRC Embassy or Mission"
        PRC_OTHER = "prc_other", "Other PRC government body"
        US_OTHER = "us_other", "Other US government body"

    class Language(models.TextChoices):
        ENGLISH = "en", "English"
        CHINESE = "zh", "Chinese"

    READOUT_KINDS = (Kind.US_READOUT, Kind.PRC_READOUT)

    encounter = models.ForeignKey(Encounter, on_delete=models.CASCADE, related_name="sources")
    kind = models.CharField(
        max_length=12, choices=Kind, default=Kind.NEWS, help_text="What sort of source it is."
    )
    outlet = models.CharField(
        max_length=200, help_text="Publisher, e.g. “CBS News”, “People's Daily”, “White House”."
    )
    title = models.CharField(
        max_length=400, blank=True, help_text="Headline or title, or a short description."
    )
    title_is_description = models.BooleanField(
        "title is a description",
        default=False,
        help_text="Tick when the title is our short description of the source, not its real "
        "headline (citations then do not present it as the headline).",
    )
    url = models.URLField(
        "URL", max_length=500, blank=True, help_text="Optional: print sources have none."
    )
    published_on = models.DateField(null=True, blank=True, help_text="Date of publication.")
    external_id = models.CharField(
        max_length=100,
        blank=True,
        help_text="Identifier of the record in its dataset, e.g. “hsg-trip:2844”.",
    )
    note = models.TextField(
        blank=True,
        help_text="What this source says that others do not (e.g. a different date or "
        "duration), or its wording of names.",
    )
    # A readout is a source of kind US/PRC readout that also keeps its text (one source
    # concept: citations, quotes and initiator support all point at the same row).
    issuer = models.CharField(
        max_length=20,
        choices=Issuer,
        blank=True,
        help_text="Readouts only: the government body that issued it.",
    )
    language = models.CharField(
        max_length=5,
        choices=Language,
        blank=True,
        help_text="Readouts only: the language of the text below.",
    )
    text = models.TextField(
        blank=True,
        help_text="Readouts only: the text as published, unedited. Where only its opening could "
        "be read, paste that opening and tick “text is an excerpt”. Official texts are public "
        "records, shown with attribution; summaries stay in our own words.",
    )
    text_is_excerpt = models.BooleanField(
        "text is an excerpt",
        default=False,
        help_text="Tick when the text above is only the opening of the readout; the URL then "
        "gives the whole.",
    )
    issued_on = models.DateField(
        null=True,
        blank=True,
        help_text="Readouts only: the date the readout gives for itself (its dateline or "
        "release date).",
    )
    issued_time = models.TimeField(
        null=True,
        blank=True,
        help_text="Readouts only: the clock time the readout gives, if any (e.g. a release "
        "time), in the zone below.",
    )
    issued_time_zone = models.CharField(
        max_length=64,
        blank=True,
        validators=[capitals.validate_time_zone],
        help_text="IANA zone of the readout's date and time: “America/New_York” for Washington, "
        "“Asia/Shanghai” for Beijing.",
    )
    copy_outlet = models.CharField(
        max_length=200,
        blank=True,
        help_text="Only when the text was read from a faithful copy, not the official address: "
        "who republished it (shown as “text as republished by …”).",
    )
    copy_url = models.URLField(
        "copy URL",
        max_length=500,
        blank=True,
        help_text="The address of that faithful copy.",
    )

    history = HistoricalRecords()
    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "published_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["us_readout", "prc_readout"])
                | (Q(issuer="") & Q(text="") & Q(text_is_excerpt=False)),
                name="source_readout_fields_only_on_readouts",
                violation_error_message="Issuer and text belong to a US or PRC readout only.",
            ),
            models.CheckConstraint(
                condition=Q(text_is_excerpt=False) | ~Q(text=""),
                name="source_excerpt_has_text",
                violation_error_message="An excerpt needs the text of the opening.",
            ),
            models.CheckConstraint(
                condition=Q(copy_url="") | ~Q(copy_outlet=""),
                name="source_copy_url_has_outlet",
                violation_error_message="Name who republished the copy the text was read from.",
            ),
            models.UniqueConstraint(
                fields=["encounter", "url"],
                condition=~Q(url=""),
                name="source_unique_url_per_encounter",
            ),
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="source_unique_external_id",
            ),
            # What a quote's (source, encounter) foreign key points at: a quote may only cite
            # a source of its own encounter (constraint quote_source_same_encounter).
            models.UniqueConstraint(fields=["id", "encounter"], name="source_id_encounter"),
        ]

    def __str__(self):
        return f"{self.outlet}: {self.title}" if self.title else self.outlet

    @property
    def is_readout(self):
        return self.kind in self.READOUT_KINDS

    @property
    def side(self):
        """The government whose readout this is, or "" for other sources."""
        return {self.Kind.US_READOUT: Side.US, self.Kind.PRC_READOUT: Side.PRC}.get(self.kind, "")

    # A published encounter keeps at least one source: the rule for a source leaving its
    # encounter (deleted, or moved to another one), whatever the path (the source admin and its
    # bulk delete, a script; the encounter form checks its inlines with publish_problems()).

    def removal_problem(self, leaving=()):
        """Why this source may not leave its encounter, as a sentence for editors ("" if it
        may). LEAVING: ids of other sources leaving with it."""
        encounter = Encounter.objects.filter(pk=self.encounter_id).only("title", "status").first()
        if encounter is None or not encounter.is_published:
            return ""
        if encounter.sources.exclude(pk__in={self.pk, *leaving}).exists():
            return ""
        return (
            f"“{encounter.title}” is published and would be left without a source: add "
            "another source to it, or unpublish it, first."
        )

    def clean(self):
        super().clean()
        if self.pk is None:
            return
        stored = Source.objects.filter(pk=self.pk).values_list("encounter_id", flat=True).first()
        if stored is not None and stored != self.encounter_id:
            problem = Source(pk=self.pk, encounter_id=stored).removal_problem()
            if problem:
                raise ValidationError({"encounter": problem})


class Quote(models.Model):
    class Language(models.TextChoices):
        ENGLISH = "en", "English"
        CHINESE = "zh", "Chinese"

    encounter = models.ForeignKey(Encounter, on_delete=models.CASCADE, related_name="quotes")
    text = models.TextField(
        max_length=QUOTE_MAX_LENGTH,
        help_text="The words quoted, exactly as the source gives them. At most 5,000 characters.",
    )
    speaker = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quotes",
        help_text="The named speaker. Leave empty for unnamed sources and describe them below.",
    )
    speaker_description = models.CharField(
        max_length=200,
        blank=True,
        help_text="How the source describes the speaker, e.g. “a senior administration "
        "official”. Required when no speaker is named.",
    )
    source = models.ForeignKey(
        Source,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="quotes",
        help_text="The source that reports the quote (one of this encounter's sources).",
    )
    context = models.CharField(
        max_length=300,
        blank=True,
        help_text="Optional: what the quote refers to, where the words alone do not say.",
    )
    language = models.CharField(
        max_length=2,
        choices=Language,
        default=Language.ENGLISH,
        help_text="Language of the quoted text.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["encounter", "id"]
        constraints = [
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("text"), QUOTE_MAX_LENGTH),
                name="quote_text_within_length",
                violation_error_message="A quote has at most 5,000 characters.",
            ),
            models.CheckConstraint(
                condition=Q(speaker__isnull=False) | ~Q(speaker_description=""),
                name="quote_has_speaker_or_description",
            ),
        ]

    def __str__(self):
        text = self.text if len(self.text) <= 60 else self.text[:57] + "…"
        return f"“{text}” ({self.speaker_label})"

    @property
    def speaker_label(self):
        return self.speaker.name if self.speaker_id else self.speaker_description

    def clean(self):
        super().clean()
        # Also a database rule: the composite foreign key quote_source_same_encounter.
        if self.source_id and self.source.encounter_id != self.encounter_id:
            raise ValidationError(
                {"source": "Choose one of this encounter's own sources for the quote."}
            )


class Discrepancy(models.Model):
    """Where a source disagrees with what the tracker records, shown on the encounter's page.

    Recorded rather than silently resolved: the page names both values and their sources, so a
    researcher can judge. The Office of the Historian import records its date and name
    disagreements here (docs/researchers.md, "Office of the Historian records").
    """

    class Field(models.TextChoices):
        DATES = "dates", "Dates"
        PERSON_NAME = "person_name", "Name of a person"
        OFFICE = "office", "Office or title"
        PLACE = "place", "Place"
        INITIATOR = "initiator", "Which side asked"
        DURATION = "duration", "Length"
        KIND = "kind", "Kind of encounter"
        OTHER = "other", "Other"

    encounter = models.ForeignKey(
        Encounter,
        on_delete=models.CASCADE,
        related_name="discrepancies",
        help_text="The encounter whose record the source disagrees with.",
    )
    field = models.CharField(
        max_length=12, choices=Field, help_text="What the source and our record disagree on."
    )
    our_value = models.CharField(
        max_length=300,
        help_text="What the tracker records, as shown on the page, e.g. “15 November 2023”.",
    )
    their_value = models.CharField(
        max_length=300,
        help_text="What the other source says, in its own wording, e.g. “12 November 2023”.",
    )
    source = models.ForeignKey(
        Source,
        on_delete=models.CASCADE,
        related_name="discrepancies",
        help_text="The source that gives the differing value (one of this encounter's sources).",
    )
    our_source = models.ForeignKey(
        Source,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supported_discrepancies",
        help_text="Optional: the source for our value, if it is one of this encounter's sources. "
        "Otherwise name it in the note.",
    )
    note = models.TextField(
        help_text="Shown to the public: name both values and where each comes from, and why we "
        "keep ours."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["encounter", "field", "id"]
        verbose_name_plural = "discrepancies"
        constraints = [
            models.UniqueConstraint(
                fields=["encounter", "source", "field", "their_value"],
                name="discrepancy_unique_per_source_value",
            ),
            models.CheckConstraint(
                condition=~Q(our_value=F("their_value")), name="discrepancy_values_differ"
            ),
            models.CheckConstraint(
                condition=~Q(note="") & ~Q(our_value="") & ~Q(their_value=""),
                name="discrepancy_values_and_note_given",
            ),
            models.CheckConstraint(
                condition=Q(our_source__isnull=True) | ~Q(our_source=F("source")),
                name="discrepancy_our_source_is_another_source",
            ),
        ]
        indexes = [models.Index(fields=["field"], name="discrepancy_field")]

    def __str__(self):
        return f"{self.get_field_display()}: {self.our_value} / {self.their_value}"

    def get_absolute_url(self):
        return self.encounter.get_absolute_url() + "#discrepancies"

    def clean(self):
        errors = {}
        if self.source_id and self.encounter_id and self.source.encounter_id != self.encounter_id:
            errors["source"] = "Choose one of this encounter's sources."
        if (
            self.our_source_id
            and self.encounter_id
            and self.our_source.encounter_id != self.encounter_id
        ):
            errors["our_source"] = "Choose one of this encounter's sources."
        if self.our_value and self.our_value == self.their_value:
            errors["their_value"] = "The two values are the same: there is no discrepancy."
        if errors:
            raise ValidationError(errors)


def bump_version(encounter_id):
    """Increment an encounter's version in one UPDATE and return the new value (or None)."""
    table = Encounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET version = version + 1, updated_at = %s WHERE id = %s "
            "RETURNING version",
            [timezone.now(), encounter_id],
        )
        row = cursor.fetchone()
    return row[0] if row else None


class FormerSlug(models.Model):
    """A slug an encounter had before: its old permalink answers 301 to the current one.

    Researchers cite permalinks, so a renamed slug must keep working. Kept on every save that
    changes a slug (encounter_slug_changing below); a slug in use now is never a former one.
    """

    encounter = models.ForeignKey(
        Encounter,
        on_delete=models.CASCADE,
        related_name="former_slugs",
        help_text="The encounter that had this slug.",
    )
    slug = models.SlugField(
        max_length=200, unique=True, help_text="The slug it had; its URLs redirect to the current."
    )
    retired_at = models.DateTimeField(
        auto_now_add=True, help_text="When the encounter's slug was changed from this one."
    )

    class Meta:
        ordering = ["-retired_at"]

    def __str__(self):
        return self.slug


def current_slug(former_slug):
    """The slug of the published encounter that once had `former_slug`, or None."""
    return (
        Encounter.objects.published()
        .filter(former_slugs__slug=former_slug)
        .values_list("slug", flat=True)
        .first()
    )


@receiver(pre_save, sender=Encounter, dispatch_uid="keep-former-slugs")
def encounter_slug_changing(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields is not None and "slug" not in update_fields):
        return
    stored = None
    if instance.pk is not None:
        stored = Encounter.objects.filter(pk=instance.pk).values_list("slug", flat=True).first()
        if stored == instance.slug:
            return
    # Taken back by the encounter that had it: no longer a former one. Another encounter's
    # former slug stays reserved, so its permalink keeps redirecting (slug_problem).
    problem = instance.slug_problem()
    if problem:
        raise ValidationError({"slug": problem})
    FormerSlug.objects.filter(slug=instance.slug, encounter_id=instance.pk).delete()
    if stored:
        FormerSlug.objects.update_or_create(slug=stored, defaults={"encounter_id": instance.pk})


# The encounter's named constraints in an editor's words, with the field each concerns: the
# import's row errors (engagements/surfaces/importing.py) show these, not the names.
CONSTRAINT_EXPLANATIONS = {
    "encounter_end_not_before_start": (
        "end_date",
        "The last day is before the first day: give an end date on or after the start date, "
        "or leave it empty for a single day.",
    ),
    "encounter_beijing_date_within_a_day": (
        "beijing_date",
        "Beijing's date must be within a day of the first day.",
    ),
    "encounter_washington_date_within_a_day": (
        "washington_date",
        "Washington's date must be within a day of the first day.",
    ),
    "encounter_level_override_has_reason": (
        "level",
        "The level differs from the one the principals' offices give: give the reason in "
        "the level override reason, or leave the level to the rule.",
    ),
    "encounter_duration_positive": ("duration_minutes", "The duration must be positive."),
    "encounter_not_its_own_parent": ("parent", "An encounter cannot be its own parent."),
    "encounter_published_has_published_at": (
        "status",
        "A published encounter needs its publication time.",
    ),
}


class CorrectionRequest(models.Model):
    """A reader's report of an error in a published encounter, for the editors.

    Sent from the encounter's page by anyone, without an account: it stores the text only (no
    file, no markup is ever rendered from it), grants nothing, and is rate-limited per address
    (engagements/surfaces/corrections.py). Editors see and close it in the admin.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CORRECTED = "corrected", "Corrected"
        DECLINED = "declined", "Declined (the record stands)"

    TEXT_MAX_LENGTH = 4000

    encounter = models.ForeignKey(
        Encounter,
        on_delete=models.CASCADE,
        related_name="correction_requests",
        help_text="The encounter the reader says is wrong.",
    )
    text = models.TextField(
        max_length=TEXT_MAX_LENGTH,
        help_text="What the reader says is wrong and, ideally, the source that says otherwise.",
    )
    contact = models.CharField(
        max_length=200,
        blank=True,
        help_text="Optional, as the reader typed it: how to reach them. Never shown publicly.",
    )
    status = models.CharField(
        max_length=10,
        choices=Status,
        default=Status.OPEN,
        help_text="Open until an editor has corrected the record or decided it stands.",
    )
    editor_note = models.TextField(
        blank=True, help_text="Editors only: what was done about it, and why."
    )
    created_at = models.DateTimeField(auto_now_add=True, help_text="When it was sent.")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="correctionrequest_text_not_empty"),
            models.CheckConstraint(
                condition=Q(status__in=["open", "corrected", "declined"]),
                name="correctionrequest_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["status", "-created_at"], name="correction_status_date")]

    def __str__(self):
        return f"Correction request on {self.encounter.title} ({self.created_at:%Y-%m-%d})"


class RemovedEncounter(models.Model):
    """What is left of a published encounter that was deleted: its permalink answers 410 Gone
    with this note instead of a bare 404, since researchers may have cited it."""

    slug = models.SlugField(
        max_length=200, unique=True, help_text="The removed encounter's permanent URL name."
    )
    title = models.CharField(max_length=200, help_text="Its title when it was removed.")
    start_date = models.DateField(null=True, blank=True, help_text="Its first day.")
    removed_at = models.DateTimeField(auto_now_add=True, help_text="When it was deleted.")
    note = models.TextField(
        default="The editors removed this encounter from the record.",
        help_text="Shown on its old address: why it was removed (a duplicate of which "
        "encounter, found not to have taken place, …).",
    )

    class Meta:
        ordering = ["-removed_at"]

    def __str__(self):
        return f"{self.title} (removed)"


@receiver(pre_delete, sender=Encounter, dispatch_uid="keep-removed-encounter")
def keep_removed_encounter(sender, instance, **kwargs):
    """A published encounter that is deleted leaves a tombstone at its permalink."""
    if instance.status == Encounter.Status.PUBLISHED:
        RemovedEncounter.objects.update_or_create(
            slug=instance.slug,
            defaults={"title": instance.title, "start_date": instance.start_date},
        )

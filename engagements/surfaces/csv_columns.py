"""The one definition of the encounters CSV: its columns and how their cells are written.

The public CSV/JSON export (surfaces/exports.py) writes EXPORT_COLUMNS: first the
IMPORT_COLUMNS, in exactly the format the admin's bulk import (surfaces/importing.py) reads, then
the EXPORT_ONLY_COLUMNS that researchers need but an editor cannot set through an import (the
page URL, coordinates, Chinese names, identifiers, provenance, timestamps). The importer accepts
and ignores those, so an exported file can be edited and imported again. The *_COLUMNS lists
hold Column definitions; the *_NAMES lists hold their header names. docs/researchers.md,
"Encounter CSV columns", documents this list; a test keeps the two in step.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engagements.models import Encounter, Participation, Side, Source

# Cells holding several items separated by ITEM_SEPARATOR; an item's parts by PART_SEPARATOR.
#   topics:     "Climate; Trade"                      (topic names or slugs)
#   principals: "Antony Blinken: Secretary of State; Wang Yi: Foreign Minister"
#               (person name, slug or listed alias; optional ": office held at the time")
#   sources:    "White House: https://www.whitehouse.gov/…; Xinhua"
#               (outlet; optional ": URL". A ";" inside a URL must be written %3B)
ITEM_SEPARATOR = ";"
PART_SEPARATOR = ": "
DATE_FORMAT = "%Y-%m-%d"  # ISO 8601 dates; times as HH:MM
TIME_FORMAT = "%H:%M"

# Spreadsheets run a cell starting with one of these as a formula ("CSV injection",
# https://owasp.org/www-community/attacks/CSV_Injection). The export prefixes such cells with an
# apostrophe, which spreadsheets show as text; the import removes it again.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_GUARD = "'"


def protect_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return FORMULA_GUARD + value
    return value


def unprotect_cell(value):
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_GUARD)
        and value[1:].startswith(FORMULA_TRIGGERS)
    ):
        return value[1:]
    return value


def split_items(cell):
    return [item.strip() for item in (cell or "").split(ITEM_SEPARATOR) if item.strip()]


def split_item(item):
    """'Name: detail' -> ('Name', 'detail'); 'Name' -> ('Name', '')."""
    name, _, detail = item.partition(PART_SEPARATOR)
    return name.strip(), detail.strip()


def join_items(items):
    return f"{ITEM_SEPARATOR} ".join(items)


SIDE_ORDER = {Side.US: 0, Side.PRC: 1, Side.OTHER: 2}


def principals_of(encounter):
    """Who led each side (Participation.LEAD_ROLES: principals, hosts, visitors, remote
    participants), US side first, then PRC, then others, each in stored order.

    Uses the export's prefetch (principal_participations) when present.
    """
    principals = getattr(encounter, "principal_participations", None)
    if principals is None:
        principals = [
            p for p in encounter.participations.all() if p.role in Participation.LEAD_ROLES
        ]
    return sorted(principals, key=lambda p: SIDE_ORDER.get(p.side, len(SIDE_ORDER)))


def principal_items(encounter):
    return [
        f"{p.person.name}{PART_SEPARATOR}{p.office}" if p.office else p.person.name
        for p in principals_of(encounter)
    ]


def source_items(encounter):
    return [
        f"{s.outlet}{PART_SEPARATOR}{s.url.replace(';', '%3B')}" if s.url else s.outlet
        for s in encounter.sources.all()
    ]


def discrepancy_items(encounter):
    """“Dates: 18–19 June 2023 (tracker) / 17–19 June 2023 (U.S. Department of State, Office of
    the Historian, hsg-trip:4145)” per place where a source disagrees with the record; the note
    explaining each is on the page and in the API."""
    items = []
    for discrepancy in encounter.discrepancies.all():
        source = discrepancy.source
        cited = ", ".join(part for part in (source.outlet, source.external_id) if part)
        item = (
            f"{discrepancy.get_field_display()}{PART_SEPARATOR}{discrepancy.our_value} (tracker) "
            f"/ {discrepancy.their_value} ({cited})"
        )
        items.append(item.replace(ITEM_SEPARATOR, ","))
    return items


def readouts_of(encounter, kind):
    """The encounter's official readouts of one side (from the export's prefetched sources)."""
    return [source for source in encounter.sources.all() if source.kind == kind]


def _has_readout(kind):
    return lambda e, _: "yes" if readouts_of(e, kind) else "no"


def _readout_urls(kind):
    return lambda e, _: [source.url for source in readouts_of(e, kind) if source.url]


def topic_names(encounter):
    return [topic.name for topic in encounter.topics.all()]


def format_principals(encounter):
    """The principals cell, from prefetched or stored participations."""
    return join_items(principal_items(encounter))


def format_sources(encounter):
    return join_items(source_items(encounter))


def format_topics(encounter):
    return join_items(topic_names(encounter))


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    value: Callable[[Any, Any], Any]  # (encounter, context) -> str, int, float, list or None
    many: bool = False  # a list: joined with "; " in CSV, an array in JSON


def _field(name):
    return lambda encounter, _context: getattr(encounter, name)


def _date(name):
    def value(encounter, _context):
        date = getattr(encounter, name)
        return date.strftime(DATE_FORMAT) if date else None

    return value


def _place(name):
    def value(encounter, _context):
        place = encounter.place
        if place is None:
            return None
        attribute = getattr(place, name)
        if name in ("latitude", "longitude"):
            return None if attribute is None else float(attribute)
        return attribute

    return value


def _utc(name):
    def value(encounter, _context):
        moment = getattr(encounter, name)
        if moment is None:
            return None
        utc = moment.astimezone(datetime.UTC)
        return utc.isoformat(timespec="seconds").replace("+00:00", "Z")

    return value


# Importable, in file order. Choice columns hold the stored value (e.g. "phone_call").
IMPORT_COLUMNS = [
    Column("slug", "Permanent identifier (URL name), unique.", _field("slug")),
    Column("title", "Short descriptive title.", _field("title")),
    Column(
        "kind", "phone_call, video_call, meeting, visit, talks or summit_sideline.", _field("kind")
    ),
    Column("venue", "us, prc, third_country or remote.", _field("venue")),
    Column("level", "leader, cabinet, deputy, envoy or working.", _field("level")),
    Column("start_date", "First day (YYYY-MM-DD), Washington's calendar.", _date("start_date")),
    Column(
        "end_date",
        "Last day (YYYY-MM-DD), Washington's calendar; empty on import = one day.",
        _date("end_date"),
    ),
    Column("date_precision", "day (default), month or year.", _field("date_precision")),
    Column(
        "beijing_date",
        "Beijing's calendar date (YYYY-MM-DD) where it differs from Washington's, else empty.",
        _date("beijing_date"),
    ),
    Column(
        "local_start_time",
        "Local start time (HH:MM) if known.",
        lambda e, _: e.local_start_time.strftime(TIME_FORMAT) if e.local_start_time else None,
    ),
    Column("duration_minutes", "Length in whole minutes, if reported.", _field("duration_minutes")),
    Column("place", "Venue name (created on import if new).", _place("name")),
    Column("city", "City of the venue.", _place("city")),
    Column("country", "ISO 3166-1 alpha-2 country code of the venue (US, CN…).", _place("country")),
    Column("initiated_by", "us, prc, both or unknown.", _field("initiated_by")),
    Column(
        "tone", "cordial, constructive, candid, mixed, tense, hostile or unknown.", _field("tone")
    ),
    Column("tone_note", "Free text on tone, with its attribution.", _field("tone_note")),
    Column(
        "occurrence", "held (default), announced, postponed or cancelled.", _field("occurrence")
    ),
    Column("summary", "What happened (Markdown).", _field("summary")),
    Column("outcomes", "Agreements and follow-ups (Markdown).", _field("outcomes")),
    Column(
        "topics",
        "Topic names, e.g. “Climate; Trade” (on import: names or slugs of existing topics).",
        lambda e, _: topic_names(e),
        many=True,
    ),
    Column(
        "principals",
        "“Name: office held at the time” per principal, e.g. “Antony Blinken: Secretary of "
        "State; Wang Yi: Foreign Minister” (on import: name, slug or alias of an existing "
        "person; office optional; each becomes a principal on the person's side).",
        lambda e, _: principal_items(e),
        many=True,
    ),
    Column(
        "sources",
        "“Outlet: URL” per source, e.g. “US Department of State: https://…; Xinhua” (URL "
        "optional; a “;” inside a URL is written %3B).",
        lambda e, _: source_items(e),
        many=True,
    ),
]

# Written by the export for researchers; accepted and ignored by the import.
EXPORT_ONLY_COLUMNS = [
    Column(
        "url",
        "Permanent URL of the encounter's page.",
        lambda e, context: context.absolute_url(e.get_absolute_url()),
    ),
    Column("cameo_code", "CAMEO event code (04x, consult).", _field("cameo_code")),
    Column("place_latitude", "Latitude of the venue, decimal degrees.", _place("latitude")),
    Column("place_longitude", "Longitude of the venue, decimal degrees.", _place("longitude")),
    Column(
        "principal_slugs",
        "Identifiers of the principals (as in /people/<slug>/), in the order of `principals`.",
        lambda e, _: [p.person.slug for p in principals_of(e)],
        many=True,
    ),
    Column(
        "principal_sides",
        "Side of each principal (us, prc or other), in the order of `principals`.",
        lambda e, _: [p.side for p in principals_of(e)],
        many=True,
    ),
    Column(
        "principal_names_zh",
        "Chinese name of each principal, in the order of `principals` (empty where unknown).",
        lambda e, _: [p.person.name_zh for p in principals_of(e)],
        many=True,
    ),
    Column(
        "topic_slugs",
        "Topic identifiers (as in /topics/<slug>/), in the order of `topics`.",
        lambda e, _: [topic.slug for topic in e.topics.all()],
        many=True,
    ),
    Column(
        "us_readout",
        "yes when the record cites a US official readout (its text, where stored, is in "
        "/readouts.jsonl), else no.",
        _has_readout(Source.Kind.US_READOUT),
    ),
    Column(
        "prc_readout",
        "yes when the record cites a PRC official readout, else no.",
        _has_readout(Source.Kind.PRC_READOUT),
    ),
    Column(
        "us_readout_urls",
        "Official addresses of the US readouts (none where no address was seen).",
        _readout_urls(Source.Kind.US_READOUT),
        many=True,
    ),
    Column(
        "prc_readout_urls",
        "Official addresses of the PRC readouts (none where no address was seen).",
        _readout_urls(Source.Kind.PRC_READOUT),
        many=True,
    ),
    Column(
        "parent_slug",
        "Identifier of the trip or summit it belongs to.",
        lambda e, _: public_parent_slug(e),
    ),
    Column(
        "discrepancies",
        "Where a source disagrees with the record: “what: our value (tracker) / their value "
        "(source)”, e.g. “Dates: 18–19 June 2023 (tracker) / 17–19 June 2023 (U.S. Department "
        "of State, Office of the Historian, hsg-trip:4145)”; the reasons are on the encounter's "
        "page and in the API.",
        lambda e, _: discrepancy_items(e),
        many=True,
    ),
    Column("provenance", "curated, hsg or synthetic.", _field("provenance")),
    Column("published_at", "When it was first published (ISO 8601, UTC).", _utc("published_at")),
    Column("updated_at", "When the record last changed (ISO 8601, UTC).", _utc("updated_at")),
]

# What the export writes, in this order.
EXPORT_COLUMNS = IMPORT_COLUMNS + EXPORT_ONLY_COLUMNS


def public_parent_slug(encounter):
    """A draft trip or summit is not public: say nothing, as the page and the API do."""
    parent = encounter.parent
    return parent.slug if parent and parent.status == Encounter.Status.PUBLISHED else None


# The same three lists as header names.
IMPORT_NAMES = [column.name for column in IMPORT_COLUMNS]  # what the import reads
EXPORT_ONLY_NAMES = [column.name for column in EXPORT_ONLY_COLUMNS]  # it accepts and ignores
EXPORT_NAMES = IMPORT_NAMES + EXPORT_ONLY_NAMES
# An import file must have these; every other column may be left out (or left empty).
REQUIRED_NAMES = ["slug", "title", "kind", "venue", "level", "start_date"]

"""The encounter export format: one row per encounter, as CSV or as a JSON array.

COLUMNS is the single definition of the export's columns (README.md, "Exports", documents it;
a test keeps the two in step). A bulk import that reads the same columns should import COLUMNS
and LIST_SEPARATOR from here rather than repeat them.

Rows are written as they are read: the queryset is walked with a server-side cursor in chunks of
settings.EXPORT_CHUNK_SIZE, with related rows prefetched per chunk, so memory does not grow with
the number of encounters exported.
"""

import csv
import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from engagements.filters import filter_encounters
from engagements.models import Participation, Side, Source

# Several values in one CSV cell (names, topics, URLs) are joined with this.
LIST_SEPARATOR = "; "

# Excel opens a UTF-8 CSV as the local legacy code page unless it starts with a byte order mark,
# which would garble Chinese names; Python ("utf-8-sig"), pandas, R's readr and LibreOffice all
# accept the mark. So the CSV export starts with one.
CSV_BOM = "\ufeff"


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    value: Callable[[Any, Any], Any]  # (encounter, exporter context) -> str, int, list or None
    many: bool = False  # a list: joined with LIST_SEPARATOR in CSV, an array in JSON


def _principals(side):
    def value(encounter, _context):
        return [
            format_person(p.person) for p in encounter.principal_participations if p.side == side
        ]

    return value


def format_person(person):
    """“Xi Jinping (习近平)”: a person as shown in exports, with the Chinese name when known."""
    return f"{person.name} ({person.name_zh})" if person.name_zh else person.name


def _date(name):
    def value(encounter, _context):
        date = getattr(encounter, name)
        return date.isoformat() if date else None

    return value


def _field(name):
    return lambda encounter, _context: getattr(encounter, name)


def _place(name):
    def value(encounter, _context):
        place = encounter.place
        if place is None:
            return None
        attribute = getattr(place, name)
        return float(attribute) if name in ("latitude", "longitude") and attribute else attribute

    return value


COLUMNS = [
    Column("slug", "Permanent identifier of the encounter.", _field("slug")),
    Column(
        "url",
        "Permanent URL of the encounter's page.",
        lambda e, context: context.absolute_url(e.get_absolute_url()),
    ),
    Column("title", "Short descriptive title.", _field("title")),
    Column(
        "kind",
        "phone_call, video_call, meeting, visit, talks or summit_sideline.",
        _field("kind"),
    ),
    Column("venue", "us, prc, third_country or remote.", _field("venue")),
    Column("level", "leader, cabinet, deputy, envoy or working.", _field("level")),
    Column("start_date", "First day (YYYY-MM-DD), Washington's calendar.", _date("start_date")),
    Column("end_date", "Last day (YYYY-MM-DD), Washington's calendar.", _date("end_date")),
    Column("date_precision", "day, month or year.", _field("date_precision")),
    Column(
        "beijing_date",
        "Beijing's calendar date where it differs from Washington's, else empty.",
        _date("beijing_date"),
    ),
    Column(
        "local_start_time",
        "Local start time (HH:MM) if known.",
        lambda e, _: e.local_start_time.strftime("%H:%M") if e.local_start_time else None,
    ),
    Column("duration_minutes", "Length in minutes, if reported.", _field("duration_minutes")),
    Column("occurrence", "held, announced, postponed or cancelled.", _field("occurrence")),
    Column("initiated_by", "us, prc, both or unknown.", _field("initiated_by")),
    Column(
        "tone",
        "cordial, constructive, candid, mixed, tense, hostile or unknown.",
        _field("tone"),
    ),
    Column("tone_note", "Free text on tone, with its attribution.", _field("tone_note")),
    Column("cameo_code", "CAMEO event code (04x, consult).", _field("cameo_code")),
    Column("place_name", "Venue name.", _place("name")),
    Column("place_city", "City.", _place("city")),
    Column("place_country", "ISO 3166-1 alpha-2 country code.", _place("country")),
    Column("place_latitude", "Decimal degrees.", _place("latitude")),
    Column("place_longitude", "Decimal degrees.", _place("longitude")),
    Column(
        "us_principals",
        "US principals: “Name” or “Name (中文名)”.",
        _principals(Side.US),
        many=True,
    ),
    Column("prc_principals", "PRC principals, e.g. “Wang Yi (王毅)”.", _principals(Side.PRC), True),
    Column("other_principals", "Third-party principals.", _principals(Side.OTHER), many=True),
    Column(
        "principal_slugs",
        "Identifiers of all principals (as in /people/<slug>/), in the order above.",
        lambda e, _: [p.person.slug for p in sorted_principals(e)],
        many=True,
    ),
    Column(
        "topics",
        "Topic identifiers (as in /topics/<slug>/).",
        lambda e, _: [topic.slug for topic in e.topics.all()],
        many=True,
    ),
    Column(
        "source_urls",
        "URLs of the sources (print sources without a URL are left out).",
        lambda e, _: [source.url for source in e.sources.all() if source.url],
        many=True,
    ),
    Column("summary", "What happened (Markdown).", _field("summary")),
    Column("outcomes", "Agreements and follow-ups (Markdown).", _field("outcomes")),
    Column(
        "parent_slug",
        "Identifier of the trip or summit it belongs to.",
        lambda e, _: e.parent.slug if e.parent_id else None,
    ),
    Column("provenance", "curated, hsg or synthetic.", _field("provenance")),
    Column(
        "published_at",
        "When it was first published (ISO 8601, UTC).",
        lambda e, _: _utc(e.published_at),
    ),
    Column(
        "updated_at",
        "When the record last changed (ISO 8601, UTC).",
        lambda e, _: _utc(e.updated_at),
    ),
]
COLUMN_NAMES = [column.name for column in COLUMNS]


def _utc(moment):
    if moment is None:
        return None
    return moment.astimezone(datetime.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


SIDE_ORDER = {Side.US: 0, Side.PRC: 1, Side.OTHER: 2}


def sorted_principals(encounter):
    return sorted(encounter.principal_participations, key=lambda p: SIDE_ORDER.get(p.side, 3))


def with_export_data(queryset):
    """What one export row reads, fetched in a fixed number of queries per chunk."""
    return queryset.select_related("place", "parent").prefetch_related(
        Prefetch(
            "participations",
            queryset=Participation.objects.principals().select_related("person"),
            to_attr="principal_participations",
        ),
        "topics",
        Prefetch("sources", queryset=Source.objects.only("id", "encounter_id", "url")),
    )


class ExportContext:
    """What a column may need beyond the encounter itself."""

    def __init__(self, request):
        self.request = request

    def absolute_url(self, path):
        return self.request.build_absolute_uri(path)


def rows(queryset, request):
    """Each encounter of queryset, in its order, as {column name: value}."""
    context = ExportContext(request)
    chunk_size = settings.EXPORT_CHUNK_SIZE
    for encounter in with_export_data(queryset).iterator(chunk_size=chunk_size):
        yield {column.name: column.value(encounter, context) for column in COLUMNS}


class _Echo:
    """A file-like object whose write() returns what it was given (for csv.writer)."""

    def write(self, value):
        return value


def csv_lines(queryset, request):
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield CSV_BOM + writer.writerow(COLUMN_NAMES)
    many = {column.name for column in COLUMNS if column.many}
    for row in rows(queryset, request):
        yield writer.writerow(
            [
                LIST_SEPARATOR.join(value) if name in many else _csv_cell(value)
                for name, value in row.items()
            ]
        )


def _csv_cell(value):
    return "" if value is None else value


def json_chunks(queryset, request):
    """A JSON array of row objects, written one element at a time."""
    yield "["
    separator = "\n"
    for row in rows(queryset, request):
        yield separator + json.dumps(row, ensure_ascii=False)
        separator = ",\n"
    yield "\n]\n"


def filename(extension):
    return f"encounters-{timezone.localdate():%Y-%m-%d}.{extension}"


def filter_errors(filterset):
    """{field: [messages]}, the shape the API answers bad parameters with too."""
    return {field: list(messages) for field, messages in filterset.errors.items()}


def _export(request, extension, content_type, write):
    filterset, queryset = filter_encounters(request.GET)
    if not filterset.is_valid():
        return bad_parameters(filterset, extension)
    response = StreamingHttpResponse(write(queryset, request), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename(extension)}"'
    return response


def bad_parameters(filterset, extension):
    errors = filter_errors(filterset)
    if extension == "json":
        return JsonResponse(errors, status=400, json_dumps_params={"ensure_ascii": False})
    lines = ["Bad filter parameters:"]
    lines += [f"{field}: {message}" for field, messages in errors.items() for message in messages]
    return HttpResponse(
        "\n".join(lines) + "\n", status=400, content_type="text/plain; charset=utf-8"
    )


@require_safe
def encounters_csv(request):
    """/encounters.csv: every published encounter matching the list's filters, in its order."""
    return _export(request, "csv", "text/csv; charset=utf-8", csv_lines)


@require_safe
def encounters_json(request):
    """/encounters.json: the same rows as /encounters.csv, as one JSON array of objects."""
    return _export(request, "json", "application/json; charset=utf-8", json_chunks)

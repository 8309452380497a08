"""The encounter export: one row per encounter, as CSV or as a JSON array; and the readouts
corpus, /readouts.jsonl: one line per official readout of the matching encounters.

The columns are defined once, in surfaces/csv_columns.py: the bulk import's columns, in its
format, then the export-only research columns. So an exported CSV can be imported again.

Rows are written as they are read: the queryset is walked with a server-side cursor in chunks of
settings.EXPORT_CHUNK_SIZE, with related rows prefetched per chunk, so memory does not grow with
the number of encounters exported.
"""

import csv
import json

from django import forms
from django.conf import settings
from django.db.models import Prefetch
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from engagements.domain.filters import filter_encounters
from engagements.infrastructure.limits import HeldWhileStreaming, export_slots, exports_busy
from engagements.models import Discrepancy, Participation, Source
from engagements.surfaces import csv_columns

# Several values in one CSV cell (principals, topics, sources…) are joined with this.
LIST_SEPARATOR = f"{csv_columns.ITEM_SEPARATOR} "

# Excel opens a UTF-8 CSV as the local legacy code page unless it starts with a byte order mark,
# which would garble Chinese names; Python ("utf-8-sig"), pandas, R's readr and LibreOffice all
# accept the mark. So the CSV export starts with one.
CSV_BOM = "\ufeff"


def with_export_data(queryset):
    """What one export row reads, fetched in a fixed number of queries per chunk."""
    return queryset.select_related("place", "parent").prefetch_related(
        Prefetch(
            "participations",
            queryset=Participation.objects.leads()
            .select_related("person")
            .only(
                *("id", "encounter_id", "side", "order", "role", "office"),
                *("person__name", "person__name_zh", "person__slug"),
            ),
            to_attr="principal_participations",
        ),
        "topics",
        Prefetch(
            "sources", queryset=Source.objects.only("id", "encounter_id", "kind", "outlet", "url")
        ),
        Prefetch(
            "discrepancies",
            queryset=Discrepancy.objects.select_related("source").only(
                *("id", "encounter_id", "field", "our_value", "their_value", "source_id"),
                *("source__outlet", "source__external_id"),
            ),
        ),
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
        yield {
            column.name: column.value(encounter, context) for column in csv_columns.EXPORT_COLUMNS
        }


class _Echo:
    """A file-like object whose write() returns what it was given (for csv.writer)."""

    def write(self, value):
        return value


def csv_lines(queryset, request):
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield CSV_BOM + writer.writerow(csv_columns.EXPORT_NAMES)
    many = {column.name for column in csv_columns.EXPORT_COLUMNS if column.many}
    for row in rows(queryset, request):
        yield writer.writerow(
            [
                csv_columns.protect_cell(
                    csv_columns.join_items(value) if name in many else _csv_cell(value)
                )
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


def filename(extension, name="encounters"):
    return f"{name}-{timezone.localdate():%Y-%m-%d}.{extension}"


def filter_errors(filterset):
    """{field: [messages]}, the shape the API answers bad parameters with too."""
    return {field: list(messages) for field, messages in filterset.errors.items()}


def _export(request, extension, content_type, write, name="encounters"):
    filterset, queryset = filter_encounters(request.GET)
    if not filterset.is_valid():
        return bad_parameters(filterset, extension)
    if request.method == "HEAD":
        # The headers a GET would have, without building the body (the server would build it
        # all, holding a slot and a cursor, only to throw it away).
        response = HttpResponse(content_type=content_type)
    else:
        # A bounded number of exports stream at once per worker; the slot is held until the
        # last row is sent, the client goes away or EXPORT_DEADLINE_SECONDS pass
        # (infrastructure/limits.py).
        slots = export_slots()
        if not slots.acquire(blocking=False):
            return exports_busy(request)
        chunks = HeldWhileStreaming(
            write(queryset, request), slots, settings.EXPORT_DEADLINE_SECONDS
        )
        response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename(extension, name)}"'
    return response


def bad_parameters(filterset, extension):
    return bad_values(filter_errors(filterset), extension)


def bad_values(errors, extension):
    """400 naming each bad parameter: JSON for the JSON exports, plain text otherwise."""
    if extension in ("json", "jsonl"):
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


# The readouts corpus -----------------------------------------------------------------------------


class ReadoutChoice(forms.Form):
    """Which of the matching encounters' readouts a line is written for (each repeatable; any of
    the values). The encounters themselves are chosen by the list's FilterSet."""

    side = forms.MultipleChoiceField(required=False, choices=[("us", "US"), ("prc", "PRC")])
    language = forms.MultipleChoiceField(required=False, choices=Source.Language.choices)
    issuer = forms.MultipleChoiceField(required=False, choices=Source.Issuer.choices)

    def readouts(self):
        """The Source rows to write, as a queryset to prefetch."""
        data = self.cleaned_data
        sides = data["side"] or ["us", "prc"]
        kinds = [kind for kind in Source.READOUT_KINDS if Source(kind=kind).side in sides]
        readouts = Source.objects.filter(kind__in=kinds)
        if data["language"]:
            readouts = readouts.filter(language__in=data["language"])
        if data["issuer"]:
            readouts = readouts.filter(issuer__in=data["issuer"])
        # US readouts first, as on the pages: "us_readout" sorts after "prc_readout".
        return readouts.order_by("-kind", "issued_on", "id")


def readout_line(encounter, source):
    return {
        "encounter": encounter.slug,
        "encounter_title": encounter.title,
        "encounter_start_date": encounter.start_date.isoformat(),
        "encounter_level": encounter.level,
        "encounter_kind": encounter.kind,
        "side": source.side,
        "issuer": source.issuer,
        "outlet": source.outlet,
        "language": source.language,
        "title": source.title,
        "issued_on": source.issued_on.isoformat() if source.issued_on else None,
        "issued_time": source.issued_time.strftime("%H:%M") if source.issued_time else None,
        "issued_time_zone": source.issued_time_zone,
        "url": source.url,
        "copy_outlet": source.copy_outlet,
        "copy_url": source.copy_url,
        "text_is_excerpt": source.text_is_excerpt,
        "text": source.text,
    }


def readout_lines(readouts):
    def write(queryset, _request):
        encounters = queryset.only("id", "slug", "title", "start_date", "level", "kind")
        encounters = encounters.prefetch_related(
            Prefetch("sources", queryset=readouts, to_attr="exported_readouts")
        )
        for encounter in encounters.iterator(chunk_size=settings.EXPORT_CHUNK_SIZE):
            for source in encounter.exported_readouts:
                yield json.dumps(readout_line(encounter, source), ensure_ascii=False) + "\n"

    return write


@require_safe
def readouts_jsonl(request):
    """/readouts.jsonl: the official readouts of every published encounter matching the list's
    filters, one JSON object per line, in the list's order (docs/researchers.md)."""
    choice = ReadoutChoice(request.GET)
    if not choice.is_valid():
        return bad_values({field: list(errors) for field, errors in choice.errors.items()}, "jsonl")
    return _export(
        request,
        "jsonl",
        "application/jsonl; charset=utf-8",
        readout_lines(choice.readouts()),
        name="readouts",
    )

"""The encounter API's JSON, written by plain functions instead of nested serializers.

A list page of 25 encounters made DRF walk about 3,000 fields (each with its own attribute
lookup, None check and conversion) through five nested serializers: most of the API list's
Python time. The serializers in api.py still declare every field, so the OpenAPI schema is
theirs; their to_representation() calls these functions, which give the same JSON: the same
keys in the same order and the same values, converted by DRF's own fields where DRF converts
(dates, times, date-times in the current time zone, decimals).

Values that DRF passes through unchanged (strings, choices, integers, booleans) are passed
through here too; None stays None, as DRF never converts a None.
"""

from rest_framework import fields
from rest_framework.reverse import reverse

_DATE = fields.DateField()
_DATETIME = fields.DateTimeField()
_TIME = fields.TimeField()
_COORDINATE = fields.DecimalField(
    max_digits=9, decimal_places=6, coerce_to_string=False, allow_null=True
)


def _date(value):
    return None if value is None else _DATE.to_representation(value)


def _datetime(value):
    return None if value is None else _DATETIME.to_representation(value)


def _coordinate(value):
    return None if value is None else _COORDINATE.to_representation(value)


def local_time(value):
    return None if value is None else _TIME.to_representation(value)


URL_MARKER = "url-template-marker"


def templated_url(context, view_name, lookup, value):
    """The absolute URL of `view_name` for one object, reverse()d once per response.

    A list of 25 encounters links each encounter, place, principal and topic twice: about 600
    reverse() and build_absolute_uri() calls, most of the API list's time. Each view's URL is
    built once with a marker in place of the slug or id, which is then replaced (slugs and ids
    are URL-safe as the URL patterns match them, so nothing needs quoting).
    """
    templates = context.setdefault("url_templates", {})
    parts = templates.get(view_name)
    if parts is None:
        path = reverse(view_name, kwargs={lookup: URL_MARKER})
        parts = tuple(context["request"].build_absolute_uri(path).split(URL_MARKER))
        templates[view_name] = parts
    return f"{parts[0]}{value}{parts[1]}"


def person_summary(person, context):
    slug = person.slug
    return {
        "slug": slug,
        "name": person.name,
        "name_zh": person.name_zh,
        "side": person.side,
        "url": templated_url(context, "api-person-detail", "slug", slug),
        "html_url": templated_url(context, "person-detail", "slug", slug),
    }


def participant(participation, context):
    return {
        "person": person_summary(participation.person, context),
        "side": participation.side,
        "role": participation.role,
        "office": participation.office,
        "start_date": _date(participation.start_date),
        "end_date": _date(participation.end_date),
    }


def place(place, context):
    if place is None:
        return None
    return {
        "id": place.id,
        "name": place.name,
        "city": place.city,
        "country": place.country,
        "latitude": _coordinate(place.latitude),
        "longitude": _coordinate(place.longitude),
        "url": templated_url(context, "api-place-detail", "pk", place.id),
    }


def topic_summary(topic, context):
    slug = topic.slug
    return {
        "slug": slug,
        "name": topic.name,
        "url": templated_url(context, "api-topic-detail", "slug", slug),
        "html_url": templated_url(context, "topic-detail", "slug", slug),
    }


def _head(encounter, context):
    """The fields every encounter representation starts with, in the serializers' order."""
    slug = encounter.slug
    return {
        "slug": slug,
        "url": templated_url(context, "api-encounter-detail", "slug", slug),
        "html_url": templated_url(context, "encounter-detail", "slug", slug),
        "title": encounter.title,
        "kind": encounter.kind,
        "venue": encounter.venue,
        "level": encounter.level,
        "start_date": _date(encounter.start_date),
        "end_date": _date(encounter.end_date),
        "date_precision": encounter.date_precision,
        "beijing_date": _date(encounter.beijing_date),
        "occurrence": encounter.occurrence,
        "place": place(encounter.place, context),
    }


def _tail(encounter):
    return {
        "provenance": encounter.provenance,
        "published_at": _datetime(encounter.published_at),
        "updated_at": _datetime(encounter.updated_at),
    }


# The encounter columns encounter_summary() reads (the rest are deferred by the list's query).
SUMMARY_FIELDS = (
    "slug",
    "title",
    "kind",
    "venue",
    "level",
    "start_date",
    "end_date",
    "date_precision",
    "beijing_date",
    "occurrence",
    "place",
    "provenance",
    "published_at",
    "updated_at",
)


# The participation and person columns participant() reads.
PARTICIPANT_FIELDS = (
    "encounter",
    "side",
    "role",
    "office",
    "start_date",
    "end_date",
    "person__slug",
    "person__name",
    "person__name_zh",
    "person__side",
)


def encounter_summary(encounter, context):
    """EncounterSummarySerializer's representation (the list's rows)."""
    data = _head(encounter, context)
    data["principals"] = [participant(p, context) for p in encounter.principal_participations]
    data["topics"] = [topic_summary(t, context) for t in encounter.topics.all()]
    data.update(_tail(encounter))
    return data


def source(source):
    return {
        "kind": source.kind,
        "outlet": source.outlet,
        "title": source.title,
        "title_is_description": source.title_is_description,
        "url": source.url,
        "published_on": _date(source.published_on),
        "external_id": source.external_id,
        "note": source.note,
        "side": source.side,
        "issuer": source.issuer,
        "language": source.language,
        "text": source.text,
        "text_is_excerpt": source.text_is_excerpt,
        "issued_on": _date(source.issued_on),
        "issued_time": local_time(source.issued_time),
        "issued_time_zone": source.issued_time_zone,
        "copy_outlet": source.copy_outlet,
        "copy_url": source.copy_url,
    }


def source_reference(source):
    if source is None:
        return None
    return {
        "kind": source.kind,
        "outlet": source.outlet,
        "title": source.title,
        "url": source.url,
        "external_id": source.external_id,
    }


def quote(quote, context):
    speaker = quote.speaker
    return {
        "text": quote.text,
        "language": quote.language,
        "speaker": None if speaker is None else person_summary(speaker, context),
        "speaker_description": quote.speaker_description,
        "context": quote.context,
        "source_url": quote.source.url if quote.source_id and quote.source.url else None,
    }


def discrepancy(discrepancy):
    return {
        "field": discrepancy.field,
        "our_value": discrepancy.our_value,
        "their_value": discrepancy.their_value,
        "source": source_reference(discrepancy.source),
        "our_source": source_reference(discrepancy.our_source),
        "note": discrepancy.note,
    }


def encounter_detail(encounter, context, citations):
    """EncounterSerializer's representation (one encounter); `citations` is its links."""
    data = _head(encounter, context)
    data["topics"] = [topic_summary(t, context) for t in encounter.topics.all()]
    data.update(_tail(encounter))
    parent = encounter.parent if encounter.parent_id else None
    data.update(
        local_start_time=local_time(encounter.local_start_time),
        duration_minutes=encounter.duration_minutes,
        initiated_by=encounter.initiated_by,
        tone=encounter.tone,
        tone_note=encounter.tone_note,
        cameo_code=encounter.cameo_code,
        summary=encounter.summary,
        outcomes=encounter.outcomes,
        # A draft parent is not public: say nothing rather than link to a 404.
        parent=(
            templated_url(context, "api-encounter-detail", "slug", parent.slug)
            if parent is not None and parent.is_published
            else None
        ),
        participants=[participant(p, context) for p in encounter.participations.all()],
        sources=[source(s) for s in encounter.sources.all()],
        quotes=[quote(q, context) for q in encounter.quotes.all()],
        discrepancies=[discrepancy(d) for d in encounter.discrepancies.all()],
        citations=citations,
    )
    return data

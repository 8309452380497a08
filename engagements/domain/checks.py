"""The data check: every problem in the record, one line each (`manage.py check_data`).

Each check names the encounter (its slug), the field at fault and what is wrong, in words an
editor can act on. The same list is shown to editors in the admin (/admin/data-check/). The
checks are the rules the database cannot state row by row: they look across rows (sources,
sessions, terms, other encounters) or recompute what the coding rules derive
(docs/developers.md, "Coding rules").
"""

import datetime
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, F, Prefetch, Q
from django.utils import timezone

from engagements.domain import codebook, coverage, offices, ranks
from engagements.models import Discrepancy, Encounter, OfficeTerm, Participation, Source


@dataclass(frozen=True, order=True)
class Problem:
    slug: str
    field: str
    message: str

    def __str__(self):
        return f"{self.slug}\t{self.field}\t{self.message}"


CHECKS = {}
# Checks whose findings are warnings: printed, shown to editors, but not a failure.
WARNINGS = {}

STALE_AFTER_DAYS = 60


def check(name, warning=False):
    """Register a check under a short name (`check_data --only NAME`)."""

    def register(function):
        (WARNINGS if warning else CHECKS)[name] = function
        return function

    return register


def encounters(include_synthetic=False):
    queryset = Encounter.objects.all()
    if not include_synthetic:
        # Generated load-test data is random by design: checked only on request.
        queryset = queryset.exclude(provenance=Encounter.Provenance.SYNTHETIC)
    return queryset


@check("sources")
def sources(queryset):
    published = queryset.filter(status=Encounter.Status.PUBLISHED)
    for slug in published.annotate(n=Count("sources")).filter(n=0).values_list("slug", flat=True):
        yield Problem(slug, "sources", "published without a source")
    curated = (
        queryset.filter(provenance=Encounter.Provenance.CURATED)
        .annotate(n=Count("sources"), linked=Count("sources", filter=~Q(sources__url="")))
        .filter(n__gt=0, linked=0)
    )
    for slug in curated.values_list("slug", flat=True):
        yield Problem(slug, "sources", "curated, but none of its sources has a URL")


@check("quotes")
def quotes(queryset):
    rows = (
        queryset.filter(quotes__isnull=False, quotes__source__isnull=True)
        .values_list("slug", "quotes__text")
        .order_by("slug")
    )
    for slug, text in rows:
        short = text if len(text) <= 50 else text[:47] + "…"
        yield Problem(slug, "quotes", f"the quote “{short}” has no source")


@check("sessions")
def sessions(queryset):
    rows = queryset.filter(parent__isnull=False).select_related("parent")
    for session in rows.filter(
        Q(start_date__lt=F("parent__start_date")) | Q(end_date__gt=F("parent__end_date"))
    ):
        parent = session.parent
        # A call inside a visit is dated by Washington's calendar, the visit by the place's:
        # a day apart is the two calendars, not an error.
        slack = datetime.timedelta(days=1 if session.is_remote and not parent.is_remote else 0)
        if parent.start_date - slack <= session.start_date and (
            session.end_date <= parent.end_date + slack
        ):
            continue
        yield Problem(
            session.slug,
            "start_date",
            f"{session.start_date:%Y-%m-%d}–{session.end_date:%Y-%m-%d} is outside its parent "
            f"{parent.slug} ({parent.start_date:%Y-%m-%d}–{parent.end_date:%Y-%m-%d})",
        )


def _with_leads(queryset):
    return queryset.prefetch_related(
        Prefetch(
            "participations",
            queryset=Participation.objects.select_related("person"),
            to_attr="all_participations",
        )
    )


@check("level")
def level(queryset):
    for encounter in _with_leads(queryset).iterator(chunk_size=500):
        leads = [
            (p.side, p.person.slug, p.office)
            for p in encounter.all_participations
            if p.role in Participation.LEAD_ROLES
        ]
        derivation = ranks.derive_level(leads, encounter.start_date)
        unranked = [p for p in derivation.problems if "is not in the table" in p]
        for problem in unranked:
            yield Problem(encounter.slug, "level", f"cannot derive the level: {problem}")
        if encounter.level_override_reason.strip():
            continue
        if derivation.level and derivation.level != encounter.level:
            yield Problem(
                encounter.slug,
                "level",
                f"coded “{encounter.level}”, but the principals' offices give "
                f"“{derivation.level}” (override only with a reason)",
            )
        elif not derivation.level and not unranked:
            # One side unknown: the level cannot be more senior than the known side.
            known = [
                ranks.participant_rank(slug, office, encounter.start_date)
                for side, slug, office in leads
                if side in ("us", "prc")
            ]
            if known and (
                ranks.SENIORITY[encounter.level] > ranks.SENIORITY[ranks.most_senior(known)]
            ):
                yield Problem(
                    encounter.slug,
                    "level",
                    f"coded “{encounter.level}”, more senior than any principal's office",
                )


@check("terms")
def terms(queryset):
    known = {}
    for term in OfficeTerm.objects.all():
        known.setdefault((term.person_id, term.office), []).append(term)
    rows = (
        Participation.objects.filter(encounter__in=queryset)
        .exclude(office="")
        .select_related("encounter", "person")
        .order_by("encounter__slug", "id")
    )
    for participation in rows:
        held = known.get((participation.person_id, participation.office))
        if not held:
            continue  # no term recorded for this office: nothing to check against
        date = participation.start_date or participation.encounter.start_date
        if not any(term.covers(date) for term in held):
            yield Problem(
                participation.encounter.slug,
                "participants",
                f"{participation.person.name} did not hold “{participation.office}” on "
                f"{date:%Y-%m-%d} (terms: {', '.join(_term_span(t) for t in held)})",
            )


def _term_span(term):
    start = f"{term.start_date:%Y-%m-%d}" if term.start_date else "?"
    end = f"{term.end_date:%Y-%m-%d}" if term.end_date else ""
    return f"{start}–{end}"


@check("dates")
def dates(queryset):
    for encounter in queryset.select_related("place").iterator(chunk_size=500):
        if encounter.local_start_time and not (
            encounter.time_zone or encounter.is_remote or encounter.place_id
        ):
            yield Problem(
                encounter.slug, "time_zone", "a start time is given without its time zone"
            )
        computed = encounter.computed_capital_dates()
        for field, capital in (("washington_date", "washington"), ("beijing_date", "beijing")):
            stored = getattr(encounter, field)
            if getattr(computed, f"{capital}_computed"):
                expected = getattr(computed, capital)
                if stored != expected:
                    yield Problem(
                        encounter.slug,
                        field,
                        f"is {_day(stored)}, but the start time and time zone give "
                        f"{_day(expected)}",
                    )
            elif stored and not getattr(encounter, f"{field}_note").strip():
                yield Problem(
                    encounter.slug,
                    f"{field}_note",
                    "typed by hand (no start time) without naming the source that states it",
                )


def _day(value):
    return f"{value:%Y-%m-%d}" if value else "not recorded"


@check("initiator")
def initiator(queryset):
    rows = (
        queryset.filter(provenance=Encounter.Provenance.CURATED)
        .exclude(initiated_by=Encounter.Initiator.UNKNOWN)
        .filter(initiator_source__isnull=True, initiator_note="")
        .values_list("slug", "initiated_by")
    )
    for slug, side in rows:
        yield Problem(
            slug, "initiated_by", f"“{side}” without a supporting source (initiator source)"
        )
    mismatched = queryset.filter(initiator_source__isnull=False).exclude(
        initiator_source__encounter=F("pk")
    )
    for slug in mismatched.values_list("slug", flat=True):
        yield Problem(slug, "initiator_source", "cites another encounter's source")


@check("readouts")
def readouts(queryset):
    """What an official readout's stored words say that the record does not reflect: who asked
    (while the initiator is unknown, or coded otherwise without a discrepancy), and readout
    fields an editor left incomplete."""
    rows = (
        Source.objects.filter(encounter__in=queryset, kind__in=Source.READOUT_KINDS)
        .select_related("encounter")
        .only(
            *("id", "kind", "issuer", "outlet", "title", "text", "text_is_excerpt", "url"),
            *("language", "copy_url", "encounter__slug", "encounter__initiated_by"),
        )
        .order_by("encounter__slug", "id")
    )
    disputed = set(
        Discrepancy.objects.filter(
            encounter__in=queryset, field=Discrepancy.Field.INITIATOR
        ).values_list("source_id", flat=True)
    )
    for readout in rows.iterator(chunk_size=500):
        yield from readout_initiator_problems(readout, readout.pk in disputed)
        yield from readout_record_problems(readout)


def _readout_name(readout):
    body = readout.get_issuer_display() if readout.issuer else readout.outlet
    return f"the {body} readout"


def readout_initiator_problems(readout, disputed):
    encounter = readout.encounter
    words = readout.title + "\n" + readout.text
    if encounter.initiated_by == Encounter.Initiator.UNKNOWN:
        found = codebook.initiator_words_in(words)
        if found:
            yield Problem(
                encounter.slug,
                "initiated_by",
                f"unknown, but {_readout_name(readout)} says who asked or invited "
                f"(“{'”, “'.join(found)}”): code it from the readout",
            )
        return
    claim, found = codebook.initiator_claim(words, readout.side)
    if claim and claim != encounter.initiated_by and not disputed:
        yield Problem(
            encounter.slug,
            "initiated_by",
            f"coded “{encounter.initiated_by}”, but {_readout_name(readout)} says “{found[0]}” "
            f"(the {claim} asked), and no discrepancy records the disagreement",
        )


def readout_record_problems(readout):
    slug = readout.encounter.slug
    if readout.text and not readout.language:
        yield Problem(slug, "sources", f"{_readout_name(readout)}: its text has no language")
    if readout.text and not readout.issuer:
        yield Problem(slug, "sources", f"the readout “{readout}”: its text has no issuer")
    if readout.text_is_excerpt and not (readout.url or readout.copy_url):
        yield Problem(
            slug,
            "sources",
            f"{_readout_name(readout)}: an excerpt without the address of the whole text",
        )


@check("duplicates")
def duplicates(queryset):
    """Two encounters with the same principals within a day of each other.

    A trip and its sessions share principals by design, and so may two sessions of one trip:
    those pairs are not reported.
    """
    ids = queryset.values("id")
    ids_sql, params = ids.query.sql_with_params()
    e = Encounter._meta.db_table
    p = Participation._meta.db_table
    roles = list(Participation.LEAD_ROLES)
    sql = f"""
        WITH leads AS (
            SELECT encounter_id, array_agg(person_id ORDER BY person_id) AS people
            FROM {p} WHERE role = ANY(%s) AND encounter_id IN ({ids_sql})
            GROUP BY encounter_id
        )
        SELECT a.slug, b.slug, a.start_date, b.start_date
        FROM leads la
        JOIN leads lb ON lb.people = la.people AND lb.encounter_id > la.encounter_id
        JOIN {e} a ON a.id = la.encounter_id
        JOIN {e} b ON b.id = lb.encounter_id
        WHERE b.start_date <= a.end_date + 1 AND a.start_date <= b.end_date + 1
          AND a.parent_id IS DISTINCT FROM b.id AND b.parent_id IS DISTINCT FROM a.id
          AND (a.parent_id IS NULL OR a.parent_id IS DISTINCT FROM b.parent_id)
        ORDER BY a.slug, b.slug
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [roles, *params])
        rows = cursor.fetchall()
    for slug_a, slug_b, start_a, start_b in rows:
        yield Problem(
            slug_a,
            "participants",
            f"the same principals as {slug_b} ({start_b:%Y-%m-%d}) within a day of "
            f"{start_a:%Y-%m-%d}: a duplicate?",
        )


@check("visits")
def visits(queryset):
    """A visit lists principals (principal, host, visitor, remote) from both sides: one side
    only hides the summit from the other side's person pages, filters and who-met-whom."""
    rows = (
        queryset.filter(kind=Encounter.Kind.VISIT)
        .annotate(
            us=Count(
                "participations",
                filter=Q(
                    participations__side="us",
                    participations__role__in=Participation.LEAD_ROLES,
                ),
            ),
            prc=Count(
                "participations",
                filter=Q(
                    participations__side="prc",
                    participations__role__in=Participation.LEAD_ROLES,
                ),
            ),
        )
        .filter(Q(us=0) | Q(prc=0))
        .values_list("slug", "us", "prc")
    )
    for slug, us, prc in rows:
        missing = "US" if not us else "PRC"
        if not us and not prc:
            missing = "US or PRC"
        yield Problem(slug, "participants", f"a visit with no {missing} principal: one side only")


@check("offices")
def office_strings(queryset):
    """An office written other than as its post's one string (engagements/domain/offices.py)."""
    variants = sorted(offices.CANONICAL)
    rows = (
        Participation.objects.filter(encounter__in=queryset, office__in=variants)
        .values_list("encounter__slug", "person__name", "office")
        .order_by("encounter__slug", "id")
    )
    for slug, name, office in rows:
        yield Problem(
            slug,
            "participants",
            f"{name}'s office “{office}” is not canonical: write "
            f"“{offices.canonical_office(office)}”",
        )
    terms = OfficeTerm.objects.filter(office__in=variants).values_list("person__slug", "office")
    for person, office in terms:
        yield Problem(
            f"person:{person}",
            "terms",
            f"the office term “{office}” is not canonical: write "
            f"“{offices.canonical_office(office)}”",
        )


@check("complete_lane_readouts")
def complete_lane_readouts(queryset):
    """In a lane called complete (engagements/domain/coverage.py, CROSS_CHECKS), an encounter
    whose own sources show that a readout was issued (a source about a readout) without the
    readout itself attached as an official readout."""
    if not coverage.CROSS_CHECKS:
        return
    mentions = Q(sources__title__icontains="readout") | Q(sources__note__icontains="readout")
    rows = (
        queryset.filter(level__in=[c.level for c in coverage.CROSS_CHECKS])
        .annotate(official=Count("sources", filter=Q(sources__kind__in=Source.READOUT_KINDS)))
        .filter(official=0)
        .filter(mentions)
        .distinct()
        .values_list("slug", "level", "start_date")
    )
    for slug, level, start in rows:
        check_ = coverage.cross_check_for(level, start, start)
        if check_ is None:
            continue
        yield Problem(
            slug,
            "sources",
            f"in a lane checked complete against {check_.checked_against}, but no official "
            "readout is attached although its sources show one was issued",
        )


@check("stale", warning=True)
def stale(queryset, today=None):
    """The record may have gone stale: its newest held encounter is over 60 days old."""
    today = today or timezone.localdate()
    newest = (
        queryset.filter(occurrence=Encounter.Occurrence.HELD, status=Encounter.Status.PUBLISHED)
        .order_by("-start_date")
        .values_list("start_date", flat=True)
        .first()
    )
    if newest is None:
        return
    age = (today - newest).days
    if age > STALE_AFTER_DAYS:
        yield Problem(
            "(the record)",
            "start_date",
            f"the newest encounter is of {newest:%Y-%m-%d}, {age} days ago (more than "
            f"{STALE_AFTER_DAYS}): the record may be stale",
        )


def find_warnings(queryset=None, only=None, include_synthetic=False):
    """What the warning checks report (not failures), sorted."""
    if queryset is None:
        queryset = encounters(include_synthetic)
    found = []
    for name, function in WARNINGS.items():
        if only and name not in only:
            continue
        found.extend(function(queryset))
    return sorted(set(found))


def find_problems(queryset=None, only=None, include_synthetic=False):
    """Every problem in `queryset` (default: all but synthetic encounters), sorted."""
    if queryset is None:
        queryset = encounters(include_synthetic)
    problems = []
    for name, function in CHECKS.items():
        if only and name not in only:
            continue
        problems.extend(function(queryset))
    return sorted(set(problems))

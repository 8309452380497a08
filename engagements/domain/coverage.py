"""What the record covers: per period, level and kind, what it is drawn from and how complete it is.

Defined once here and used three ways: the public /coverage/ page states it; the detail page's
"days since the previous …", the timeline's "longest gaps" and /stats/ gaps count only
encounters of the kinds a period's record is meant to hold, and never across the edge of such a
period, because a gap measured over a stretch where calls (say) are not recorded would report a
silence that was only a hole in the record.

A lane is called complete only where a second, independent enumeration (a government's own
chronology, a published list) was compared with the record and agreed: CROSS_CHECKS names each
such check, what it was checked against and when. Everywhere else the record is "listed, not
complete", and a gap there is an upper bound ("at most N days"): an encounter missing from the
record can only shorten it.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q

from engagements.models import Encounter, Source

Kind = Encounter.Kind
Level = Encounter.Level
Venue = Encounter.Venue

ALL_KINDS = tuple(Kind.values)
VISITS = (Kind.VISIT,)

FIRST_RECORD = datetime.date(1972, 2, 17)  # the Office of the Historian's first PRC record
LEADER_COMPLETE_FROM = datetime.date(1989, 1, 1)
RECENT_FROM = datetime.date(2021, 1, 1)
RESEARCHED_TO = datetime.date(2025, 12, 31)  # the coverage research of November 2026


class Completeness:
    COMPLETE = "Complete"
    LISTED = "Listed, not complete"
    EXAMPLES = "Examples only"


@dataclass(frozen=True)
class CrossCheck:
    """A second, independent enumeration that the record of one level agreed with over a
    period: the only thing that makes a lane "complete"."""

    level: str
    start: datetime.date
    end: datetime.date
    checked_against: str  # the enumeration, named so a reader can find it
    checked_on: datetime.date

    @property
    def level_label(self):
        return Level(self.level).label

    def covers(self, level, start, end):
        return self.level == level and self.start <= start and end <= self.end


# Empty on purpose: neither the Office of the Historian's datasets (the record is drawn from
# them, so they are not a second enumeration) nor the tracker's own research notes and coverage
# sheet (compiled once, from news searches, and compared only with the tracker itself) were
# checked against an independent list. Add a row only when such a comparison was done and
# agreed, naming the list and the day.
CROSS_CHECKS: tuple = ()


def cross_check_for(level, start, end, checks=None):
    """The cross-check that makes `level` complete from `start` to `end`, or None."""
    checks = CROSS_CHECKS if checks is None else checks
    return next((check for check in checks if check.covers(level, start, end)), None)


@dataclass(frozen=True)
class Basis:
    """A stretch of time over which the record of one level is complete for some kinds.

    Gaps and "days since" are counted between encounters of `kinds` (in `venues`, if given)
    that both fall inside one basis.
    """

    level: str
    start: datetime.date
    end: datetime.date
    kinds: tuple
    phrase: str  # what is counted, e.g. "leader-level call or meeting"
    plural: str  # the same in the plural, e.g. "leader-level calls and meetings"
    venues: tuple = ()

    def contains(self, day):
        return self.start <= day <= self.end

    @property
    def cross_check(self):
        return cross_check_for(self.level, self.start, self.end)

    @property
    def complete(self):
        """Whether a gap counted here is exact; otherwise it is at most the figure shown."""
        return self.cross_check is not None

    def counts(self, encounter):
        return (
            encounter.level == self.level
            and encounter.kind in self.kinds
            and (not self.venues or encounter.venue in self.venues)
            and self.contains(encounter.start_date)
        )

    def filter(self):
        """The encounters this basis counts, as a Q (dates: starting inside the basis)."""
        condition = Q(
            level=self.level,
            kind__in=self.kinds,
            start_date__gte=self.start,
            start_date__lte=self.end,
        )
        if self.venues:
            condition &= Q(venue__in=self.venues)
        return condition


BASES = [
    Basis(
        Level.LEADER,
        FIRST_RECORD,
        LEADER_COMPLETE_FROM - datetime.timedelta(days=1),
        VISITS,
        "leader-level visit to the other country",
        "leader-level visits to the other country",
        venues=(Venue.US, Venue.PRC),
    ),
    Basis(
        Level.LEADER,
        LEADER_COMPLETE_FROM,
        RESEARCHED_TO,
        ALL_KINDS,
        "leader-level call or meeting",
        "leader-level calls and meetings",
    ),
    Basis(
        Level.CABINET,
        RECENT_FROM,
        RESEARCHED_TO,
        ALL_KINDS,
        "cabinet-level call or meeting",
        "cabinet-level calls and meetings",
    ),
]


def basis_for(encounter):
    """The basis under which `encounter` is counted, or None if the record cannot support a
    count at its level, date and kind."""
    return next((basis for basis in BASES if basis.counts(encounter)), None)


def bases_for_level(level):
    return [basis for basis in BASES if basis.level == level]


@dataclass(frozen=True)
class Statement:
    """One row of the coverage page."""

    period: str
    levels: str
    kinds: str
    drawn_from: str
    note: str
    start: datetime.date
    end: datetime.date
    level_values: tuple
    examples_only: bool = False  # only some encounters are recorded, by design

    @property
    def cross_checks(self):
        """The cross-check of each level, or () unless every level of the row has one."""
        checks = [cross_check_for(level, self.start, self.end) for level in self.level_values]
        return () if None in checks else tuple(checks)

    @property
    def completeness(self):
        if self.cross_checks:
            return Completeness.COMPLETE
        return Completeness.EXAMPLES if self.examples_only else Completeness.LISTED

    def counts_query(self):
        return Q(start_date__gte=self.start, start_date__lte=self.end, level__in=self.level_values)


HSG = (
    "Office of the Historian (U.S. Department of State): travels of the President and the "
    "Secretary of State, visits of foreign leaders"
)
NOTES_1989 = "the tracker's research notes on 1989–2020 (calls and summit meetings, dialogues)"
SHEET_2021 = "the tracker's curated records and its 2021–2025 coverage research (65 encounters)"

STATEMENTS = [
    Statement(
        "1972–1988",
        "Leader",
        "Visits: the President in China, PRC leaders in the United States",
        HSG,
        "No phone calls, and no meetings held in third countries (such as Carter and Hua "
        "Guofeng in Tokyo, 1980), are recorded for these years. Gaps are counted between visits "
        "only.",
        FIRST_RECORD,
        LEADER_COMPLETE_FROM - datetime.timedelta(days=1),
        (Level.LEADER,),
    ),
    Statement(
        "1972–1988",
        "Cabinet",
        "Visits: the Secretary of State in China, PRC ministers and vice premiers in the "
        "United States",
        HSG,
        "Other cabinet members, calls and third-country meetings are not recorded; no gaps are "
        "counted at this level.",
        FIRST_RECORD,
        LEADER_COMPLETE_FROM - datetime.timedelta(days=1),
        (Level.CABINET,),
    ),
    Statement(
        "1989–2020",
        "Leader",
        "Every kind: calls, video calls, visits, meetings and summit sideline meetings",
        f"{HSG}; {NOTES_1989}",
        "Leader-level calls and meetings the research found are recorded. Days since the "
        "previous leader-level encounter and the timeline's gaps count all of them.",
        LEADER_COMPLETE_FROM,
        datetime.date(2020, 12, 31),
        (Level.LEADER,),
    ),
    Statement(
        "1989–2020",
        "Cabinet",
        "Dialogues and negotiating rounds (SED, S&ED, the 2017 dialogues, the 2018–2020 trade "
        "rounds, the Phase One signing, the 2020 Hawaii meeting) with their sessions; defence "
        "ministers' meetings; the Secretary of State's visits",
        f"{HSG}; {NOTES_1989}",
        "Cabinet-level calls and other meetings of these years are missing; no gaps are counted "
        "at this level.",
        LEADER_COMPLETE_FROM,
        datetime.date(2020, 12, 31),
        (Level.CABINET,),
    ),
    Statement(
        "2021–2025",
        "Leader and cabinet",
        "Every kind: calls, video calls, visits, talks, meetings and summit sideline meetings",
        f"{SHEET_2021}; {HSG}",
        "Gaps and days since the previous encounter are counted at both levels.",
        RECENT_FROM,
        RESEARCHED_TO,
        (Level.LEADER, Level.CABINET),
    ),
    Statement(
        "2021–2025",
        "Deputy, special envoy, working level",
        "Some visits, talks and calls (for example Sherman in Tianjin, Kerry's climate trips)",
        SHEET_2021,
        "Recorded where they belong to a story the record tells; many are missing. No gaps are "
        "counted at these levels.",
        RECENT_FROM,
        RESEARCHED_TO,
        (Level.DEPUTY, Level.ENVOY, Level.WORKING),
        examples_only=True,
    ),
    Statement(
        "1972–2020",
        "Deputy, special envoy, working level",
        "Only where they appear in the records above",
        HSG,
        "Not researched. No gaps are counted at these levels.",
        FIRST_RECORD,
        datetime.date(2020, 12, 31),
        (Level.DEPUTY, Level.ENVOY, Level.WORKING),
        examples_only=True,
    ),
]


def statements_with_counts(queryset):
    """STATEMENTS with the number of published, held encounters each row covers, in one query."""
    from django.db.models import Count

    aggregates = {
        f"row{i}": Count("id", filter=statement.counts_query())
        for i, statement in enumerate(STATEMENTS)
    }
    counts = queryset.aggregate(**aggregates)
    return [(statement, counts[f"row{i}"]) for i, statement in enumerate(STATEMENTS)]


def previous_counted(queryset, encounter):
    """(basis, the last counted encounter that ended before `encounter` began) for the detail
    page's "days since the previous …"; (None, None) where the record cannot support a count.

    Its own trip or summit (the parent) does not count: a session is not "after" its trip.
    """
    basis = basis_for(encounter)
    if basis is None:
        return None, None
    previous = (
        queryset.held()
        .filter(basis.filter(), end_date__lt=encounter.start_date)
        .exclude(pk=encounter.parent_id)
        .order_by("-end_date", "-start_date", "-id")
        .first()
    )
    return basis, previous


# Official readouts -------------------------------------------------------------------------------
# How many encounters cite both governments' readouts: leader level from 2009 (when both
# governments' readouts are routinely published online), cabinet level from 2021.

READOUT_PERIODS = [
    ("2009–2012", datetime.date(2009, 1, 1), datetime.date(2012, 12, 31)),
    ("2013–2016", datetime.date(2013, 1, 1), datetime.date(2016, 12, 31)),
    ("2017–2020", datetime.date(2017, 1, 1), datetime.date(2020, 12, 31)),
    ("2021–2024", datetime.date(2021, 1, 1), datetime.date(2024, 12, 31)),
    ("2025", datetime.date(2025, 1, 1), RESEARCHED_TO),
]
READOUT_LEVELS = [(Level.LEADER, datetime.date(2009, 1, 1)), (Level.CABINET, RECENT_FROM)]


@dataclass(frozen=True)
class ReadoutCoverage:
    """One row of the coverage page's readout table: encounters of a level in a period."""

    period: str
    level: str
    encounters: int
    us: int  # with a US official readout
    prc: int  # with a PRC official readout
    both: int  # with both
    both_texts: int  # with both, each with its text (or opening) stored

    @property
    def level_label(self):
        return Level(self.level).label

    @property
    def share_both(self):
        """Percentage with both readouts, or None when there is no encounter to count."""
        return round(100 * self.both / self.encounters) if self.encounters else None


def _readout_exists(kind, with_text=False):
    readouts = Source.objects.filter(encounter=OuterRef("pk"), kind=kind)
    if with_text:
        readouts = readouts.exclude(text="")
    return Exists(readouts)


def readout_rows():
    """(period label, level, start, end) of each row: per period, then the whole stretch."""
    for level, since in READOUT_LEVELS:
        periods = [(label, start, end) for label, start, end in READOUT_PERIODS if end >= since]
        for label, start, end in periods:
            yield label, level, max(start, since), end
        yield f"{since.year}–{RESEARCHED_TO.year}", level, since, RESEARCHED_TO


def readout_coverage(queryset):
    """ReadoutCoverage rows for the published, held encounters of `queryset`, in one query."""
    annotated = queryset.annotate(
        has_us=_readout_exists(Source.Kind.US_READOUT),
        has_prc=_readout_exists(Source.Kind.PRC_READOUT),
        us_text=_readout_exists(Source.Kind.US_READOUT, with_text=True),
        prc_text=_readout_exists(Source.Kind.PRC_READOUT, with_text=True),
    )
    rows = list(readout_rows())
    measures = {
        "encounters": Q(),
        "us": Q(has_us=True),
        "prc": Q(has_prc=True),
        "both": Q(has_us=True, has_prc=True),
        "both_texts": Q(us_text=True, prc_text=True),
    }
    aggregates = {
        f"r{i}_{name}": Count(
            "id", filter=Q(level=level, start_date__gte=start, start_date__lte=end) & condition
        )
        for i, (_, level, start, end) in enumerate(rows)
        for name, condition in measures.items()
    }
    counts = annotated.aggregate(**aggregates)
    return [
        ReadoutCoverage(label, level, **{name: counts[f"r{i}_{name}"] for name in measures})
        for i, (label, level, _, _) in enumerate(rows)
    ]

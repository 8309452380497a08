"""The geometry of /timeline/: a server-rendered SVG of encounters on a time axis.

One lane per level, a mark per encounter shaped and coloured by kind, a per-month count chart
above, and the gaps between leader-level contacts labelled. When the filters match more
encounters than can be drawn one by one, each lane shows one mark per level and period (month,
quarter or year) sized by its count and linking to the list of those encounters: the page
stays small and its queries few whatever the number of rows.

Everything here is numbers and labels; templates/includes/timeline_svg.html draws them.
"""

import datetime
import functools
from dataclasses import dataclass, field
from math import sqrt
from urllib.parse import urlencode

from django.db.models import Count, Max, Min, Q, Sum
from django.db.models.functions import TruncMonth
from django.urls import get_script_prefix, reverse

from engagements.domain import coverage, leaders
from engagements.domain.facets import counts_kept
from engagements.models import Encounter, MonthCount, Participation, Side

# Drawing units (the SVG scales to its container through its viewBox).
LEFT = 90  # lane labels
RIGHT = 16
PLOT_WIDTH = 800
CHART_TOP = 10
CHART_HEIGHT = 90
AXIS_GAP = 26
LANE_HEIGHT = 56
# Above this many matching encounters, lanes show counts per period instead of single marks.
MAX_MARKS = 600
# A gap gets its label drawn on the lane only when there is room for it.
GAP_LABEL_MIN_WIDTH = 44
LONGEST_GAPS_LISTED = 10

LEVELS = list(Encounter.Level)
LANE_LABELS = {
    Encounter.Level.LEADER: "Leader",
    Encounter.Level.CABINET: "Cabinet",
    Encounter.Level.DEPUTY: "Deputy",
    Encounter.Level.ENVOY: "Envoy",
    Encounter.Level.WORKING: "Working",
    Encounter.Kind.PHONE_CALL: "Phone",
    Encounter.Kind.VIDEO_CALL: "Video",
    Encounter.Kind.MEETING: "Meeting",
    Encounter.Kind.VISIT: "Visit",
    Encounter.Kind.TALKS: "Talks",
    Encounter.Kind.SUMMIT_SIDELINE: "Sideline",
}
# The `lanes` parameter: one lane per level (the default) or per kind.
LANES_BY = {"level": LEVELS, "kind": list(Encounter.Kind)}
# Leaders' terms drawn as bands above the lanes (engagements/domain/leaders.py).
BAND_HEIGHT = 15
BAND_ROWS = [
    ("US president", leaders.US_PRESIDENTS),
    ("PRC leader", leaders.PRC_LEADERS),
    ("PRC president", leaders.PRC_PRESIDENTS),
]


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    month: datetime.date
    count: int


@dataclass
class Tick:
    x: float
    label: str
    major: bool = True


@dataclass
class Mark:
    x: float
    y: float
    kind: str
    label: str
    url: str
    count: int = 1
    radius: float = 7
    day: str = ""  # ISO date the mark stands for (its middle day), for the script's zoom
    title: str = ""
    when: str = ""
    principals: str = ""

    @property
    def symbol_x(self):  # the kind's symbol is 16 units square, centred on the mark
        return round(self.x - 8, 1)

    @property
    def symbol_y(self):
        return round(self.y - 8, 1)


@dataclass
class Lane:
    level: str
    label: str  # the level's full name
    short_label: str  # what fits beside the lane
    y: float
    marks: list = field(default_factory=list)

    @property
    def label_y(self):
        return self.y + 5


@dataclass
class Gap:
    start: datetime.date  # last day of the earlier contact
    end: datetime.date  # first day of the later contact
    days: int
    before: tuple  # (title, url) of the earlier contact
    after: tuple
    counting: str = ""  # what it is counted between, e.g. "leader-level calls and meetings"
    complete: bool = False  # exact only where the lane was cross-checked; else an upper bound
    x1: float = 0
    x2: float = 0
    y: float = 0

    @property
    def label(self):
        """Days, marked as an upper bound where the lane is listed, not complete."""
        return f"{self.days} d" if self.complete else f"≤{self.days} d"

    @property
    def mid_x(self):
        return round((self.x1 + self.x2) / 2, 1)

    @property
    def label_y(self):
        return self.y + 12

    @property
    def labelled(self):
        return self.x2 - self.x1 >= GAP_LABEL_MIN_WIDTH


@dataclass
class Band:
    """A leader's term, clipped to the axis."""

    x1: float
    x2: float
    label: str
    start: str  # ISO dates, for the script's zoom
    end: str
    odd: bool

    @property
    def width(self):
        return round(self.x2 - self.x1, 1)

    @property
    def mid_x(self):
        return round((self.x1 + self.x2) / 2, 1)


@dataclass
class BandRow:
    label: str
    y: float
    bands: list = field(default_factory=list)

    @property
    def label_y(self):
        return self.y + BAND_HEIGHT - 4


@dataclass
class Timeline:
    total: int
    first: datetime.date | None = None  # the first day of the first encounter's month
    last: datetime.date | None = None  # the first day of the month the last one ends in
    bars: list = field(default_factory=list)
    chart_max: int = 0
    ticks: list = field(default_factory=list)
    lanes: list = field(default_factory=list)
    # The gaps drawn (wide enough for a label) or listed (the longest): of thousands of gaps
    # between leader contacts on 100,000 encounters only these are shown, and only these are
    # kept (the timeline is cached per data version and filters, see views.py).
    gaps: list = field(default_factory=list)
    gap_count: int = 0  # every gap, shown or not
    period: str = ""  # "" when every encounter has its own mark, else month/quarter/year
    lanes_by: str = "level"
    band_rows: list = field(default_factory=list)
    band_height: float = BAND_HEIGHT
    lanes_top: float = 0
    axis_start: str = ""  # ISO dates of the axis' ends, for the script's zoom
    axis_end: str = ""
    month_counts: list = field(default_factory=list)  # [(year, count)] for the table
    width: float = LEFT + PLOT_WIDTH + RIGHT
    height: float = 0
    plot_left: float = LEFT
    plot_right: float = LEFT + PLOT_WIDTH
    chart_top: float = CHART_TOP
    chart_bottom: float = CHART_TOP + CHART_HEIGHT
    axis_y: float = CHART_TOP + CHART_HEIGHT + AXIS_GAP - 6
    label_x: float = LEFT - 10
    chart_max_y: float = CHART_TOP + 10

    @property
    def lanes_height(self):
        return LANE_HEIGHT * len(self.lanes)

    @property
    def longest_gaps(self):
        return sorted(self.gaps, key=lambda gap: -gap.days)[:LONGEST_GAPS_LISTED]

    @property
    def labelled_gaps(self):
        return [gap for gap in self.gaps if gap.labelled]

    @property
    def aggregated(self):
        return bool(self.period)


def month_start(day):
    return day.replace(day=1)


def next_month(day):
    """The first day of the month after DAY; the last day there is in December 9999."""
    if (day.year, day.month) == (datetime.MAXYEAR, 12):
        return datetime.date.max
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def months_between(first, last):
    return (last.year - first.year) * 12 + last.month - first.month + 1


class Scale:
    """Days to drawing units along the plot."""

    def __init__(self, first, last):
        self.start = month_start(first)
        self.end = next_month(last)  # the axis runs to the end of the last month
        self.days = (self.end - self.start).days

    def x(self, day):
        return round(LEFT + (day - self.start).days / self.days * PLOT_WIDTH, 1)


@dataclass(frozen=True)
class KeptMonths:
    """Which of the kept month counts (MonthCount) are exactly a timeline's encounters: the
    record's, a person's or a topic's, of some levels and kinds (empty: all of them)."""

    scope: str = MonthCount.Scope.RECORD
    key: int = 0
    levels: tuple = ()
    kinds: tuple = ()

    @classmethod
    def of_filters(cls, filterset):
        """The kept counts that match a valid filter set's encounters, or None: for the whole
        published record, or one person's or one topic's, narrowed by level and kind only."""
        if not counts_kept(filterset, exclude={"person", "topic", "level", "kind"}):
            return None
        data = filterset.form.cleaned_data
        people, topics = list(data.get("person") or []), list(data.get("topic") or [])
        if len(people) + len(topics) > 1:
            return None
        scope, key = cls.scope, cls.key
        if people:
            scope, key = MonthCount.Scope.PERSON, people[0].pk
        elif topics:
            scope, key = MonthCount.Scope.TOPIC, topics[0].pk
        return cls(scope, key, tuple(data.get("level") or ()), tuple(data.get("kind") or ()))

    def cells(self):
        """The kept counts of these encounters (MonthCount rows)."""
        cells = MonthCount.objects.filter(scope=self.scope, key=self.key, encounters__gt=0)
        if self.levels:
            cells = cells.filter(level__in=self.levels)
        if self.kinds:
            cells = cells.filter(kind__in=self.kinds)
        return cells

    def grid(self, lanes_by):
        """month_grid()'s rows, summed from the kept counts; each row's dates are the first day
        of its first and last months, all the timeline reads of them."""
        return list(
            self.cells()
            .values_list("month", lanes_by)
            .annotate(n=Sum("encounters"), first=Min("month"), last=Max("end_month"))
            .order_by()
        )


def build_timeline(queryset, params, lanes_by="level", kept=None):
    """The timeline of `queryset` (filtered, published encounters); `params` builds links;
    `lanes_by` is "level" or "kind". `kept` (KeptMonths, or the record index's IndexedMonths),
    when the caller has these encounters' month counts, spares the grouping of every one by
    month in PostgreSQL."""
    queryset = queryset.order_by()
    grid = kept.grid(lanes_by) if kept else month_grid(queryset, lanes_by)
    timeline = Timeline(total=sum(row[2] for row in grid), lanes_by=lanes_by)
    values = LANES_BY[lanes_by]
    band_top = timeline.axis_y + 12
    lanes_top = band_top + BAND_HEIGHT * len(BAND_ROWS) + 8
    timeline.lanes_top = lanes_top
    timeline.lanes = [
        Lane(value.value, value.label, LANE_LABELS[value], lanes_top + LANE_HEIGHT * (i + 0.5))
        for i, value in enumerate(values)
    ]
    timeline.height = lanes_top + LANE_HEIGHT * len(values) + 10
    if not timeline.total:
        return timeline
    # Months: the page names them ("March 1972 to November 2024") and the axis runs from the
    # first to the end of the last; the kept month counts know no finer.
    timeline.first = month_start(min(row[3] for row in grid))
    timeline.last = month_start(max(row[4] for row in grid))
    scale = Scale(timeline.first, timeline.last)
    timeline.axis_start, timeline.axis_end = scale.start.isoformat(), scale.end.isoformat()
    add_month_chart(timeline, grid, scale)
    timeline.ticks = axis_ticks(scale)
    timeline.band_rows = leader_bands(scale, band_top)
    lanes = {lane.level: lane for lane in timeline.lanes}
    if timeline.total <= MAX_MARKS:
        add_single_marks(lanes, queryset, scale, lanes_by)
    else:
        add_period_marks(timeline, lanes, grid, scale, params, lanes_by)
    if lanes_by == "level":
        add_leader_gaps(timeline, lanes[Encounter.Level.LEADER], queryset, scale)
    return timeline


def leader_bands(scale, top):
    """Each series of leaders' terms as a row of bands, clipped to the axis."""
    rows = []
    for i, (label, terms) in enumerate(BAND_ROWS):
        row = BandRow(label, top + i * BAND_HEIGHT)
        for j, term in enumerate(terms):
            start = max(term.start, scale.start)
            end = min(term.end or scale.end, scale.end)
            if start < end:
                row.bands.append(
                    Band(
                        scale.x(start),
                        scale.x(end),
                        term.name,
                        start.isoformat(),
                        end.isoformat(),
                        j % 2 == 1,
                    )  # fmt: skip
                )
        rows.append(row)
    return rows


def month_grid(queryset, lanes_by):
    """[(month, lane value, count, first start date, last end date)] of `queryset`: ONE scan
    of the encounters gives the bounds, the month chart and the period marks (each was a scan
    of its own: three aggregates of every matching row)."""
    return list(
        queryset.annotate(month=TruncMonth("start_date"))
        .values_list("month", lanes_by)
        .annotate(n=Count("pk"), first=Min("start_date"), last=Max("end_date"))
        .order_by()
    )


def add_month_chart(timeline, grid, scale):
    counts = {}
    for month, _lane, count, _first, _last in sorted(grid, key=lambda row: row[0]):
        counts[month] = counts.get(month, 0) + count
    timeline.chart_max = max(counts.values())
    by_year = {}
    for month, count in counts.items():
        x1, x2 = scale.x(month), scale.x(next_month(month))
        height = max(1.0, round(count / timeline.chart_max * CHART_HEIGHT, 1))
        timeline.bars.append(
            Bar(x1, timeline.chart_bottom - height, max(0.8, x2 - x1 - 0.4), height, month, count)
        )
        by_year[month.year] = by_year.get(month.year, 0) + count
    timeline.month_counts = sorted(by_year.items())


def axis_ticks(scale):
    months = months_between(scale.start, scale.end - datetime.timedelta(days=1))
    ticks = []
    if months <= 36:
        day = scale.start
        while day <= scale.end:
            major = day.month == 1 or day == scale.start
            label = day.strftime("%b %Y") if major else (day.strftime("%b") if months <= 18 else "")
            ticks.append(Tick(scale.x(day), label, major))
            day = next_month(day)
        return ticks
    step = 1 if months <= 15 * 12 else 5 if months <= 60 * 12 else 10
    year = scale.start.year + (0 if scale.start.month == 1 else 1)
    year += (-year) % step
    while datetime.date(year, 1, 1) <= scale.end:
        ticks.append(Tick(scale.x(datetime.date(year, 1, 1)), str(year)))
        year += step
    return ticks


# Marks closer than this (in drawing units) are moved to another row of their lane.
MARK_SPACING = 15
ROW_OFFSETS = [0, -15, 15]


def spread(marks):
    """Give each mark the first row of its lane where it overlaps no earlier mark.

    Only when every row is taken near it (a crowded week) does it overlap, on the middle row.
    """
    row_ends = [float("-inf")] * len(ROW_OFFSETS)
    for mark in marks:
        row = next((i for i, end in enumerate(row_ends) if mark.x - end >= MARK_SPACING), 0)
        row_ends[row] = mark.x
        mark.y += ROW_OFFSETS[row]


def principals_of(queryset):
    """{encounter id: "Name, Name"} of who led each side (one query)."""
    names = {}
    rows = (
        Participation.objects.leads()
        .filter(encounter__in=queryset.values("pk"))
        .values_list("encounter", "side", "order", "id", "person__name")
    )
    # The US side first, then the PRC, then others, as the detail page lists them.
    sides = {Side.US: 0, Side.PRC: 1}
    for encounter, _side, _order, _pk, name in sorted(
        rows, key=lambda row: (row[0], sides.get(row[1], 2), row[2], row[3])
    ):
        names.setdefault(encounter, []).append(name)
    return {encounter: ", ".join(people) for encounter, people in names.items()}


def add_single_marks(lanes, queryset, scale, lanes_by="level"):
    rows = queryset.values_list("pk", "slug", "title", "kind", "level", "start_date", "end_date")
    principals = principals_of(queryset)
    for pk, slug, title, kind, level, start, end in rows.order_by("start_date", "id"):
        lane = lanes[kind if lanes_by == "kind" else level]
        middle = start + (end - start) / 2
        when = f"{start.day} {start:%b %Y}" + (f" – {end.day} {end:%b %Y}" if end != start else "")
        who = principals.get(pk, "")
        lane.marks.append(
            Mark(
                x=scale.x(middle) + 0.5,
                y=lane.y,
                kind=kind,
                label=f"{title}, {when} ({Encounter.Kind(kind).label})"
                + (f": {who}" if who else ""),
                url=encounter_url(slug),
                day=middle.isoformat(),
                title=title,
                when=when,
                principals=who,
            )
        )
    for lane in lanes.values():
        lane.marks.sort(key=lambda mark: mark.x)
        spread(lane.marks)


PERIODS = [(10 * 12, "month"), (25 * 12, "quarter")]


def period_of(months):
    for limit, name in PERIODS:
        if months <= limit:
            return name
    return "year"


def period_start(month, period):
    """The first day of the period (month, quarter or year) that `month` (a month's first day)
    falls in."""
    if period == "year":
        return month.replace(month=1)
    if period == "quarter":
        return month.replace(month=(month.month - 1) // 3 * 3 + 1)
    return month


def period_end(start, period):
    months = {"month": 1, "quarter": 3, "year": 12}[period]
    day = start
    for _ in range(months):
        day = next_month(day)
    return day - datetime.timedelta(days=1)


def add_period_marks(timeline, lanes, grid, scale, params, lanes_by="level"):
    timeline.period = period_of(months_between(scale.start, scale.end))
    periods = {}
    for month, value, count, _first, _last in grid:
        key = (period_start(month, timeline.period), value)
        periods[key] = periods.get(key, 0) + count
    rows = [
        {"period": start, lanes_by: value, "n": count}
        for (start, value), count in sorted(periods.items(), key=lambda item: item[0][0])
    ]
    biggest = max(row["n"] for row in rows)
    period_url = period_list_url(params, lanes_by)
    for row in rows:
        lane, start = lanes[row[lanes_by]], row["period"]
        end = period_end(start, timeline.period)
        count = row["n"]
        what = (
            f"{lane.label.lower()}-level encounter{'s' if count != 1 else ''}"
            if lanes_by == "level"
            else f"encounter{'s' if count != 1 else ''} ({lane.label})"
        )
        middle = start + (end - start) / 2
        lane.marks.append(
            Mark(
                x=round((scale.x(start) + scale.x(end + datetime.timedelta(days=1))) / 2, 1),
                y=lane.y,
                kind="many",
                label=f"{count} {what}, {period_label(start, timeline.period)}",
                url=period_url(row[lanes_by], start, end),
                count=count,
                radius=round(3 + 12 * sqrt(count / biggest), 1),
                day=middle.isoformat(),
                title=f"{count} {what}",
                when=period_label(start, timeline.period),
            )
        )


def period_label(start, period):
    if period == "month":
        return start.strftime("%B %Y")
    if period == "quarter":
        return f"Q{(start.month - 1) // 3 + 1} {start.year}"
    return str(start.year)


def period_list_url(params, lanes_by="level"):
    """url(value, start, end): the list of one lane's encounters in one period, keeping the
    other filters. The list's path and the filters kept are encoded once, and only each
    period's own parameters per link (a timeline has hundreds)."""
    kept = params.copy()
    for name in ("page", "sort", "lanes", lanes_by, "date_after", "date_before"):
        kept.pop(name, None)
    # The period's parameters come last (after the filters kept, as links always had them).
    prefix = f"{reverse('encounter-list')}?{kept.urlencode()}{'&' if kept else ''}"
    # Narrow an existing range rather than widen it.
    after, before = params.get("date_after", ""), params.get("date_before", "")

    def url(value, start, end):
        # urlencode() of pairs encodes exactly as QueryDict.urlencode() (quote_plus each).
        last = min(end.isoformat(), before) if before else end.isoformat()
        period = [(lanes_by, value), ("date_after", max(start.isoformat(), after))]
        return f"{prefix}{urlencode([*period, ('date_before', last)])}"

    return url


def encounter_url(slug):
    """The detail page's URL: reverse() once, then the slug in its place.

    The timeline links thousands of encounters and reverse() costs about 50 µs a call: 5,000
    calls were 150-350 ms of the leader-level timeline on 100,000 encounters (README.md,
    "Performance"). A slug is URL-safe by construction ([-a-zA-Z0-9_]).
    """
    before, after = _encounter_url_parts(get_script_prefix())
    return f"{before}{slug}{after}"


@functools.lru_cache(maxsize=8)
def _encounter_url_parts(script_prefix):
    marker = "encounter-slug-marker"
    return tuple(reverse("encounter-detail", kwargs={"slug": marker}).split(marker))


def add_leader_gaps(timeline, lane, queryset, scale):
    """Gaps between consecutive held leader-level contacts, measured end to next start.

    Only where the record is complete (engagements/domain/coverage.py): within each stretch of
    time, between the kinds it is complete for, and never across the edge of a stretch. One
    query for all the stretches; the rows are then split by stretch. Only the gaps shown are
    kept (see Timeline.gaps); `gap_count` counts them all.
    """
    bases = coverage.bases_for_level(Encounter.Level.LEADER)
    counted = Q()
    for basis in bases:
        counted |= basis.filter()
    rows = list(
        queryset.held()
        .filter(counted)
        .values_list("start_date", "end_date", "title", "slug", "kind", "venue")
        .order_by("start_date", "id")
    )
    # Every gap as a plain tuple first: there are thousands, and only those shown become Gaps.
    found = []
    for basis in bases:
        found += basis_gaps(scale, basis, [row for row in rows if counts(basis, row)])
    timeline.gap_count = len(found)
    longest = set(sorted(range(len(found)), key=lambda i: -found[i][2])[:LONGEST_GAPS_LISTED])
    url_before, url_after = _encounter_url_parts(get_script_prefix())
    complete = {basis: basis.complete for basis in bases}
    timeline.gaps = [
        Gap(
            start=gap_start,
            end=gap_end,
            days=days,
            before=(before[0], f"{url_before}{before[1]}{url_after}"),
            after=(after[0], f"{url_before}{after[1]}{url_after}"),
            counting=basis.plural,
            complete=complete[basis],
            x1=x1,
            x2=x2,
            y=lane.y + 17,
        )
        for i, (gap_start, gap_end, days, before, after, basis, x1, x2) in enumerate(found)
        if x2 - x1 >= GAP_LABEL_MIN_WIDTH or i in longest  # Gap.labelled, or listed
    ]


def counts(basis, row):
    start, _end, _title, _slug, kind, venue = row
    return (
        basis.contains(start)
        and kind in basis.kinds
        and (not basis.venues or venue in basis.venues)
    )


def basis_gaps(scale, basis, rows):
    """(start, end, days, (title, slug) before, (title, slug) after, basis, x1, x2) of each gap
    between consecutive rows (sorted by start) of one basis."""
    gaps = []
    previous = None
    for start, end, title, slug, _kind, _venue in rows:
        if previous and start > previous[1]:
            gaps.append(
                (
                    previous[1],
                    start,
                    (start - previous[1]).days,
                    (previous[2], previous[3]),
                    (title, slug),
                    basis,
                    scale.x(previous[1]) + 0.5,
                    scale.x(start) + 0.5,
                )
            )
        if previous is None or end > previous[1]:
            previous = (start, end, title, slug)
    return gaps

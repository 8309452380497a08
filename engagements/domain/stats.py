"""Contact statistics for /stats/: counts of the filtered encounters, by year and by administration.

Everything is computed from the queryset the list would show for the same filters (the one
FilterSet), in three aggregate queries whatever the number of encounters:
1. counts by year (of the start date), level and kind;
2. counts by administration pair (US president × PRC paramount leader on the start date),
   level, initiator, kind and venue;
3. the held leader-level encounters' dates, for the gaps.

An encounter belongs to the year and the administrations of its first day (Washington's
calendar). Gaps follow the timeline's rule (engagements/domain/timeline.py): from the end of a
leader-level contact to the start of the next one that begins after it ended; contacts that
overlap make one period. A gap counts for an administration pair when both contacts fall in it.
"""

import datetime
import functools
import statistics
from collections import defaultdict
from functools import cached_property

from django.db.models import Count, Sum
from django.db.models.functions import ExtractYear
from django.urls import reverse

from engagements.domain import coverage, leaders
from engagements.domain.charts import Chart, Row
from engagements.models import Encounter

LEVELS = list(Encounter.Level.choices)
KINDS = list(Encounter.Kind.choices)
INITIATORS = list(Encounter.Initiator.choices)
# Visits by where they took place: in the PRC, the US side travelled; in the US, the PRC's.
VISIT_DIRECTIONS = [
    (Encounter.Venue.PRC, "US officials in the PRC"),
    (Encounter.Venue.US, "PRC officials in the US"),
]


class ContactStats:
    """The charts of /stats/ for `queryset` (filtered, published); `params` carries the filters
    into the links to the list."""

    def __init__(self, queryset, params, kept=None):
        self.queryset = queryset.order_by()
        self.params = params
        # The kept month counts of exactly these encounters (timeline.KeptMonths), if any: the
        # counts by year are their sums (a year is whole months), not a count of every row.
        self.kept = kept

    # -- the three queries ---------------------------------------------------------------

    @cached_property
    def by_year(self):
        if self.kept:
            return list(
                self.kept.cells()
                .annotate(year=ExtractYear("month"))
                .values("year", "level", "kind")
                .annotate(n=Sum("encounters"))
                .order_by()
            )
        return list(
            self.queryset.annotate(year=ExtractYear("start_date"))
            .values("year", "level", "kind")
            .annotate(n=Count("pk"))
            .order_by()
        )

    @cached_property
    def by_pair(self):
        return list(
            self.queryset.annotate(
                us=leaders.term_case(leaders.US_PRESIDENTS),
                prc=leaders.term_case(leaders.PRC_LEADERS),
            )
            .values("us", "prc", "level", "initiated_by", "kind", "venue")
            .annotate(n=Count("pk"))
            .order_by()
        )

    @cached_property
    def leader_contacts(self):
        return list(
            self.queryset.held()
            .at_level(Encounter.Level.LEADER)
            .values_list("start_date", "end_date")
            .order_by("start_date", "id")
        )

    # -- helpers -------------------------------------------------------------------------

    def list_url(self, **params):
        """The list of these encounters narrowed by `params` (a date range narrows, never
        widens, the one already asked for)."""
        query = self.params.copy()
        for name in ("page", "sort"):
            query.pop(name, None)
        for name, value in params.items():
            if name == "date_after" and query.get(name):
                value = max(value, query[name])
            elif name == "date_before" and query.get(name):
                value = min(value, query[name])
            query.setlist(name, value if isinstance(value, list) else [value])
        return f"{reverse('encounter-list')}?{query.urlencode()}"

    def pairs(self):
        """Administration pairs with encounters, in time order: [(us label, prc label)]."""
        us_order = leaders.term_order(leaders.US_PRESIDENTS)
        prc_order = leaders.term_order(leaders.PRC_LEADERS)
        found = {(row["us"], row["prc"]) for row in self.by_pair}
        return sorted(found, key=lambda p: (us_order.get(p[0], -1), prc_order.get(p[1], -1)))

    def pair_range(self, pair):
        """(first, last) day of an administration pair, as ISO dates, or None if unbounded."""
        us = next((t for t in leaders.US_PRESIDENTS if t.label == pair[0]), None)
        prc = next((t for t in leaders.PRC_LEADERS if t.label == pair[1]), None)
        if not us or not prc:
            return None
        first = max(us.start, prc.start)
        ends = [t.end for t in (us, prc) if t.end]
        last = min(ends) - datetime.timedelta(days=1) if ends else None
        return first, last

    def pair_url(self, pair):
        bounds = self.pair_range(pair)
        if not bounds:
            return ""
        first, last = bounds
        params = {"date_after": first.isoformat()}
        if last:
            params["date_before"] = last.isoformat()
        return self.list_url(**params)

    @staticmethod
    def pair_label(pair):
        """ "Biden × Xi, 2021": both leaders and the year the pair began."""
        us, prc = TERMS.get(pair[0]), TERMS.get(pair[1])
        if not us or not prc:
            return f"{pair[0]} × {pair[1]}"
        return f"{us.name} × {prc.name}, {max(us.start, prc.start).year}"

    def pair_counts(self, key, values):
        counts = defaultdict(lambda: dict.fromkeys(values, 0))
        for row in self.by_pair:
            if row[key] in values:
                counts[(row["us"], row["prc"])][row[key]] += row["n"]
        return counts

    # -- the charts ----------------------------------------------------------------------

    def year_chart(self, slug, key, choices, title):
        counts = defaultdict(lambda: dict.fromkeys((value for value, _ in choices), 0))
        for row in self.by_year:
            counts[row["year"]][row[key]] += row["n"]
        years = range(min(counts), max(counts) + 1) if counts else []
        rows = [
            Row(
                str(year),
                [counts[year][value] for value, _ in choices]
                if year in counts
                else [0] * len(choices),
                self.list_url(date_after=f"{year}-01-01", date_before=f"{year}-12-31")
                if year in counts
                else "",
            )  # fmt: skip
            for year in years
        ]
        return Chart(
            slug,
            title,
            "Encounters by the year of their first day (Washington's calendar).",
            "Year",
            choices,
            rows,
        ).layout()

    def by_year_level(self):
        return self.year_chart("by-year-level", "level", LEVELS, "Encounters per year, by level")

    def by_year_kind(self):
        return self.year_chart("by-year-kind", "kind", KINDS, "Encounters per year, by kind")

    def by_administration(self):
        counts = self.pair_counts("level", [value for value, _ in LEVELS])
        rows = [
            Row(self.pair_label(pair), list(counts[pair].values()), self.pair_url(pair))
            for pair in self.pairs()
        ]
        return Chart(
            "by-administration",
            "Encounters by administration pair, by level",
            "US president × PRC paramount leader on the encounter's first day.",
            "US president × PRC leader",
            LEVELS,
            rows,
        ).layout()

    def initiated(self):
        values = [value for value, _ in INITIATORS]
        counts = self.pair_counts("initiated_by", values)
        rows = []
        for pair in self.pairs():
            numbers = list(counts[pair].values())
            rows.append(Row(self.pair_label(pair), numbers, self.pair_url(pair), shares(numbers)))
        overall = [sum(row.values[i] for row in rows) for i in range(len(values))]
        if rows:
            rows.append(Row("All", overall, self.list_url(), shares(overall)))
        return Chart(
            "initiated",
            "Who asked for the encounter, by administration pair",
            "Which side initiated each encounter, where a source says so; the table adds each "
            "side's share of the encounters whose initiator is known.",
            "US president × PRC leader",
            INITIATORS,
            rows,
            extra_columns=["US share of known (%)", "PRC share of known (%)"],
        ).layout()

    def visits(self):
        rows = []
        venues = [venue for venue, _ in VISIT_DIRECTIONS]
        counts = defaultdict(lambda: dict.fromkeys(venues, 0))
        for row in self.by_pair:
            if row["kind"] == Encounter.Kind.VISIT and row["venue"] in venues:
                counts[(row["us"], row["prc"])][row["venue"]] += row["n"]
        for pair in self.pairs():
            if pair in counts:
                rows.append(
                    Row(self.pair_label(pair), list(counts[pair].values()), self.pair_url(pair))
                )
        return Chart(
            "visits",
            "Visits in each direction, by administration pair",
            "Encounters of the kind “Visit”, by where they took place.",
            "US president × PRC leader",
            [(str(venue), label) for venue, label in VISIT_DIRECTIONS],
            rows,
        ).layout()

    def gaps(self):
        """Median and longest gap between leader-level contacts, per administration pair."""
        by_pair = defaultdict(list)
        previous = None  # (start, end, pair) of the latest-ending contact so far
        for start, end in self.leader_contacts:
            pair = pair_on(start)
            if previous and start > previous[1] and previous[2] == pair:
                by_pair[pair].append(((start - previous[1]).days, previous[1], start))
            if previous is None or end > previous[1] or pair != previous[2]:
                previous = (start, end, pair)
        rows = []
        for pair, gaps in sorted(by_pair.items(), key=lambda item: item[1][0][1]):
            days = [gap[0] for gap in gaps]
            longest = max(gaps)
            rows.append(
                Row(
                    self.pair_label(pair),
                    [statistics.median(days), longest[0]],
                    self.pair_url(pair),
                    [
                        len(gaps),
                        longest[1].isoformat(),
                        longest[2].isoformat(),
                        gap_figures(gaps),
                    ],
                )
            )
        return Chart(
            "gaps",
            "Gaps between leader-level contacts, by administration pair (days)",
            "From the end of one held leader-level encounter to the start of the next, when both "
            "fall in the same administration pair. Where the record of leader-level contacts is "
            "listed, not complete (not cross-checked with a second enumeration; see What the "
            "record covers), an encounter may be missing, so the longest gap is at most the "
            "figure shown.",
            "US president × PRC leader",
            [("median", "Median gap (days)"), ("longest", "Longest gap (days)")],
            rows,
            grouped=True,
            extra_columns=["Gaps", "Longest gap from", "Longest gap until", "Figures"],
            unit="days",
        ).layout()

    def charts(self):
        return [
            self.by_year_level(),
            self.by_year_kind(),
            self.by_administration(),
            self.gaps(),
            self.initiated(),
            self.visits(),
        ]

    CHARTS = {
        "by-year-level": "by_year_level",
        "by-year-kind": "by_year_kind",
        "by-administration": "by_administration",
        "gaps": "gaps",
        "initiated": "initiated",
        "visits": "visits",
    }

    def chart(self, slug):
        """One chart by its slug, or None."""
        method = self.CHARTS.get(slug)
        return getattr(self, method)() if method else None


TERMS = {term.label: term for term in leaders.US_PRESIDENTS + leaders.PRC_LEADERS}


# The gaps chart asks for the pair of each leader-level contact's day: thousands of days, each a
# walk of both lists of terms. The terms are constants, so each day's pair is found once.
@functools.lru_cache(maxsize=1 << 16)
def pair_on(day):
    us = leaders.term_on(leaders.US_PRESIDENTS, day)
    prc = leaders.term_on(leaders.PRC_LEADERS, day)
    return (us.label if us else leaders.NO_TERM, prc.label if prc else leaders.NO_TERM)


def gap_figures(gaps):
    """ "exact" where every gap lies in a cross-checked (complete) leader-level lane, else
    "at most": a contact missing from the record could only split a gap."""
    complete = all(
        coverage.cross_check_for(Encounter.Level.LEADER, before, after)
        for _days, before, after in gaps
    )
    return "exact" if complete else "at most"


def shares(numbers):
    """US and PRC shares (percent, one decimal) of the encounters whose initiator is known."""
    us, prc, both, _unknown = numbers
    known = us + prc + both
    if not known:
        return ["", ""]
    return [round(100 * us / known, 1), round(100 * prc / known, 1)]

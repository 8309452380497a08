"""Leaders' terms: US presidents, PRC paramount leaders and PRC presidents.

The one table of who led each side when, for the statistics by administration (/stats/) and the
bands behind the timeline. A term runs from its first day up to, not including, its successor's
first day (`end` is the successor's first day), so every date falls in at most one term of a
series.

Dates:
- US presidents: inauguration days (20 January since 1937; Ford on Nixon's resignation).
- PRC paramount leaders: Mao Zedong from the founding of the PRC until his death; Hua Guofeng
  from Mao's death until the Third Plenum of the 11th Central Committee (18 December 1978); Deng
  Xiaoping until he gave up his last post, the chairmanship of the Central Military Commission
  (9 November 1989); thereafter each General Secretary from the Party congress that elected them
  (Hu Jintao 15 November 2002, Xi Jinping 15 November 2012). The same convention as the office
  ranks' Deng Xiaoping entry.
- PRC presidents (state presidents) since the office was restored by the 1982 constitution,
  from the National People's Congress session that elected them.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Case, CharField, Q, Value, When

d = datetime.date


@dataclass(frozen=True)
class Term:
    name: str
    start: datetime.date
    end: datetime.date | None  # None: in office
    person: str = ""  # Person.slug where the record has the person

    def covers(self, day):
        return self.start <= day and (self.end is None or day < self.end)

    @property
    def label(self):
        last = self.end.year if self.end else ""
        return f"{self.name} ({self.start.year}–{last})"


US_PRESIDENTS = [
    Term("Nixon", d(1969, 1, 20), d(1974, 8, 9), "richard-nixon"),
    Term("Ford", d(1974, 8, 9), d(1977, 1, 20), "gerald-ford"),
    Term("Carter", d(1977, 1, 20), d(1981, 1, 20), "jimmy-carter"),
    Term("Reagan", d(1981, 1, 20), d(1989, 1, 20), "ronald-reagan"),
    Term("G. H. W. Bush", d(1989, 1, 20), d(1993, 1, 20), "george-h-w-bush"),
    Term("Clinton", d(1993, 1, 20), d(2001, 1, 20), "bill-clinton"),
    Term("G. W. Bush", d(2001, 1, 20), d(2009, 1, 20), "george-w-bush"),
    Term("Obama", d(2009, 1, 20), d(2017, 1, 20), "barack-obama"),
    Term("Trump", d(2017, 1, 20), d(2021, 1, 20), "donald-trump"),
    Term("Biden", d(2021, 1, 20), d(2025, 1, 20), "joe-biden"),
    Term("Trump", d(2025, 1, 20), None, "donald-trump"),
]

PRC_LEADERS = [
    Term("Mao", d(1949, 10, 1), d(1976, 9, 9), "mao-zedong"),
    Term("Hua", d(1976, 9, 9), d(1978, 12, 18), "hua-guofeng"),
    Term("Deng", d(1978, 12, 18), d(1989, 11, 9), "deng-xiaoping"),
    Term("Jiang", d(1989, 11, 9), d(2002, 11, 15), "jiang-zemin"),
    Term("Hu", d(2002, 11, 15), d(2012, 11, 15), "hu-jintao"),
    Term("Xi", d(2012, 11, 15), None, "xi-jinping"),
]

PRC_PRESIDENTS = [
    Term("Li Xiannian", d(1983, 6, 18), d(1988, 4, 8), "li-xiannian"),
    Term("Yang Shangkun", d(1988, 4, 8), d(1993, 3, 27), "yang-shangkun"),
    Term("Jiang Zemin", d(1993, 3, 27), d(2003, 3, 15), "jiang-zemin"),
    Term("Hu Jintao", d(2003, 3, 15), d(2013, 3, 14), "hu-jintao"),
    Term("Xi Jinping", d(2013, 3, 14), None, "xi-jinping"),
]

# The offices of the two presidencies, as participants' "office" writes them (domain/offices.py).
US_PRESIDENT_OFFICE = "President of the United States"
PRC_PRESIDENT_OFFICE = "President of the People's Republic of China"
PRESIDENCIES = {US_PRESIDENT_OFFICE: US_PRESIDENTS, PRC_PRESIDENT_OFFICE: PRC_PRESIDENTS}


TERM_NOTE = "Term of office (engagements/domain/leaders.py)."


def office_terms():
    """(person slug, office, start, end or None, note) of every president's term above.

    The presidents' OfficeTerm rows (which the data check compares participants' offices with)
    are written from here by the loaders, and data files may not list them: one table, not two
    that can drift apart.
    """
    return [
        (term.person, office, term.start, term.end, TERM_NOTE)
        for office, terms in PRESIDENCIES.items()
        for term in terms
        if term.person
    ]


# Shown where a date falls outside every term of a series (before the first one listed).
NO_TERM = "—"


def term_on(terms, day):
    return next((term for term in terms if term.covers(day)), None)


def term_case(terms, field="start_date"):
    """A database expression naming the term (its label) that `field` falls in."""
    whens = [
        When(
            Q(**{f"{field}__gte": term.start})
            & (Q() if term.end is None else Q(**{f"{field}__lt": term.end})),
            then=Value(term.label),
        )
        for term in terms
    ]
    return Case(*whens, default=Value(NO_TERM), output_field=CharField())


def term_order(terms):
    """{label: position}, to sort labels chronologically."""
    return {term.label: i for i, term in enumerate(terms)}

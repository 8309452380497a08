"""One office string per post, and the party posts that count beside a state post.

The record names each post one way (`CANONICAL`): the seed, the coverage files, the Office of
the Historian's gazetteer and editors wrote some posts several ways ("Vice Premier" and "Vice
Premier of the State Council"), which made one post look like two on a person's page and in the
office filter. `Participation.save()` and `OfficeTerm.save()` store the canonical string, a
database constraint refuses the variants, and `manage.py check_data` (`offices`) names any that
reach the table another way.

Party posts: for the PRC's paramount leaders since 1989 the General Secretary of the CPC Central
Committee is the post that makes them the leader (engagements/domain/leaders.py dates the
leaders the same way); the state post alone understates it. `PARTY_POSTS` dates the General
Secretaries, and the encounter page shows the party post beside the state post held that day.
"""

import datetime

d = datetime.date

DIRECTOR_CFAC = "Director of the Office of the Central Foreign Affairs Commission"
VICE_PREMIER = "Vice Premier of the State Council"

# Variant -> the post's one string.
CANONICAL = {
    "Vice Premier": VICE_PREMIER,
    "Vice-Premier": VICE_PREMIER,
    "Director, Office of the Central Foreign Affairs Commission": DIRECTOR_CFAC,
    "Director, Office of the Central Foreign Affairs Commission; Foreign Minister": (
        f"{DIRECTOR_CFAC} and Foreign Minister"
    ),
    "Premier": "Premier of the State Council",
    "Prime Minister": "Premier of the State Council",
    "US Trade Representative": "United States Trade Representative",
    "U.S. Trade Representative": "United States Trade Representative",
    "Treasury Secretary": "Secretary of the Treasury",
}

GENERAL_SECRETARY = "General Secretary of the CPC Central Committee"

# (person slug, party post, first day, day after the last or None): the congress or plenum that
# elected each General Secretary and the one that elected the successor.
PARTY_POSTS = [
    ("jiang-zemin", GENERAL_SECRETARY, d(1989, 6, 24), d(2002, 11, 15)),
    ("hu-jintao", GENERAL_SECRETARY, d(2002, 11, 15), d(2012, 11, 15)),
    ("xi-jinping", GENERAL_SECRETARY, d(2012, 11, 15), None),
]


def canonical_office(office):
    """The post's one string for `office` (stripped); unknown strings are kept as written."""
    office = (office or "").strip()
    return CANONICAL.get(office, office)


def is_canonical(office):
    return office not in CANONICAL


def party_post(person_slug, day):
    """The party post that counts for `person_slug` on `day`, or ""."""
    for slug, post, start, end in PARTY_POSTS:
        if slug == person_slug and start <= day and (end is None or day < end):
            return post
    return ""


def office_shown(person_slug, office, day):
    """The office as the encounter page shows it: the party post first where it counts."""
    post = party_post(person_slug, day) if day else ""
    if post and office and post not in office:
        return f"{post} and {office}"
    return office or post

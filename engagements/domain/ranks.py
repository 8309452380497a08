"""The rank of each office: the one table an encounter's level is derived from.

An encounter's level is the rank of the most senior principal on the less senior side: each
side's most senior lead (principal, host, visitor or remote participant) is found, and the
lower of the two is the level, so both sides were at least that rank. It is derived from the
offices the principals held at the time (Participation.office, checked against OfficeTerm),
never typed; an editor may override it only with a written reason (docs/editors.md, "Coding
rules").

Offices are matched by their exact wording. An office that joins two titles ("State Councilor
and Foreign Minister") ranks as its most senior title. An office not in the table has no rank:
the level cannot be derived and `manage.py check_data` names the office, so that a new title is
added here (and to docs/developers.md) rather than guessed.
"""

import datetime
import re
from dataclasses import dataclass

LEADER, CABINET, DEPUTY, ENVOY, WORKING = "leader", "cabinet", "deputy", "envoy", "working"
# Most senior first. Encounter.Level lists the same values in the same order.
ORDER = [LEADER, CABINET, DEPUTY, ENVOY, WORKING]
SENIORITY = {rank: len(ORDER) - i for i, rank in enumerate(ORDER)}

_TABLE = {
    LEADER: [
        # Heads of state and of government, and the party leader.
        "President of the United States",
        "President-elect of the United States",
        "President of the People's Republic of China",
        "General Secretary of the Chinese Communist Party",
        "General Secretary of the Communist Party of China",
        "Chairman of the Chinese Communist Party",
        "Chairman of the Central Military Commission",
        "Premier of the State Council",
    ],
    CABINET: [
        # United States: the Vice President, the Cabinet and Cabinet-rank officers.
        "Vice President of the United States",
        "Vice President-elect of the United States",
        "Secretary of State",
        "Secretary of the Treasury",
        "Secretary of Defense",
        "Secretary of Commerce",
        "Secretary of Agriculture",
        "Secretary of Energy",
        "Secretary of Homeland Security",
        "Acting Secretary of Homeland Security",
        "Attorney General",
        "United States Trade Representative",
        "National Security Advisor",
        # PRC: Vice President, Vice Premiers, State Councilors, Politburo members, ministers.
        "Vice President of the People's Republic of China",
        "Vice Premier of the State Council",
        "Vice Premier",
        "State Councilor",
        "Member of the Politburo Standing Committee",
        "Member of the Politburo",
        "Chairman of the Standing Committee of the National People's Congress",
        "Director of the Office of the Central Foreign Affairs Commission",
        "Director, Office of the Central Foreign Affairs Commission",
        "Vice Chairman of the Central Military Commission",
        "Foreign Minister",
        "Minister of Foreign Affairs",
        "Minister of National Defense",
        "Minister of Commerce",
        "Minister of Public Security",
        "Minister of Finance",
    ],
    DEPUTY: [
        "Deputy Secretary of State",
        "Deputy Secretary of the Treasury",
        "Deputy Secretary of Defense",
        "Under Secretary of State for Political Affairs",
        "Deputy National Security Advisor",
        "Vice Foreign Minister",
        "Executive Vice Minister of Foreign Affairs",
        "Vice Minister of Foreign Affairs",
        "Vice Minister of Commerce",
        "China International Trade Representative and Vice Minister of Commerce",
    ],
    ENVOY: [
        "Special Presidential Envoy for Climate",
        # Podesta held the climate portfolio after Kerry (2024), under this title.
        "Senior Advisor to the President for International Climate Policy",
        "China's Special Envoy for Climate Change",
        "Special Envoy for Climate Change",
        "Special Representative for North Korea Policy",
        "Special Representative on Korean Peninsula Affairs",
        "Ambassador to the People's Republic of China",
        "Ambassador to the United States",
    ],
    WORKING: [
        # Everyone else, listed so that a misspelt office is told apart from a junior one.
        "Assistant Secretary of State for East Asian and Pacific Affairs",
        "Assistant Minister of Foreign Affairs",
        "Director of the National Economic Council",
        "Director of the Office of Trade and Manufacturing Policy",
        "Senior Advisor to the President",
        "White House Chief of Staff",
        "Chief of the Joint Staff Department of the Central Military Commission",
        "Senior Director for China, National Security Council",
        "Deputy Assistant Secretary of State for China and Taiwan",
        "Deputy Chief of Mission, US Embassy Beijing",
        "Director-General, Department of North American and Oceanian Affairs",
        "Deputy Director-General, Department of North American Affairs",
        "Minister-Counselor, Embassy in Washington",
        "Interpreter",
        "Interpreter, Department of State",
        "Interpreter, Ministry of Foreign Affairs",
    ],
}
OFFICE_RANKS = {office: rank for rank, offices in _TABLE.items() for office in offices}
# Joined titles: "State Councilor and Foreign Minister", "…Commission; Foreign Minister".
_JOINS = re.compile(r"\s+and\s+|;\s*")


@dataclass(frozen=True)
class PersonRank:
    """A rank a person held by standing rather than by office, for a period."""

    person: str  # Person.slug
    rank: str
    start: datetime.date
    end: datetime.date
    why: str


# Deng Xiaoping led China from the Third Plenum (18 December 1978) until he gave up his last
# post, the chairmanship of the Central Military Commission (9 November 1989), whatever office
# he held; his visit of 1979 as Vice Premier is a leader-level encounter.
PERSON_RANKS = [
    PersonRank(
        "deng-xiaoping",
        LEADER,
        datetime.date(1978, 12, 18),
        datetime.date(1989, 11, 9),
        "paramount leader of the PRC",
    ),
]


def office_rank(office):
    """The rank of an office as written, or None when it is not in the table."""
    office = (office or "").strip()
    if office in OFFICE_RANKS:
        return OFFICE_RANKS[office]
    parts = [OFFICE_RANKS.get(part.strip()) for part in _JOINS.split(office)]
    if len(parts) > 1 and all(parts):
        return most_senior(parts)
    return None


def person_rank(person_slug, date):
    for standing in PERSON_RANKS:
        if standing.person == person_slug and standing.start <= date <= standing.end:
            return standing.rank
    return None


def most_senior(ranks):
    return max(ranks, key=SENIORITY.__getitem__)


def least_senior(ranks):
    return min(ranks, key=SENIORITY.__getitem__)


def participant_rank(person_slug, office, date):
    """A participant's rank on a date: their office's, raised by a standing rank (Deng)."""
    ranks = [r for r in (office_rank(office), person_rank(person_slug, date)) if r]
    return most_senior(ranks) if ranks else None


@dataclass(frozen=True)
class Derivation:
    level: str | None  # None when it cannot be derived
    problems: tuple  # why not, as sentences


def derive_level(leads, date):
    """The level of an encounter from its leads: (side, person slug, office) triples.

    Only the two governments' sides count; third parties do not set the level.
    """
    by_side = {"us": [], "prc": []}
    problems = []
    for side, slug, office in leads:
        if side not in by_side:
            continue
        rank = participant_rank(slug, office, date)
        if rank is None:
            problems.append(f"{slug}'s office “{office}” is not in the table of office ranks")
        else:
            by_side[side].append(rank)
    for side, ranks in by_side.items():
        if not ranks and not problems:
            problems.append(f"no principal with a ranked office on the {side.upper()} side")
    if problems:
        return Derivation(None, tuple(problems))
    return Derivation(least_senior([most_senior(r) for r in by_side.values()]), ())

"""The readout parser on readouts it was not tuned on: the official texts the data files ship.

The fixtures (tests/readout_fixtures.py) were written while the parser was tuned; the readouts
the data engineers attach to encounters (sources of kind us_readout/prc_readout with text, in
encounter rows and in `amendments` rows of engagements/fixtures/seed.json and coverage/*.json)
were collected independently. Each is parsed and compared with the record:

- side: the source's kind (us_readout / prc_readout);
- kind: the encounter's kind, where the record gives one the parser can propose (a visit is a
  record of several sessions; one readout reports one of them);
- principals: every person the parser names is a participant on that side, and it names at
  least one on each side (a readout names the principals; the record may add delegations);
- initiated_by: the parser's answer, when it is not "unknown", equals the record's; a wrong
  side is a guess, which the parser must never make. "unknown" where the record knows who
  asked from elsewhere (often the other side's readout) is right; where the record cites this
  very readout for it, the words are in the text and "unknown" is a miss;
- issued_on: the readout's own date, where the source records it and the text or its address
  gives the year (a text without one cannot be dated from what an editor pastes).

Used by tests/test_readout_holdout.py and by the accuracy lines in tests/conftest.py.
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path

from engagements.domain.readouts import URL_DATE, URL_MONTH, ReadoutError, parse_readout
from tests.readout_fixtures import record_directory, record_files

FIELDS = ["side", "kind", "principals", "initiated_by", "issued_on"]
READOUT_KINDS = {"us_readout": "us", "prc_readout": "prc"}
PROPOSABLE_KINDS = {"phone_call", "video_call", "meeting", "talks", "summit_sideline"}
URL_YEAR = re.compile(f"{URL_DATE.pattern}|{URL_MONTH.pattern}")
# The smallest held-out set whose shares are held to the targets: below it one readout moves a
# share by more than the margin between the targets and 100%.
MIN_HELD_OUT = 20
# The Result of the session's last evaluation, for the terminal summary.
LAST_RESULT = None


@dataclass
class Case:
    encounter: str
    source: str
    side: str
    text: str
    url: str
    kind: str | None
    initiated_by: str | None  # None where the record does not know
    initiator_cited: bool  # the record cites this readout for who asked
    participants: set | None  # {(side, person slug)}, None when no file gives the encounter
    issued_on: str | None


@dataclass
class Result:
    right: dict
    total: dict
    misses: list  # (encounter, source, field, expected, got)
    guesses: list  # (encounter, source, expected, got): a wrong initiator
    count: int

    def share(self, field):
        return self.right[field] / self.total[field] if self.total[field] else None


def encounter_rows(paths):
    """{slug: encounter row} across the files (the first row wins, as the loader's order)."""
    rows = {}
    for path in paths:
        for row in json.loads(Path(path).read_text(encoding="utf-8")).get("encounters", []):
            rows.setdefault(row["slug"], row)
    return rows


def participants_of(row):
    people = row.get("participants") if row else None
    if not people:
        return None
    return {(p["side"], p["person"]) for p in people if p.get("person") and p.get("side")}


def collect(paths):
    """Every readout with text in the files, as a Case with what the record says."""
    rows = encounter_rows(paths)
    cases = []
    for path in paths:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        items = [(row["slug"], row, {}) for row in data.get("encounters", [])]
        items += [
            (row["encounter"], rows.get(row["encounter"]) or {}, row)
            for key in ("amendments", "hsg_amendments")
            for row in data.get(key, [])
        ]
        for slug, row, amendment in items:
            fill = amendment.get("fill") or {}
            kind = fill.get("kind") or row.get("kind")
            initiator = fill.get("initiated_by") or row.get("initiated_by")
            evidence = fill.get("initiator_source") or row.get("initiator_source")
            for source in (amendment or row).get("sources", []):
                if source.get("kind") not in READOUT_KINDS or not source.get("text"):
                    continue
                cases.append(
                    Case(
                        encounter=slug,
                        source=source.get("key", ""),
                        side=READOUT_KINDS[source["kind"]],
                        text=source["text"],
                        # the official address, else the copy's the text was read from (the
                        # address an editor pastes with the text)
                        url=source.get("url") or source.get("copy_url") or "",
                        kind=kind if kind in PROPOSABLE_KINDS else None,
                        initiated_by=initiator if initiator in ("us", "prc", "both") else None,
                        initiator_cited=evidence == source.get("key"),
                        participants=participants_of(row),
                        issued_on=source.get("issued_on") if gives_year(source) else None,
                    )
                )
    return cases


def gives_year(source):
    """Whether the text or the official address gives a year: without one ("新华社北京3月9日电",
    "spoke today") the readout's own date cannot be read from what an editor pastes. A copy's
    address dates the copy (a broadcast archive's file of the next day, a repost a year on), so
    the parser does not date a readout by it, and it gives no year here either."""
    url = source.get("url") or ""
    return bool(re.search(r"(?<!\d)(?:19|20)\d\d(?!\d)", source["text"]) or URL_YEAR.search(url))


def observed(proposal):
    return {
        "side": proposal.side.value,
        "kind": proposal.kind.value,
        "principals": {(p.side, p.person or p.name) for p in proposal.principals},
        "initiated_by": proposal.initiated_by.value,
        "issued_on": proposal.issued_on.value.isoformat() if proposal.issued_on.known else None,
    }


def principals_right(got, participants):
    return got <= participants and {side for side, _ in got} == {"us", "prc"}


def evaluate(paths=None):
    """The parser's Result over every readout with text in `paths` (the shipped files)."""
    shipped = paths is None
    paths = list(paths or record_files())
    directory = record_directory(paths)
    right, total = dict.fromkeys(FIELDS, 0), dict.fromkeys(FIELDS, 0)
    misses, guesses = [], []
    cases = collect(paths)
    for case in cases:
        expected = {
            "side": case.side,
            "kind": case.kind,
            "principals": case.participants,
            "initiated_by": case.initiated_by,
            "issued_on": case.issued_on,
        }
        try:
            got = observed(parse_readout(case.text, case.url, people=directory))
        except ReadoutError as error:
            got = dict.fromkeys(FIELDS, f"refused: {error}"[:80])
        for field in FIELDS:
            if expected[field] is None:
                continue
            total[field] += 1
            if field == "principals" and isinstance(got[field], set):
                ok = principals_right(got[field], expected[field])
            elif field == "initiated_by":
                # "unknown" is an honest answer where the record knows who asked from elsewhere
                # (the other side's readout); where it cites this readout, the words are here.
                honest = ("unknown",) if not case.initiator_cited else ()
                ok = got[field] in (*honest, expected[field])
                if isinstance(got[field], str) and got[field] in ("us", "prc") and not ok:
                    guesses.append((case.encounter, case.source, expected[field], got[field]))
            else:
                ok = got[field] == expected[field]
            if ok:
                right[field] += 1
            else:
                misses.append((case.encounter, case.source, field, expected[field], got[field]))
    result = Result(right, total, misses, guesses, len(cases))
    if shipped:
        global LAST_RESULT
        LAST_RESULT = result
    return result

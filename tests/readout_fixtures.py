"""The real readouts in tests/fixtures/readouts/ and how well the parser reads them.

Each fixture is one official readout's opening as published (or as faithfully republished, with
the address it was read at and, where seen, the official one), with the values an editor wrote
by hand from reading it: side, kind, principals (side and person slug), who asked, the readout's
own date and the other government's capital date (None where the text does not fix them).
Used by tests/test_readout_fixtures.py and by the accuracy line in tests/conftest.py.
"""

import datetime
import glob
import json
from pathlib import Path

from engagements.domain.readouts import Directory, parse_readout

FIXTURES = Path(__file__).parent / "fixtures" / "readouts"
RECORD_FILES = Path(__file__).parent.parent / "engagements" / "fixtures"
FIELDS = ["kind", "principals", "initiated_by", "issued_on", "other_capital_date"]
# (accuracy, misses, fixture count) of the session's last evaluation, for the terminal summary.
LAST_RESULT = None
TARGETS = {
    "kind": 0.95,
    "principals": 0.95,
    "initiated_by": 0.95,
    "issued_on": 0.95,
    "other_capital_date": 0.90,
}


def load_fixtures():
    return [
        (Path(path).stem, json.loads(Path(path).read_text(encoding="utf-8")))
        for path in sorted(glob.glob(str(FIXTURES / "*.json")))
    ]


def record_files():
    """The data files `make run` loads: the seed and the coverage files."""
    return [RECORD_FILES / "seed.json", *sorted((RECORD_FILES / "coverage").glob("*.json"))]


def record_directory(paths=None):
    """The people `make run` loads (seed, coverage files, the Office's gazetteer), read from
    the files rather than the database so the accuracy needs no database."""
    from engagements.hsg.gazetteer import OFFICIALS

    people = {}
    for path in paths or record_files():
        for person in json.loads(Path(path).read_text(encoding="utf-8")).get("people", []):
            people.setdefault(person["slug"], person)
    for official in OFFICIALS.values():
        row = people.setdefault(
            official.slug, {"slug": official.slug, "name": official.name, "side": official.side}
        )
        row.setdefault("name_zh", official.name_zh)
        row["aliases"] = "\n".join([*row.get("aliases", "").splitlines(), *official.aliases])
    return Directory.from_people(people.values())


def observed(proposal):
    def iso(found):
        return found.value.isoformat() if isinstance(found.value, datetime.date) else None

    return {
        "kind": proposal.kind.value,
        "principals": sorted([p.side, p.key] for p in proposal.principals),
        "initiated_by": proposal.initiated_by.value,
        "issued_on": iso(proposal.issued_on),
        "other_capital_date": iso(proposal.other_capital_date),
    }


def evaluate():
    """({field: share right}, [(fixture, field, expected, got)]) over every fixture."""
    directory = record_directory()
    right = dict.fromkeys(FIELDS, 0)
    misses = []
    fixtures = load_fixtures()
    for name, fixture in fixtures:
        proposal = parse_readout(
            fixture["text"], fixture.get("official_url") or fixture["url"], people=directory
        )
        got = observed(proposal)
        expected = dict(fixture["expected"])
        expected["principals"] = sorted(expected["principals"])
        for field in FIELDS:
            if got[field] == expected[field]:
                right[field] += 1
            else:
                misses.append((name, field, expected[field], got[field]))
    global LAST_RESULT
    accuracy = {field: right[field] / len(fixtures) for field in FIELDS}
    LAST_RESULT = (accuracy, misses, len(fixtures))
    return accuracy, misses

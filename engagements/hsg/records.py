"""Read the Office of the Historian's trip and visit records from the shipped XML.

Format: engagements/fixtures/hsg/README.md, "Record format". Only records of the PRC are kept:
country or from @id "china" and a start date on or after 1 October 1949 (the README's rule;
the label text varies and is not relied on).
"""

import datetime
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "hsg"
TRAVELS_FILE = DATA_DIR / "travels-china.xml"
VISITS_FILE = DATA_DIR / "visits-china.xml"
PRC_ID = "china"
PRC_FOUNDED = datetime.date(1949, 10, 1)
SITE = "https://history.state.gov/departmenthistory"
OUTLET = "U.S. Department of State, Office of the Historian"


@dataclass(frozen=True)
class Record:
    """One trip (a President's or Secretary's country stop) or one foreign leader's visit."""

    kind: str  # "trip" or "visit"
    number: int
    start_date: datetime.date
    end_date: datetime.date
    text: str  # remarks (trips) or description (visits), whitespace normalised
    role: str = ""  # trips: "president" or "secretary"
    who: str = ""  # trips: the Office's slug for the traveller
    name: str = ""  # trips: the traveller's name as recorded
    locale: str = ""  # trips: cities in the spelling of the time
    visitor: str = ""  # visits: title and name as recorded
    country_label: str = ""

    @property
    def external_id(self):
        return f"hsg-{self.kind}:{self.number}"

    @property
    def url(self):
        """The Office's public page for the record: the traveller's page, or the year of visits.

        The Office's own site links a visit to its year page (hsg-shell search module).
        """
        if self.kind == "trip":
            return f"{SITE}/travels/{self.role}/{self.who}"
        return f"{SITE}/visits/{self.start_date.year}"

    @property
    def locales(self):
        return [part.strip() for part in self.locale.split(",") if part.strip()]


def normalise(text):
    """Collapse the pretty-printing line breaks and indentation of the source's free text."""
    return re.sub(r"\s+", " ", text or "").strip()


def _date(element, tag):
    return datetime.date.fromisoformat(element.findtext(tag).strip())


def _is_prc(country, start):
    return country is not None and country.get("id") == PRC_ID and start >= PRC_FOUNDED


def read_trips(path=TRAVELS_FILE):
    records = []
    for trip in ET.parse(path).getroot().iter("trip"):
        start = _date(trip, "start-date")
        if not _is_prc(trip.find("country"), start):
            continue
        records.append(
            Record(
                kind="trip",
                number=int(trip.findtext("id")),
                start_date=start,
                end_date=_date(trip, "end-date"),
                text=normalise(trip.findtext("remarks")),
                role=trip.get("role") or normalise(trip.findtext("role")),
                who=trip.get("who"),
                name=normalise(trip.findtext("name")),
                locale=normalise(trip.findtext("locale")),
                country_label=normalise(trip.findtext("country")),
            )
        )
    return records


def read_visits(path=VISITS_FILE):
    records = []
    for visit in ET.parse(path).getroot().iter("visit"):
        start = _date(visit, "start-date")
        if not _is_prc(visit.find("from"), start):
            continue
        description = visit.find("description")
        records.append(
            Record(
                kind="visit",
                number=int(visit.findtext("id")),
                start_date=start,
                end_date=_date(visit, "end-date"),
                # The schema allows <em> inside descriptions: keep its text, drop the markup.
                text=normalise("".join(description.itertext()) if description is not None else ""),
                visitor=normalise(visit.findtext("visitor")),
                country_label=normalise(visit.findtext("from")),
            )
        )
    return records


def read_all():
    return read_trips() + read_visits()

"""Import the Office of the Historian's records as encounters, merged and reconciled.

- One encounter per trip or visit, except that a Secretary's record of a trip on which they
  accompanied the President is merged with the President's record (the two overlap in time;
  each participant keeps their own dates), and a record that describes an encounter already
  curated is attached to it as a further source (CURATED_LINKS).
- Merged records that disagree on the start: the President's arrival (the President's record,
  corrected where CORRECTIONS says so) is the encounter's start; the other record's dates become
  a Discrepancy that names both records.
- A record whose traveller or visitor already has an encounter starting on the same date (the
  Office sometimes files one trip twice) is attached to it as a further source, not duplicated.
- Idempotent: a record is imported once, keyed by its namespaced id ("hsg-trip:2844") on
  Source.external_id. Records already imported are left alone, so a second run changes nothing
  and editors' later corrections survive.
- The Office's words (remarks, descriptions) are kept verbatim as a quotation attributed to the
  Office, never as our summary; its spellings are kept on the source's note; where its dates or
  names differ from ours a Discrepancy names both values and their sources.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.db import transaction

from engagements.domain import leaders
from engagements.domain.links import make_slug
from engagements.domain.signals import encounter_changes_batched
from engagements.hsg import gazetteer as gz
from engagements.hsg.records import OUTLET, read_all
from engagements.models import (
    Discrepancy,
    Encounter,
    OfficeTerm,
    Participation,
    Person,
    Place,
    Quote,
    Side,
    Source,
    Topic,
)

README = "engagements/fixtures/hsg/README.md"

# Records that describe an encounter the editors have curated: attach, do not duplicate.
CURATED_LINKS = {"hsg-visit:3196": "biden-xi-meeting-woodside-2023-11-15"}
# Curated encounters that took place within an imported trip: (curated slug, record id).
# Xi's APEC visit (3201) is the trip; the Woodside meeting (3196, curated) is one of its sessions.
SESSIONS = {"biden-xi-meeting-woodside-2023-11-15": "hsg-visit:3201"}


@dataclass(frozen=True)
class ExternalSource:
    """A source outside the Office's data that supports a correction: cited on the encounter."""

    kind: str
    outlet: str
    title: str
    url: str
    published_on: datetime.date | None = None

    def fields(self):
        return {
            "kind": self.kind,
            "outlet": self.outlet,
            "title": self.title,
            "published_on": self.published_on,
        }


@dataclass(frozen=True)
class Correction:
    start_date: datetime.date
    note: str
    source: ExternalSource


STATE_READOUT_JUNE_2023 = ExternalSource(
    Source.Kind.US_READOUT,
    "U.S. Department of State",
    "Secretary Blinken's Visit to the People's Republic of China (PRC)",
    "https://www.state.gov/secretary-blinkens-visit-to-the-peoples-republic-of-china-prc/",
)

# Dates the Office has wrong, each with the external source that gives the right one. In-person
# encounters carry the local date (docs/developers.md, "Coding rules").
CORRECTIONS = {
    "hsg-trip:4145": Correction(
        datetime.date(2023, 6, 18),
        "The Office's record hsg-trip:4145 starts this trip on 17 June 2023. The State "
        "Department's readout gives the visit to Beijing as 18–19 June, and in-person "
        "encounters carry the local date.",
        STATE_READOUT_JUNE_2023,
    ),
    "hsg-visit:3201": Correction(
        datetime.date(2023, 11, 14),
        "The Office's record hsg-visit:3201 gives 12–17 November 2023, the APEC summit week, "
        "rather than Xi's own stay. Xinhua (People's Daily, 15 November 2023) reports that Xi "
        "arrived in San Francisco on Tuesday 14 November.",
        ExternalSource(
            Source.Kind.NEWS,
            "Xinhua (People's Daily Online)",
            "Xi arrives in San Francisco for talks with Biden, APEC meeting",
            "http://en.people.cn/n3/2023/1115/c90000-20097181.html",
            datetime.date(2023, 11, 15),
        ),
    ),
    "hsg-trip:2599": Correction(
        datetime.date(1998, 6, 25),
        "The President's record hsg-trip:2599 starts this trip on 24 June 1998. He arrived in "
        "Xi'an on 25 June (local date): the White House released his remarks at the welcoming "
        "ceremony there that evening. The Secretary of State's record (hsg-trip:106) also "
        "starts on 25 June.",
        ExternalSource(
            Source.Kind.TRANSCRIPT,
            "The White House, Office of the Press Secretary",
            "Remarks of the President at Welcoming Ceremony in Xian, China",
            "https://clintonwhitehouse3.archives.gov/WH/New/China/19980625-20014.html",
            datetime.date(1998, 6, 25),
        ),
    ),
}

# Officials a record omits whom an external source names: (person slug, office, source).
# Official readouts and transcripts first, then the original outlet.
US_PRC_VP = "Vice Premier of the State Council"
STATE_COUNCILOR = "State Councilor"
STATE_COUNCILOR_FM = "State Councilor and Foreign Minister"
LA_TIMES_MARCH_1994 = ExternalSource(
    Source.Kind.NEWS,
    "Los Angeles Times",
    "U.S., China Trade Embittered Words on Human Rights",
    "http://articles.latimes.com/1994-03-13/news/mn-33644_1_human-rights",
    datetime.date(1994, 3, 13),
)
STATE_REMARKS_NOVEMBER_1996 = ExternalSource(
    Source.Kind.TRANSCRIPT,
    "U.S. Department of State, Office of the Spokesman (archived by the University of Illinois "
    "at Chicago)",
    "Press Remarks following meetings in Beijing, China",
    "http://dosfan.lib.uic.edu/ERC/briefing/dossec/1996/9611/961120dossec.html",
    datetime.date(1996, 11, 20),
)
CHINA_DAILY_SED = ExternalSource(
    Source.Kind.NEWS,
    "China Daily (Xinhua)",
    "Background: the China-US Strategic and Economic Dialogue",
    "http://covid-19.chinadaily.com.cn/china/2011sinousdialogue/2011-05/10/content_12475812.htm",
    datetime.date(2011, 5, 10),
)
STATE_SED_2012 = ExternalSource(
    Source.Kind.US_READOUT,
    "U.S. Department of State, Office of the Spokesperson (archived by the UNT web archive)",
    "Joint Statement on the 4th Round of the U.S.-China Strategic and Economic Dialogue",
    "https://webarchive.library.unt.edu/web/20120920234940/http://www.state.gov/r/pa/prs/ps/2012/"
    "05/189286.htm",
    datetime.date(2012, 5, 4),
)
PRC_SED_2014 = ExternalSource(
    Source.Kind.PRC_READOUT,
    "Embassy of the People's Republic of China in Barbados",
    "The Sixth Round of China-US Strategic and Economic Dialogue Concludes",
    "http://bb.chineseembassy.org/eng/zgyw/t1174621.htm",
)
STATE_SED_2016 = ExternalSource(
    Source.Kind.TRANSCRIPT,
    "U.S. Department of State",
    "S&ED Opening Session Remarks",
    "https://2009-2017.state.gov/secretary/remarks/2016/06/258091.htm",
    datetime.date(2016, 6, 6),
)
CRI_APEC_2014 = ExternalSource(
    Source.Kind.NEWS,
    "China Radio International (Filipino service)",
    "Wang Yi meets John Kerry in Beijing before the APEC leaders' week (in Filipino)",
    "http://filipino.cri.cn/301/2014/11/08/110s132559.htm",
    datetime.date(2014, 11, 8),
)
EMBASSY_POMPEO_XI_2018 = ExternalSource(
    Source.Kind.TRANSCRIPT,
    "U.S. Embassy and Consulates in China",
    "Secretary of State Mike Pompeo and Chinese President Xi Jinping Opening Remarks",
    "https://china.usembassy-china.org.cn/secretary-of-state-mike-pompeo-and-chinese-president-"
    "xi-jinping-opening-remarks/",
    datetime.date(2018, 6, 14),
)
CGTN_POMPEO_2018 = ExternalSource(
    Source.Kind.NEWS,
    "CGTN America",
    "US Sec of State Mike Pompeo meets Chinese Pres Xi Jinping",
    "https://america.cgtn.com/2018/06/14/us-sec-of-state-mike-pompeo-meets-chinese-pres-xi-jinping",
    datetime.date(2018, 6, 14),
)
STATE_POMPEO_WANG_2018 = ExternalSource(
    Source.Kind.TRANSCRIPT,
    "U.S. Department of State",
    "Remarks With Chinese Foreign Minister Wang Yi Before Their Meeting",
    "https://www.state.gov/secretary/remarks/2018/10/286493.htm",
    datetime.date(2018, 10, 8),
)
SCMP_LIU_HE_APRIL_2019 = ExternalSource(
    Source.Kind.NEWS,
    "South China Morning Post",
    "Xi Jinping tells Donald Trump strategic leadership is key to trade deal benefiting both US "
    "and China",
    "https://www.scmp.com/news/china/diplomacy/article/3004776/xi-jinping-tells-donald-trump-"
    "strategic-leadership-key-trade",
    datetime.date(2019, 4, 5),
)
FOREXLIVE_LIU_HE_OCTOBER_2019 = ExternalSource(
    Source.Kind.NEWS,
    "ForexLive",
    "Trump: We have come to a substantial Phase One deal with China",
    "https://www.forexlive.com/news/!/trump-we-have-come-to-a-substantial-phase-one-deal-with-"
    "china-20191011",
    datetime.date(2019, 10, 11),
)

APP_OBAMA_XI_2014 = ExternalSource(
    Source.Kind.TRANSCRIPT,
    "The American Presidency Project (UC Santa Barbara)",
    "Remarks Prior to a Meeting With President Xi Jinping of China in Beijing, China",
    "https://www.presidency.ucsb.edu/documents/remarks-prior-meeting-with-president-xi-jinping-"
    "china-beijing-china",
    datetime.date(2014, 11, 12),
)
APP_TRUMP_LIU_HE_FEBRUARY_2019 = ExternalSource(
    Source.Kind.TRANSCRIPT,
    "The American Presidency Project (UC Santa Barbara)",
    "Remarks in a Meeting With Vice Premier Liu He of China and an Exchange With Reporters",
    "https://www.presidency.ucsb.edu/documents/remarks-meeting-with-vice-premier-liu-he-china-"
    "and-exchange-with-reporters-0",
    datetime.date(2019, 2, 22),
)

ADDED_PARTICIPANTS = {
    "hsg-trip:4145": [
        (
            "wang-yi",
            "Director of the Office of the Central Foreign Affairs Commission",
            STATE_READOUT_JUNE_2023,
        )
    ],
    # "Met with senior Chinese officials": the reports name them.
    "hsg-trip:557": [
        ("li-peng", gz.PREMIER, LA_TIMES_MARCH_1994),
        ("qian-qichen", "Foreign Minister", LA_TIMES_MARCH_1994),
    ],
    "hsg-trip:730": [
        ("jiang-zemin", gz.PRC_PRESIDENT, STATE_REMARKS_NOVEMBER_1996),
        ("li-peng", gz.PREMIER, STATE_REMARKS_NOVEMBER_1996),
        ("qian-qichen", "Foreign Minister", STATE_REMARKS_NOVEMBER_1996),
    ],
    # The Strategic and Economic Dialogues in Beijing: the Chinese co-chairs.
    "hsg-trip:3064": [
        ("dai-bingguo", STATE_COUNCILOR, CHINA_DAILY_SED),
        ("wang-qishan", US_PRC_VP, CHINA_DAILY_SED),
    ],
    "hsg-trip:3228": [
        ("dai-bingguo", STATE_COUNCILOR, STATE_SED_2012),
        ("wang-qishan", US_PRC_VP, STATE_SED_2012),
    ],
    "hsg-trip:3495": [
        ("yang-jiechi", STATE_COUNCILOR, PRC_SED_2014),
        ("wang-yang", US_PRC_VP, PRC_SED_2014),
    ],
    "hsg-trip:3671": [
        ("yang-jiechi", STATE_COUNCILOR, STATE_SED_2016),
        ("wang-yang", US_PRC_VP, STATE_SED_2016),
    ],
    "hsg-trip:3522": [("wang-yi", "Foreign Minister", CRI_APEC_2014)],
    "hsg-trip:3800": [
        ("xi-jinping", gz.PRC_PRESIDENT, EMBASSY_POMPEO_XI_2018),
        ("wang-yi", STATE_COUNCILOR_FM, CGTN_POMPEO_2018),
    ],
    "hsg-trip:3825": [("wang-yi", STATE_COUNCILOR_FM, STATE_POMPEO_WANG_2018)],
    # The APEC CEO summit and a TPP meeting are all the record names; Obama's state visit
    # followed, with talks with Xi.
    "hsg-trip:3427": [("xi-jinping", gz.PRC_PRESIDENT, APP_OBAMA_XI_2014)],
    # "Bilateral Meeting.": the reports name the President who received the Vice Premier.
    "hsg-visit:2918": [("donald-trump", gz.US_PRESIDENT, APP_TRUMP_LIU_HE_FEBRUARY_2019)],
    "hsg-visit:2923": [("donald-trump", gz.US_PRESIDENT, SCMP_LIU_HE_APRIL_2019)],
    "hsg-visit:2986": [("donald-trump", gz.US_PRESIDENT, FOREXLIVE_LIU_HE_OCTOBER_2019)],
}

# Permanent addresses published before the President's arrival became a merged trip's start
# (keyed by the President's record): named on the date discrepancy, so a citation of the old
# address can be traced.
FORMER_SLUGS = {
    "hsg-trip:2844": "nixon-visit-china-1972-02-17",
    "hsg-trip:2599": "bill-clinton-visit-china-1998-06-24",
    "hsg-trip:2391": "george-w-bush-visit-china-2001-10-17",
    "hsg-trip:2455": "george-w-bush-visit-china-2005-11-19",
}

# Records whose locales are not in the order visited: (place keys in that order, source).
ITINERARIES = {
    "hsg-trip:2844": (
        ["Beijing", "Hangzhou", "Shanghai"],
        ExternalSource(
            Source.Kind.OTHER,
            "PBS, American Experience",
            "The Nixons' Tour",
            "https://www.pbs.org/wgbh/americanexperience/features/china-tour/",
        ),
    ),
}


# Errors in the wording of the Office's descriptions, which are quoted as published: recorded
# so the quotation is not mistaken for the right name (README, "Names, titles and spellings").
TEXT_ERRATA = {
    "hsg-trip:3228": [
        ("Economic and Strategic Dialogue", "Strategic and Economic Dialogue"),
    ],
    "hsg-visit:1429": [("Millenium Summit", "Millennium Summit")],
    "hsg-visit:2591": [
        (
            "Asia-Pacific Economic and Cooperation Summit",
            "Asia-Pacific Economic Cooperation (APEC) summit",
        )
    ],
}


# What a record's wording says about the host: a state or official visit is received by the
# host country's head of state, and a leaders' summit held there is hosted by them. The head of
# state on the day comes from engagements/domain/leaders.py.
RECEIVED_VISITS = [
    ("official working visit", "an official working visit"),
    ("state visit", "a state visit"),
    ("official visit", "an official visit"),
]
HOSTED_SUMMITS = [
    ("APEC meeting", "the APEC leaders' meeting"),
    ("APEC Summit", "the APEC leaders' summit"),
    ("APEC Leaders' Summit", "the APEC leaders' summit"),
    ("Asia-Pacific Economic and Cooperation Summit", "the APEC leaders' summit"),
    ("G-20 Economic Summit", "the G-20 summit"),
    ("G-20 Summit", "the G-20 summit"),
    ("Nuclear Security Summit", "the Nuclear Security Summit"),
]
# Other purposes a record names, for the summary only (no host follows from them).
PURPOSES = [
    ("Strategic and Economic Dialogue", "a round of the Strategic and Economic Dialogue"),
    ("Economic and Strategic Dialogue", "a round of the Strategic and Economic Dialogue"),
    ("APEC Ministerial", "the APEC ministerial meeting"),
    ("CEO Summit", "the APEC CEO summit"),
    ("General Assembly", "the UN General Assembly"),
    ("Security Council Summit", "a UN Security Council summit"),
    ("Millenium Summit", "the UN Millennium Summit"),
    ("Olympic Games", "the opening of the Olympic Games"),
    ("Bilateral Meeting", "a bilateral meeting"),
]

# Topics by keyword over the record's own words (slug, name, pattern): a visit with meetings is
# diplomacy; the rest only where the record names the subject.
TOPIC_RULES = [
    ("diplomatic", "Diplomatic relations",
     r"visit|met with|meeting|summit|dialogue|counterparts|officials|state dinner"),
    ("economic-trade", "Economic and trade",
     r"econom|trade|APEC|Asia[- ]Pacific|G-20|CEO|Expo|joint venture"),
    ("nuclear-security", "Nuclear security", r"nuclear"),
    ("human-rights", "Human rights", r"human rights"),
    ("taiwan", "Taiwan", r"taiwan"),
    ("climate", "Environment and climate", r"climate"),
    ("military", "Military", r"military|defen[cs]e|arms control"),
]  # fmt: skip


def record_phrase(texts, table):
    """The first (phrase, wording) of `table` whose phrase one of `texts` contains."""
    for phrase, wording in table:
        if any(phrase.casefold() in text.casefold() for text in texts):
            return phrase, wording
    return None


def record_topics(texts):
    joined = " ".join(texts)
    return [
        (slug, name)
        for slug, name, pattern in TOPIC_RULES
        if re.search(pattern, joined, flags=re.IGNORECASE)
    ]


def format_dates(start, end):
    """“15 November 2023”, “17–19 June 2023”, “30 September – 1 October 2017”."""
    if start == end:
        return f"{start.day} {start:%B %Y}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {start:%B %Y}"
    if start.year == end.year:
        return f"{start.day} {start:%B} – {end.day} {end:%B %Y}"
    return f"{start.day} {start:%B %Y} – {end.day} {end:%B %Y}"


def join_words(words):
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def record_dates(record):
    correction = CORRECTIONS.get(record.external_id)
    start = correction.start_date if correction else record.start_date
    return start, record.end_date


def group_dates(group):
    """The encounter's dates: from the President's arrival when the President's record leads
    (a Secretary's record may start on the day of departure), to the last record's end."""
    spans = [record_dates(r) for r in group.records]
    if group.lead.kind == "trip" and group.lead.role == "president":
        start = record_dates(group.lead)[0]
    else:
        start = min(s for s, _ in spans)
    return start, max(e for _, e in spans)


def legacy_start(group):
    """The start earlier versions gave a merged trip (the earliest record's): its old slug."""
    return min(record_dates(r)[0] for r in group.records)


@dataclass
class Group:
    """The records that become one encounter: a President's trip with the Secretary's, or one."""

    records: list

    @property
    def lead(self):
        return self.records[0]

    @property
    def ids(self):
        return [r.external_id for r in self.records]


def group_records(records):
    """Pair each President's trip with the Secretary's trip that overlaps it in time.

    The Office files an accompanied trip twice, once per traveller, with dates that can differ
    by days (README, "One trip as two records"); overlapping dates in the same country is the
    test, and the President's record leads.
    """
    secretaries = [r for r in records if r.kind == "trip" and r.role == "secretary"]
    paired = set()
    groups = []
    for record in records:
        if record.kind == "trip" and record.role == "secretary":
            continue
        group = Group([record])
        if record.kind == "trip" and record.role == "president":
            for other in secretaries:
                overlaps = (
                    other.start_date <= record.end_date and record.start_date <= other.end_date
                )
                if overlaps and other.number not in paired:
                    paired.add(other.number)
                    group.records.append(other)
        groups.append(group)
    groups += [Group([r]) for r in secretaries if r.number not in paired]
    groups.sort(key=lambda g: (min(r.start_date for r in g.records), g.lead.number))
    return groups


@dataclass
class ImportResult:
    records: int = 0
    imported: list = field(default_factory=list)  # record ids imported by this run
    already: list = field(default_factory=list)  # record ids imported by an earlier run
    created: list = field(default_factory=list)  # encounters created
    merged: list = field(default_factory=list)  # (encounter, [record ids]) with several records
    linked: list = field(default_factory=list)  # (curated encounter, record id)
    waiting: list = field(default_factory=list)  # (record id, missing curated slug)
    discrepancies: int = 0
    unmatched: list = field(default_factory=list)  # (record id, phrase)


class Importer:
    def __init__(self):
        self.result = ImportResult()
        self.people = {}
        self.places = {}

    @transaction.atomic
    def run(self, records=None):
        records = read_all() if records is None else records
        self.result.records = len(records)
        for group in group_records(records):
            # One version bump and one search document per encounter, not one per row written
            # (engagements/domain/signals.py): most of the import's time before.
            with encounter_changes_batched():
                self.import_group(group)
        self.link_sessions()
        self.record_terms()
        return self.result

    def record_terms(self):
        """The terms the gazetteer knows, for the people recorded (data check)."""
        OfficeTerm.record(gz.office_terms())

    # Groups and encounters -------------------------------------------------------------

    def import_group(self, group):
        existing = {
            s.external_id: s
            for s in Source.objects.filter(external_id__in=group.ids).select_related("encounter")
        }
        self.result.already += [i for i in group.ids if i in existing]
        if len(existing) == len(group.ids):
            encounter = next(iter(existing.values())).encounter
            self.reconcile(encounter, group)
            encounter.apply_coding_rules()
            encounter.refresh_search_document()
            return
        if existing:
            encounter, created = next(iter(existing.values())).encounter, False
        elif group.lead.external_id in CURATED_LINKS:
            slug = CURATED_LINKS[group.lead.external_id]
            encounter, created = Encounter.objects.filter(slug=slug).first(), False
            if encounter is None:
                self.result.waiting.append((group.lead.external_id, slug))
                return
        elif duplicate := self.find_duplicate(group):
            encounter, created = duplicate, False
        else:
            encounter, created = self.create_encounter(group), True
            self.result.created.append(encounter)
        for record in group.records:
            if record.external_id not in existing:
                self.add_record(encounter, record, group, created)
        if len(group.records) > 1:
            self.result.merged.append((encounter, group.ids))
        self.reconcile(encounter, group)
        encounter.apply_coding_rules()
        encounter.refresh_search_document()

    def find_duplicate(self, group):
        """An encounter this group's traveller or visitor already has on overlapping dates: the
        Office files some trips twice under two ids (same dates, same person), and nobody is on
        two visits at once."""
        lead = group.lead
        if lead.kind == "trip":
            slug = gz.TRAVELLERS.get(lead.who, (None,))[0]
        else:
            official = self.visitor_official(lead)[2]
            slug = official.slug if official else None
        if slug is None:
            return None
        start, end = group_dates(group)
        return (
            Encounter.objects.filter(
                start_date__lte=end,
                end_date__gte=start,
                kind=Encounter.Kind.VISIT,
                participations__person__slug=slug,
                participations__role=Participation.Role.VISITOR,
            )
            .order_by("pk")
            .first()
        )

    # What the Office's records omit or misdate: applied to new and earlier imports alike ----

    def reconcile(self, encounter, group):
        """Apply the corrections, added participants, itinerary and the merged trip's start to
        the encounter of `group`, however long ago it was imported (idempotent)."""
        for record_id in group.ids:
            for slug, office, cited in ADDED_PARTICIPANTS.get(record_id, []):
                source = self.external_source(encounter, cited)
                person = Person.objects.filter(slug=slug).first()
                if person is None and slug in gz.OFFICIALS:
                    person = self.person(gz.OFFICIALS[slug])
                if person is not None:
                    self.participate(encounter, person, role=Participation.Role.HOST, office=office)
                    self.note_on_source(
                        source, f"Names {person.name} ({office}), whom {record_id} omits."
                    )
            if record_id in ITINERARIES:
                self.note_on_source(
                    self.external_source(encounter, ITINERARIES[record_id][1]),
                    f"Gives the order in which the cities of {record_id} were visited.",
                )
        if encounter.provenance != Encounter.Provenance.HSG:
            return
        self.add_received_by(encounter, group)
        self.describe(encounter, group)
        start, end = group_dates(group)
        former = FORMER_SLUGS.get(group.lead.external_id)
        if former and encounter.slug == former and encounter.start_date != start:
            # Imported before the President's arrival was the rule: move it, and its address.
            encounter.start_date, encounter.end_date = start, end
            encounter.slug = self.unique_slug(former.rsplit("-", 3)[0] + f"-{start:%Y-%m-%d}")
            encounter.save()
        if former:
            # The old address was published and cited: it answers 301 on new databases too.
            encounter.keep_former_slug(former)
        sources = {s.external_id: s for s in Source.objects.filter(external_id__in=group.ids)}
        for record in group.records:
            if record.external_id in sources:
                self.compare_with_lead(encounter, record, sources[record.external_id], group)
                self.record_corrections(encounter, record, sources[record.external_id], group)
        if group.lead.kind == "trip":
            self.relocate(encounter, group)

    def add_received_by(self, encounter, group):
        """A state or official visit, or a leaders' summit in the host country, whose record
        names no one on the host side: the host country's head of state on that day received
        the visitor. Named as host, citing the record, with the reasoning on its note."""
        lead_sides = set(
            encounter.participations.filter(role__in=Participation.LEAD_ROLES).values_list(
                "side", flat=True
            )
        )
        texts = [r.text for r in group.records]
        found = record_phrase(texts, RECEIVED_VISITS) or record_phrase(texts, HOSTED_SUMMITS)
        if found is None:
            return
        if group.lead.kind == "visit":
            terms, office, side = leaders.US_PRESIDENTS, gz.US_PRESIDENT, Side.US
        else:
            terms, office, side = leaders.PRC_PRESIDENTS, gz.PRC_PRESIDENT, Side.PRC
        term = leaders.term_on(terms, encounter.start_date)
        if side in lead_sides or term is None or term.person not in gz.OFFICIALS:
            return
        person = self.person(gz.OFFICIALS[term.person])
        self.participate(encounter, person, role=Participation.Role.HOST, office=office)
        received = dict(RECEIVED_VISITS).get(found[0])
        reason = (
            f"the record calls this {received}, which the host country's head of state receives"
            if received
            else f"the record names {dict(HOSTED_SUMMITS)[found[0]]}, which the host country's "
            "head of state hosts"
        )
        source = Source.objects.filter(external_id=group.lead.external_id).first()
        if source is not None:
            self.note_on_source(
                source,
                f"Host: {reason}; the tracker names {person.name} ({office}) on that day.",
            )

    def describe(self, encounter, group):
        """A summary in the tracker's words from the record's facts, and topics by keyword,
        where an editor has given none (their text and choices are kept)."""
        texts = [r.text for r in group.records]
        if not encounter.summary.strip():
            encounter.summary = self.summary(encounter, group, texts)
            encounter.save(update_fields=["summary"])
        if not encounter.topics.exists():
            for slug, name in record_topics(texts):
                topic, _ = Topic.objects.get_or_create(slug=slug, defaults={"name": name})
                encounter.topics.add(topic)

    def summary(self, encounter, group, texts):
        leads = list(
            encounter.participations.filter(role__in=Participation.LEAD_ROLES)
            .select_related("person")
            .order_by("order", "id")
        )
        visitor_side = Side.PRC if group.lead.kind == "visit" else Side.US
        visitors = [p for p in leads if p.side == visitor_side]
        hosts = [p for p in leads if p.side != visitor_side]
        if group.lead.kind == "trip":
            keys, _ = self.trip_places(group)
            where = join_words([gz.PLACES[k][0] for k in keys]) if keys else "China"
        else:
            where = "the United States"
        who = join_words([f"{p.person.name} ({p.office})" if p.office else p.person.name
                          for p in visitors]) or group.lead.name  # fmt: skip
        dates = format_dates(encounter.start_date, encounter.end_date)
        sentences = [f"{who} visited {where}, {dates}."]
        if hosts:
            named = join_words(
                [f"{p.person.name} ({p.office})" if p.office else p.person.name for p in hosts]
            )
            sentences.append(
                f"The principal on the other side was {named}."
                if len(hosts) == 1
                else f"The principals on the other side were {named}."
            )
        purpose = (
            record_phrase(texts, RECEIVED_VISITS)
            or record_phrase(texts, HOSTED_SUMMITS)
            or record_phrase(texts, PURPOSES)
        )
        if purpose:
            sentences.append(
                f"The Office of the Historian's record describes the occasion as {purpose[1]}."
            )
        return " ".join(sentences)

    def relocate(self, encounter, group):
        """Earlier imports listed the cities in record order and placed a trip in its first
        city: correct the title and place they gave (an editor's own title is kept)."""
        keys, _ = self.trip_places(group)
        if not keys or group.lead.who not in gz.TRAVELLERS:
            return
        short = gz.TRAVELLERS[group.lead.who][1]
        record_order = []
        for record in group.records:
            record_order += [k for k in gz.trip_place_keys(record)[0] if k not in record_order]
        old_title = f"{short} visit to {join_words([gz.PLACES[k][0] for k in record_order])}"
        title = f"{short} visit to {join_words([gz.PLACES[k][0] for k in keys])}"
        old_place = "Beijing" if "Beijing" in record_order else record_order[0]
        changed = False
        if encounter.title == old_title != title:
            encounter.title, changed = title, True
        new_place = self.place_key(group)
        if old_place != new_place and encounter.place_id == self.place(old_place).pk:
            encounter.place, changed = self.place(new_place), True
        if changed:
            encounter.save()

    def external_source(self, encounter, cited):
        source, _ = Source.objects.get_or_create(
            encounter=encounter, url=cited.url, defaults=cited.fields()
        )
        return source

    @staticmethod
    def note_on_source(source, sentence):
        if sentence not in source.note:
            source.note = f"{source.note} {sentence}".strip()
            source.save()

    def create_encounter(self, group):
        lead = group.lead
        levels = {self.level(r) for r in group.records}
        place_key = self.place_key(group)
        if lead.kind == "trip":
            short = gz.TRAVELLERS[lead.who][1] if lead.who in gz.TRAVELLERS else lead.name
            keys, _ = self.trip_places(group)
            where = join_words([gz.PLACES[k][0] for k in keys]) if keys else "China"
            title, slug_base = f"{short} visit to {where}", f"{short} visit china"
            venue = Encounter.Venue.PRC
        else:
            name = self.visitor_official(lead)[1]
            title, slug_base = f"{name} visit to the United States", f"{name} visit us"
            venue = Encounter.Venue.US
        start, end = group_dates(group)
        return Encounter.objects.create(
            title=title,
            slug=self.unique_slug(make_slug(f"{slug_base} {start:%Y-%m-%d}")),
            kind=Encounter.Kind.VISIT,
            venue=venue,
            level=Encounter.Level.LEADER if "leader" in levels else Encounter.Level.CABINET,
            start_date=start,
            end_date=end,
            place=self.place(place_key) if place_key else None,
            status=Encounter.Status.PUBLISHED,
            published_on_load=True,
            provenance=Encounter.Provenance.HSG,
        )

    @staticmethod
    def unique_slug(base):
        slug, n = base, 1
        while Encounter.objects.filter(slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        return slug

    @staticmethod
    def level(record):
        if record.kind == "trip":
            return "leader" if record.role == "president" else "cabinet"
        title, _ = gz.parse_visitor(record.visitor)
        return gz.VISITOR_TITLES[title][1] if title else "cabinet"

    # Places ----------------------------------------------------------------------------

    @staticmethod
    def trip_places(group):
        if group.lead.external_id in ITINERARIES:
            return list(ITINERARIES[group.lead.external_id][0]), []
        keys, unknown = [], []
        for record in group.records:
            record_keys, record_unknown = gz.trip_place_keys(record)
            keys += [k for k in record_keys if k not in keys]
            unknown += record_unknown
        return keys, unknown

    def place_key(self, group):
        """One place per encounter: Beijing when the trip went there (where the official
        meetings are held), else the first city of the mainland (where PRC officials were met:
        a Hong Kong stop is not the PRC venue), else the first city listed; a visit's place
        only when its description names it."""
        if group.lead.kind == "visit":
            return gz.visit_place_key(group.lead)
        keys, _ = self.trip_places(group)
        if not keys:
            return None
        if "Beijing" in keys:
            return "Beijing"
        mainland = [k for k in keys if gz.PLACES[k][2] == "CN"]
        return mainland[0] if mainland else keys[0]

    def place(self, key):
        if key not in self.places:
            name, city, country = gz.PLACES[key]
            latitude, longitude = gz.PLACE_COORDINATES[key]
            place, _ = Place.objects.get_or_create(
                name=name,
                city=city,
                country=country,
                defaults={"latitude": latitude, "longitude": longitude},
            )
            if place.latitude is None:  # made before coordinates were known
                place.latitude, place.longitude = latitude, longitude
                place.save(update_fields=["latitude", "longitude"])
            self.places[key] = place
        return self.places[key]

    # People ----------------------------------------------------------------------------

    def person(self, official):
        """Our Person for an official, created if new; known spellings added to its aliases."""
        if official.slug in self.people:
            return self.people[official.slug]
        person, created = Person.objects.get_or_create(
            slug=official.slug,
            defaults={
                "name": official.name,
                "name_zh": official.name_zh,
                "side": official.side,
                "aliases": "\n".join(official.aliases),
            },
        )
        if not created:
            known = set(person.aliases.splitlines())
            missing = [a for a in official.aliases if a not in known]
            if missing or (official.name_zh and not person.name_zh):
                person.aliases = "\n".join([*person.aliases.splitlines(), *missing]).strip()
                person.name_zh = person.name_zh or official.name_zh
                person.save()
        self.people[official.slug] = person
        return person

    def visitor_official(self, record):
        """(title, our name, Official or None) for a visit's "Title Name" visitor text."""
        title, name = gz.parse_visitor(record.visitor)
        official = gz.find_official(name)
        return title, official.name if official else name, official

    def visitor_person(self, record):
        title, name, official = self.visitor_official(record)
        if official is None:
            # The visitor is the record's subject, so they exist; but they are not in our
            # table, so report them for an editor to check.
            self.result.unmatched.append((record.external_id, record.visitor))
            official = gz.Official(make_slug(name), name, Side.PRC)
        return self.person(official), gz.VISITOR_TITLES[title][0] if title else ""

    def traveller_person(self, record):
        slug = gz.TRAVELLERS.get(record.who, (None,))[0]
        official = gz.OFFICIALS.get(slug) or gz.find_official(record.name)
        if official is None:
            self.result.unmatched.append((record.external_id, record.name))
            official = gz.Official(make_slug(record.name), record.name, Side.US)
        return self.person(official), gz.ROLE_OFFICES[record.role]

    # One record --------------------------------------------------------------------------

    def mentions(self, record):
        table = gz.TRIP_MENTIONS if record.kind == "trip" else gz.VISIT_MENTIONS
        return gz.match_names(record.text, record.start_date, table)

    def add_record(self, encounter, record, group, created):
        matches = self.mentions(record)
        self.result.unmatched += [(record.external_id, p) for p in matches.unmatched]
        note = self.source_note(record, group, matches)
        url = record.url
        if encounter.sources.filter(url=url).exists():
            # A record filed twice links to the same page: cite the page once.
            url, note = "", f"{note} Its page, {record.url}, is cited with the other record."
        source = Source.objects.create(
            encounter=encounter,
            kind=Source.Kind.DATASET,
            outlet=OUTLET,
            title=self.source_title(record),
            url=url,
            external_id=record.external_id,
            note=note,
        )
        if record.text:
            Quote.objects.create(
                encounter=encounter,
                text=record.text,
                speaker_description=f"The Office of the Historian's description (record "
                f"{record.external_id})",
                source=source,
                context=f"The Office's own description in record {record.external_id}, quoted "
                "as published (line breaks normalised); not the tracker's summary.",
                language=Quote.Language.ENGLISH,
            )
        if created:
            self.add_participants(encounter, record, group, matches)
        else:
            self.result.linked.append((encounter, record.external_id))
            self.compare_dates(encounter, record, source)
        self.record_corrections(encounter, record, source, group)
        self.record_misspellings(encounter, record, source, matches)
        self.result.imported.append(record.external_id)

    def add_participants(self, encounter, record, group, matches):
        if record.kind == "trip":
            person, office = self.traveller_person(record)
        else:
            person, office = self.visitor_person(record)
        start, end = record_dates(record)
        own = (start, end) != (encounter.start_date, encounter.end_date)
        self.participate(
            encounter,
            person,
            role=Participation.Role.VISITOR,
            office=office,
            order=group.records.index(record),
            start_date=start if own else None,
            end_date=end if own else None,
        )
        linked = [m for m in matches.matches if m.mention.link]
        for order, match in enumerate(linked):
            person = self.person(match.official)
            us_member = person.side == Side.US and record.kind == "trip"
            self.participate(
                encounter,
                person,
                role=Participation.Role.DELEGATION if us_member else Participation.Role.HOST,
                office=match.mention.office,
                order=order + len(group.records) if us_member else order,
            )

    @staticmethod
    def participate(encounter, person, **fields):
        Participation.objects.get_or_create(
            encounter=encounter, person=person, defaults={"side": person.side, **fields}
        )

    # The source's note ---------------------------------------------------------------------

    @staticmethod
    def source_title(record):
        dates = format_dates(record.start_date, record.end_date)
        if record.kind == "trip":
            who = "President" if record.role == "president" else "Secretary of State"
            return f"Travels abroad of the {who}: {record.name}, China, {dates}"
        return f"Visits by foreign leaders, {record.start_date.year}: {record.visitor}, {dates}"

    def source_note(self, record, group, matches):
        dates = format_dates(record.start_date, record.end_date)
        if record.kind == "trip":
            role = "President" if record.role == "president" else "Secretary of State"
            lines = [
                f"Record {record.external_id} as the Office gives it: {record.name} ({role}), "
                f"{dates}, locale “{record.locale}”."
            ]
            kept = [
                f"“{loc}” ({gz.LOCALES[loc]})"
                for loc in record.locales
                if loc in gz.LOCALES and gz.LOCALES[loc] != loc
            ]
            if kept:
                lines.append("Place names as the record spells them: " + ", ".join(kept) + ".")
            _, unknown = gz.trip_place_keys(record)
            if unknown:
                lines.append("Not placed: " + ", ".join(f"“{u}”" for u in unknown) + ".")
        else:
            lines = [
                f"Record {record.external_id} as the Office gives it: “{record.visitor}”, {dates}."
            ]
        named = [
            f"“{m.mention.phrase}” ({m.official.name})" for m in matches.matches if m.mention.link
        ]
        if named:
            lines.append("People named in the record: " + "; ".join(named) + ".")
        if matches.unmatched:
            lines.append(
                "Named but not matched to anyone in the tracker: "
                + "; ".join(f"“{p}”" for p in matches.unmatched)
                + "."
            )
        others = [i for i in group.ids if i != record.external_id]
        if others:
            lines.append(
                "The Office records this trip twice; merged here with " + ", ".join(others) + "."
            )
        if record.external_id in CORRECTIONS:
            lines.append("The dates are corrected on this page; see “Where sources disagree”.")
        return " ".join(lines)

    # Discrepancies ----------------------------------------------------------------------------

    def discrepancy(self, encounter, source, field, ours, theirs, note, our_source=None):
        values = {"our_value": ours, "note": note, "our_source": our_source}
        discrepancy, created = Discrepancy.objects.get_or_create(
            encounter=encounter, source=source, field=field, their_value=theirs, defaults=values
        )
        self.result.discrepancies += created
        if not created and README in discrepancy.note and discrepancy.note != note:
            # An earlier import's correction that cited only the project's own notes.
            for name, value in values.items():
                setattr(discrepancy, name, value)
            discrepancy.save()

    def compare_dates(self, encounter, record, source):
        """A record attached to a curated encounter: name both dates and their sources."""
        theirs = (record.start_date, record.end_date)
        ours = (encounter.start_date, encounter.end_date)
        if theirs == ours:
            return
        ours_text, theirs_text = format_dates(*ours), format_dates(*theirs)
        curated = list(encounter.sources.exclude(kind=Source.Kind.DATASET))
        cited = join_words(
            [
                f"{s.outlet} ({s.published_on.day} {s.published_on:%B %Y})"
                if s.published_on
                else s.outlet
                for s in curated
            ]
        )
        note = (
            f"The {OUTLET}'s record {record.external_id} dates this {theirs_text}. "
            f"The tracker gives {ours_text}" + (f", as reported by {cited}." if curated else ".")
        )
        self.discrepancy(
            encounter,
            source,
            Discrepancy.Field.DATES,
            ours_text,
            theirs_text,
            note,
            our_source=curated[0] if curated else None,
        )

    def record_corrections(self, encounter, record, source, group):
        correction = CORRECTIONS.get(record.external_id)
        if correction is None:
            return
        cited = self.external_source(encounter, correction.source)
        self.discrepancy(
            encounter,
            source,
            Discrepancy.Field.DATES,
            format_dates(*record_dates(record)),
            format_dates(record.start_date, record.end_date),
            correction.note + self.former_slug_note(group, record),
            our_source=cited,
        )

    def compare_with_lead(self, encounter, record, source, group):
        """A merged record that starts on another day than the President's arrival."""
        if record is group.lead or record_dates(record)[0] == encounter.start_date:
            return
        lead = group.lead
        role = "Secretary of State's" if record.role == "secretary" else "other"
        theirs = format_dates(*record_dates(record))
        ours = format_dates(encounter.start_date, encounter.end_date)
        note = (
            f"The Office files this trip twice. The {role} record {record.external_id} dates it "
            f"{theirs}; the tracker dates the visit from the President's arrival, as the "
            f"President's record {lead.external_id} gives it ({ours}). The Secretary's own "
            "dates are kept with their participation."
        )
        lead_source = Source.objects.filter(external_id=lead.external_id).first()
        self.discrepancy(
            encounter,
            source,
            Discrepancy.Field.DATES,
            ours,
            theirs,
            note + self.former_slug_note(group, record),
            our_source=lead_source,
        )

    @staticmethod
    def former_slug_note(group, record):
        former = FORMER_SLUGS.get(group.lead.external_id)
        if not former or record.start_date.isoformat() not in former:
            return ""
        return (
            f" Before the President's arrival was taken as the start, this page's permanent "
            f"address was /encounters/{former}/."
        )

    def record_misspellings(self, encounter, record, source, matches):
        for match in matches.matches:
            if not match.mention.misspelling:
                continue
            field, theirs, ours = match.mention.misspelling
            if field == Discrepancy.Field.PERSON_NAME:
                note = f"writes “{theirs}” (“{match.mention.phrase}”); the name is {ours}."
            else:
                note = f"gives {match.official.name}'s title as “{theirs}”; the title is “{ours}”."
            self.discrepancy(
                encounter,
                source,
                field,
                ours,
                theirs,
                f"The Office's record {record.external_id} {note} The record's wording is kept "
                "on the source.",
            )
        for theirs, ours in TEXT_ERRATA.get(record.external_id, []):
            if theirs in record.text:
                self.discrepancy(
                    encounter,
                    source,
                    Discrepancy.Field.OTHER,
                    ours,
                    theirs,
                    f"The Office's description in record {record.external_id}, quoted as "
                    f"published, says “{theirs}”; the name is “{ours}”.",
                )
        for locale in record.locales:
            if locale in gz.MISSPELT_LOCALES:
                ours = gz.MISSPELT_LOCALES[locale]
                self.discrepancy(
                    encounter,
                    source,
                    Discrepancy.Field.PLACE,
                    ours,
                    locale,
                    f"The Office's record {record.external_id} lists “{locale}” among the places "
                    f"visited; the city is {ours}.",
                )

    # Sessions ----------------------------------------------------------------------------------

    def link_sessions(self):
        """Make a curated meeting a session of the imported trip it took place in, when either
        record is imported by this run (so an editor who later unlinks them is not overruled)."""
        imported = set(self.result.imported)
        for slug, record_id in SESSIONS.items():
            linked_here = {r for r, target in CURATED_LINKS.items() if target == slug}
            if not imported & ({record_id} | linked_here):
                continue
            session = Encounter.objects.filter(slug=slug, parent__isnull=True).first()
            trip = Source.objects.filter(external_id=record_id).select_related("encounter").first()
            if session and trip and trip.encounter_id != session.pk:
                session.parent = trip.encounter
                session.save()


def import_records(records=None):
    return Importer().run(records)

"""Who and where the Office's records name, and how their wording maps to our people and places.

The Office names Chinese officials by title and surname ("Chairman Mao", "President Li"), in
Wade-Giles before 1979 ("Chou En-lai") and occasionally misspelt ("Xi Jingping"). A bare
surname is only unambiguous with the title and the date, so each mention below is a phrase as
the records write it, the person it means, the office it names, and the years the title
applied (generous bounds: they only tell apart e.g. "President Li" in 1984 (Li Xiannian) from
"Foreign Minister Li" in 2005 (Li Zhaoxing)). Misspellings are listed in the README of the data,
"Names, titles and spellings". Anything a record names that is not here is reported by
`manage.py hsg_report`, never guessed.
"""

import datetime
import re
from dataclasses import dataclass

from engagements.domain import leaders
from engagements.models import Side

PRC_PRESIDENT = "President of the People's Republic of China"
PREMIER = "Premier of the State Council"
US_PRESIDENT = "President of the United States"
SECRETARY_OF_STATE = "Secretary of State"
VICE_PREMIER = "Vice Premier of the State Council"


@dataclass(frozen=True)
class Official:
    slug: str
    name: str
    side: str
    name_zh: str = ""
    aliases: tuple = ()  # romanisations and misspellings found in the records


@dataclass(frozen=True)
class Mention:
    """A phrase in a record's text that names an official, valid between two dates."""

    phrase: str
    slug: str
    office: str
    start: datetime.date
    end: datetime.date
    link: bool = True  # False: recognised but not linked (a President named in a remark)
    # (field, the record's wording, ours) where the phrase is a misspelling worth recording.
    misspelling: tuple = ()


def d(year, month=1, day=1):
    return datetime.date(year, month, day)


OPEN = d(2100)

OFFICIALS = {
    o.slug: o
    for o in [
        # PRC officials named in the records.
        Official("mao-zedong", "Mao Zedong", Side.PRC, "毛泽东", ("Mao Tse-tung",)),
        Official("zhou-enlai", "Zhou Enlai", Side.PRC, "周恩来", ("Chou En-lai",)),
        Official("qiao-guanhua", "Qiao Guanhua", Side.PRC, "乔冠华", ("Chiao Kuan-hua",)),
        Official("deng-xiaoping", "Deng Xiaoping", Side.PRC, "邓小平", ("Teng Hsiao-ping",)),
        Official("hua-guofeng", "Hua Guofeng", Side.PRC, "华国锋", ("Hua Kuo-feng",)),
        Official("huang-hua", "Huang Hua", Side.PRC, "黄华"),
        Official("zhao-ziyang", "Zhao Ziyang", Side.PRC, "赵紫阳", ("Chao Tzu-yang",)),
        Official("li-xiannian", "Li Xiannian", Side.PRC, "李先念", ("Li Hsien-nien",)),
        Official("yang-shangkun", "Yang Shangkun", Side.PRC, "杨尚昆"),
        Official("li-peng", "Li Peng", Side.PRC, "李鹏"),
        Official("jiang-zemin", "Jiang Zemin", Side.PRC, "江泽民"),
        Official("zhu-rongji", "Zhu Rongji", Side.PRC, "朱镕基"),
        Official("hu-jintao", "Hu Jintao", Side.PRC, "胡锦涛"),
        Official("wen-jiabao", "Wen Jiabao", Side.PRC, "温家宝"),
        Official("wu-bangguo", "Wu Bangguo", Side.PRC, "吴邦国"),
        Official("li-zhaoxing", "Li Zhaoxing", Side.PRC, "李肇星"),
        Official("dai-bingguo", "Dai Bingguo", Side.PRC, "戴秉国"),
        Official("yang-jiechi", "Yang Jiechi", Side.PRC, "杨洁篪", ("Jang Jiechi",)),
        Official("xi-jinping", "Xi Jinping", Side.PRC, "习近平", ("Xi Jingping",)),
        Official("li-keqiang", "Li Keqiang", Side.PRC, "李克强", ("Li Liqiang",)),
        Official("wang-yi", "Wang Yi", Side.PRC, "王毅", ("Wang Li",)),
        Official("qin-gang", "Qin Gang", Side.PRC, "秦刚"),
        Official("liu-he", "Liu He", Side.PRC, "刘鹤"),
        # Counterparts the records omit, named by an external source (importer.ADDED_PARTICIPANTS).
        Official("qian-qichen", "Qian Qichen", Side.PRC, "钱其琛"),
        Official("wang-qishan", "Wang Qishan", Side.PRC, "王岐山"),
        Official("wang-yang", "Wang Yang", Side.PRC, "汪洋"),
        # US travellers (the Office's `who` slugs are mapped in TRAVELLERS) and hosts.
        Official("richard-nixon", "Richard Nixon", Side.US, aliases=("Richard M. Nixon",)),
        Official("gerald-ford", "Gerald Ford", Side.US, aliases=("Gerald R. Ford",)),
        Official("jimmy-carter", "Jimmy Carter", Side.US),
        Official("ronald-reagan", "Ronald Reagan", Side.US),
        Official("george-h-w-bush", "George H. W. Bush", Side.US, aliases=("George H.W. Bush",)),
        Official("bill-clinton", "Bill Clinton", Side.US, aliases=("William J. Clinton",)),
        Official("george-w-bush", "George W. Bush", Side.US),
        Official("barack-obama", "Barack Obama", Side.US),
        Official("donald-trump", "Donald Trump", Side.US, aliases=("Donald J. Trump",)),
        Official("joe-biden", "Joe Biden", Side.US),
        Official(
            "william-p-rogers", "William P. Rogers", Side.US, aliases=("William Pierce Rogers",)
        ),
        Official(
            "henry-kissinger",
            "Henry Kissinger",
            Side.US,
            aliases=("Henry A. (Heinz Alfred) Kissinger",),
        ),
        Official("cyrus-vance", "Cyrus Vance", Side.US, aliases=("Cyrus Roberts Vance",)),
        Official("alexander-haig", "Alexander Haig", Side.US, aliases=("Alexander Meigs Haig",)),
        Official("george-shultz", "George Shultz", Side.US, aliases=("George Pratt Shultz",)),
        Official("james-baker", "James Baker", Side.US, aliases=("James Addison Baker",)),
        Official(
            "warren-christopher",
            "Warren Christopher",
            Side.US,
            aliases=("Warren Minor Christopher",),
        ),
        Official(
            "madeleine-albright",
            "Madeleine Albright",
            Side.US,
            aliases=("Madeleine Korbel Albright",),
        ),
        Official("colin-powell", "Colin Powell", Side.US, aliases=("Colin Luther Powell",)),
        Official("condoleezza-rice", "Condoleezza Rice", Side.US),
        Official(
            "hillary-clinton", "Hillary Clinton", Side.US, aliases=("Hillary Rodham Clinton",)
        ),
        Official("john-kerry", "John Kerry", Side.US, aliases=("John Forbes Kerry",)),
        Official("rex-tillerson", "Rex Tillerson", Side.US, aliases=("Rex W. Tillerson",)),
        Official("mike-pompeo", "Mike Pompeo", Side.US, aliases=("Michael R. Pompeo",)),
        Official("antony-blinken", "Antony Blinken", Side.US, aliases=("Antony John Blinken",)),
        Official("jacob-lew", "Jacob Lew", Side.US, aliases=("Jacob J. Lew",)),
    ]
}

# The Office's traveller slug (trip/@who) -> (our person slug, short name for titles).
TRAVELLERS = {
    "nixon-richard-m": ("richard-nixon", "Nixon"),
    "ford-gerald-r": ("gerald-ford", "Ford"),
    "reagan-ronald": ("ronald-reagan", "Reagan"),
    "bush-george-h-w": ("george-h-w-bush", "George H. W. Bush"),
    "clinton-william-j": ("bill-clinton", "Bill Clinton"),
    "bush-george-w": ("george-w-bush", "George W. Bush"),
    "obama-barack": ("barack-obama", "Obama"),
    "trump-donald-j": ("donald-trump", "Trump"),
    "biden-joseph-r": ("joe-biden", "Biden"),
    "rogers-william-pierce": ("william-p-rogers", "Rogers"),
    "kissinger-henry-a": ("henry-kissinger", "Kissinger"),
    "vance-cyrus-roberts": ("cyrus-vance", "Vance"),
    "haig-alexander-meigs": ("alexander-haig", "Haig"),
    "shultz-george-pratt": ("george-shultz", "Shultz"),
    "baker-james-addison": ("james-baker", "Baker"),
    "christopher-warren-minor": ("warren-christopher", "Christopher"),
    "albright-madeleine-korbel": ("madeleine-albright", "Albright"),
    "powell-colin-luther": ("colin-powell", "Powell"),
    "rice-condoleezza": ("condoleezza-rice", "Rice"),
    "clinton-hillary-rodham": ("hillary-clinton", "Hillary Clinton"),
    "kerry-john-forbes": ("john-kerry", "Kerry"),
    "tillerson-rex-w": ("rex-tillerson", "Tillerson"),
    "pompeo-michael-r": ("mike-pompeo", "Pompeo"),
    "blinken-antony-j": ("antony-blinken", "Blinken"),
}

ROLE_OFFICES = {"president": US_PRESIDENT, "secretary": SECRETARY_OF_STATE}

M = Mention
FM = "Foreign Minister"
CCP_CHAIRMAN = "Chairman of the Chinese Communist Party"
CFAC = "Director of the Office of the Central Foreign Affairs Commission and Foreign Minister"

# Phrases in trip remarks: Chinese officials met (linked as hosts), a US cabinet member who
# travelled with the Secretary (delegation), and Presidents (recognised, linked by the merge).
TRIP_MENTIONS = [
    M("Chairman Mao Tse-tung", "mao-zedong", CCP_CHAIRMAN, d(1949), d(1976, 9, 9)),
    M("Chairman Mao", "mao-zedong", CCP_CHAIRMAN, d(1949), d(1976, 9, 9)),
    M("Premier Chou En-lai", "zhou-enlai", PREMIER, d(1949), d(1976, 1, 8)),
    M("Foreign Minister Chiao", "qiao-guanhua", FM, d(1974), d(1976, 12, 31)),
    M("Vice Premier Teng Hsiao-ping", "deng-xiaoping", VICE_PREMIER, d(1973), d(1980)),
    M(
        "Chairman Deng",
        "deng-xiaoping",
        "Chairman of the Central Military Commission",
        d(1981),
        d(1989, 11, 9),
    ),
    M("Chairman Hua", "hua-guofeng", CCP_CHAIRMAN, d(1976, 10), d(1981, 6, 28)),
    M("Foreign Minister Huang", "huang-hua", FM, d(1976), d(1982, 11)),
    M("Premier Zhao", "zhao-ziyang", PREMIER, d(1980, 9), d(1987, 11)),
    M("President Li", "li-xiannian", PRC_PRESIDENT, d(1983, 6), d(1988, 4)),
    M("President Yang", "yang-shangkun", PRC_PRESIDENT, d(1988, 4), d(1993, 3)),
    M("Prime Minister Li", "li-peng", PREMIER, d(1987, 11), d(1998, 3)),
    M("President Jiang Zemin", "jiang-zemin", PRC_PRESIDENT, d(1993, 3), d(2003, 3)),
    M("President Jiang", "jiang-zemin", PRC_PRESIDENT, d(1993, 3), d(2003, 3)),
    M("Premier Zhu", "zhu-rongji", PREMIER, d(1998, 3), d(2003, 3)),
    M("President Hu", "hu-jintao", PRC_PRESIDENT, d(2003, 3), d(2013, 3)),
    M("President Hu Jintao", "hu-jintao", PRC_PRESIDENT, d(2003, 3), d(2013, 3)),
    M("Premier Wen Jiabao", "wen-jiabao", PREMIER, d(2003, 3), d(2013, 3)),
    M("Premier Wen", "wen-jiabao", PREMIER, d(2003, 3), d(2013, 3)),
    M("Prime Minister Wen", "wen-jiabao", PREMIER, d(2003, 3), d(2013, 3)),
    M(
        "National People’s Congress Chairman Wu",
        "wu-bangguo",
        "Chairman of the Standing Committee of the National People's Congress",
        d(2003, 3),
        d(2013, 3),
    ),
    M("Foreign Minister Li", "li-zhaoxing", FM, d(2003, 3), d(2007, 4)),
    M("Foreign Minister Yang Jiechi", "yang-jiechi", FM, d(2007, 4), d(2013, 3)),
    M("Foreign Minister Yang", "yang-jiechi", FM, d(2007, 4), d(2013, 3)),
    M("State Councilor Dai Bingguo", "dai-bingguo", "State Councilor", d(2008, 3), d(2013, 3)),
    M("State Councilor Yang Jiechi", "yang-jiechi", "State Councilor", d(2013, 3), d(2018, 3)),
    M(
        "State Counselor Yang Jiechi",
        "yang-jiechi",
        "State Councilor",
        d(2013, 3),
        d(2018, 3),
        misspelling=("office", "State Counselor", "State Councilor"),
    ),
    M(
        "State Councilor Jang Jiechi",
        "yang-jiechi",
        "State Councilor",
        d(2013, 3),
        d(2018, 3),
        misspelling=("person_name", "Jang Jiechi", "Yang Jiechi"),
    ),
    M("President Xi Jinping", "xi-jinping", PRC_PRESIDENT, d(2013, 3), OPEN),
    M(
        "President Xi Jingping",
        "xi-jinping",
        PRC_PRESIDENT,
        d(2013, 3),
        OPEN,
        misspelling=("person_name", "Xi Jingping", "Xi Jinping"),
    ),
    M("Xi Jinping", "xi-jinping", PRC_PRESIDENT, d(2013, 3), OPEN),
    M("Premier Li Keqiang", "li-keqiang", PREMIER, d(2013, 3), d(2023, 3)),
    M(
        "Premier Li Liqiang",
        "li-keqiang",
        PREMIER,
        d(2013, 3),
        d(2023, 3),
        misspelling=("person_name", "Li Liqiang", "Li Keqiang"),
    ),
    M("Foreign Minister Wang Yi", "wang-yi", FM, d(2013, 3), d(2022, 12, 30)),
    M(
        "Foreign Minister Wang Li",
        "wang-yi",
        FM,
        d(2013, 3),
        d(2022, 12, 30),
        misspelling=("person_name", "Wang Li", "Wang Yi"),
    ),
    M(
        "Director of the Chinese Communist Party Central Foreign Affairs Commission and "
        "Foreign Minister Wang Yi",
        "wang-yi",
        CFAC,
        d(2023, 7, 25),
        OPEN,
    ),
    M("Foreign Minister Qin Gang", "qin-gang", FM, d(2022, 12, 30), d(2023, 7, 25)),
    M(
        "Treasury Secretary Jacob J. Lew",
        "jacob-lew",
        "Secretary of the Treasury",
        d(2013, 2),
        d(2017, 1, 20),
    ),
]

# Presidents, by the name the records use ("President Bush" for either Bush) and their terms,
# which come from the one table of leaders' terms (engagements/domain/leaders.py). In a visit's
# description they are the US counterpart the visitor met (linked as host); in a trip's remarks
# ("Accompanied President Nixon") they are recognised only, since the President's own record is
# merged in.
PRESIDENT_TERMS = [
    (f"President {term.name.split()[-1]}", term.person, term.start, term.end or OPEN)
    for term in leaders.US_PRESIDENTS
]
VISIT_MENTIONS = [M(p, slug, US_PRESIDENT, s, e) for p, slug, s, e in PRESIDENT_TERMS]
TRIP_MENTIONS += [M(p, slug, US_PRESIDENT, s, e, link=False) for p, slug, s, e in PRESIDENT_TERMS]

# A visitor is "Title Name": the title gives the office and the encounter's level. Heads of
# state and of government (President, Premier, which the Office sometimes calls "Prime
# Minister") are leaders; vice premiers are of cabinet / Politburo rank.
VISITOR_TITLES = {
    "Vice Premier": (VICE_PREMIER, "cabinet"),
    "Prime Minister": (PREMIER, "leader"),
    "Premier": (PREMIER, "leader"),
    "President": (PRC_PRESIDENT, "leader"),
}

# Phrases that look like a title and a name, to find names the tables above do not know.
TITLED_NAME = re.compile(
    r"\b(?:Chairman|Vice Premier|Premier|Prime Minister|President|Foreign Minister|"
    r"State Councilor|State Counselor|Secretary|Prince|Minister|Ambassador)"
    r"(?: [A-Z][\w’'.-]*)+"
)


@dataclass(frozen=True)
class Match:
    mention: Mention
    start: int
    end: int

    @property
    def official(self):
        return OFFICIALS[self.mention.slug]


@dataclass(frozen=True)
class TextMatches:
    matches: list
    unmatched: list  # phrases like "Prince Sihanouk" that name no one we know


def match_names(text, date, mentions):
    """Find the officials a record's text names, longest phrase first, without overlaps."""
    taken = []
    matches = []
    for mention in sorted(mentions, key=lambda m: -len(m.phrase)):
        if not mention.start <= date <= mention.end:
            continue
        pattern = r"(?<!\w)" + re.escape(mention.phrase) + r"(?!\w)"
        for found in re.finditer(pattern, text):
            span = found.span()
            if any(span[0] < end and start < span[1] for start, end in taken):
                continue
            taken.append(span)
            matches.append(Match(mention, *span))
    matches.sort(key=lambda m: m.start)
    unmatched = [
        found.group(0).rstrip(".")
        for found in TITLED_NAME.finditer(text)
        if not any(found.start() < end and start < found.end() for start, end in taken)
    ]
    return TextMatches(matches, unmatched)


def parse_visitor(visitor):
    """Split "Vice Premier Deng Xiaoping" into (title, name); title "" if none is known."""
    for title in sorted(VISITOR_TITLES, key=len, reverse=True):
        if visitor.startswith(title + " "):
            return title, visitor[len(title) + 1 :].strip()
    return "", visitor


def find_official(name):
    """Our person for a full name as written, by name or alias (case-insensitive)."""
    key = name.casefold()
    for official in OFFICIALS.values():
        if key == official.name.casefold() or key in {a.casefold() for a in official.aliases}:
            return official
    return None


# Places. The records' locales keep the spelling of the time; the Place is the modern name.
# (name, city, ISO country) of each place we create or reuse.
PLACES = {
    "Beijing": ("Beijing", "Beijing", "CN"),
    "Shanghai": ("Shanghai", "Shanghai", "CN"),
    "Hangzhou": ("Hangzhou", "Hangzhou", "CN"),
    "Suzhou": ("Suzhou", "Suzhou", "CN"),
    "Xi'an": ("Xi'an", "Xi'an", "CN"),
    "Guilin": ("Guilin", "Guilin", "CN"),
    "Dalian": ("Dalian", "Dalian", "CN"),
    "Qufu": ("Qufu", "Qufu", "CN"),
    "Chengdu": ("Chengdu", "Chengdu", "CN"),
    "Shenzhen": ("Shenzhen", "Shenzhen", "CN"),
    "Hainan": ("Hainan", "", "CN"),  # the province; the record names no city
    "Hong Kong": ("Hong Kong", "Hong Kong", "HK"),
    "New York": ("New York", "New York", "US"),
    "Rancho Mirage": ("Rancho Mirage", "Rancho Mirage", "US"),
    "Mar-a-Lago": ("Mar-a-Lago", "Palm Beach", "US"),
    "Crawford": ("Crawford", "Crawford", "US"),
    "Pittsburgh": ("Pittsburgh", "Pittsburgh", "US"),
    "San Francisco": ("San Francisco", "San Francisco", "US"),
    "Honolulu": ("Honolulu", "Honolulu", "US"),
    "Seattle": ("Seattle", "Seattle", "US"),
}

# City-centre coordinates (latitude, longitude) of each place above, as a gazetteer of cities
# gives them (GeoNames' city entries, CC BY 4.0, geonames.org): they place the city on the map,
# not a building. Hainan, a province the records name without a city, is placed at its capital,
# Haikou; Mar-a-Lago at the estate in Palm Beach. Existing rows get them from migration
# 0010_place_coordinates.
PLACE_COORDINATES = {
    "Beijing": ("39.907500", "116.397230"),
    "Shanghai": ("31.222220", "121.458060"),
    "Hangzhou": ("30.293650", "120.161420"),
    "Suzhou": ("31.304080", "120.595380"),
    "Xi'an": ("34.258330", "108.928610"),
    "Guilin": ("25.281940", "110.286390"),
    "Dalian": ("38.912220", "121.602220"),
    "Qufu": ("35.596670", "116.991110"),
    "Chengdu": ("30.666670", "104.066670"),
    "Shenzhen": ("22.545540", "114.068300"),
    "Hainan": ("20.045830", "110.341670"),
    "Hong Kong": ("22.278320", "114.174690"),
    "New York": ("40.714270", "-74.005970"),
    "Rancho Mirage": ("33.739740", "-116.412790"),
    "Mar-a-Lago": ("26.677050", "-80.036970"),
    "Crawford": ("31.534330", "-97.443900"),
    "Pittsburgh": ("40.440620", "-79.995890"),
    "San Francisco": ("37.774930", "-122.419420"),
    "Honolulu": ("21.306940", "-157.858330"),
    "Seattle": ("47.606210", "-122.332070"),
}

# Locale as written -> our place key. Wade-Giles and older spellings are kept on the source.
LOCALES = {
    "Peking": "Beijing",
    "Beijing": "Beijing",
    "Shanghai": "Shanghai",
    "Hangchow": "Hangzhou",
    "Hangzhou": "Hangzhou",
    "Soochow": "Suzhou",
    "Xian": "Xi'an",
    "Guilin": "Guilin",
    "Guelin": "Guilin",
    "Dalian": "Dalian",
    "Qufu": "Qufu",
    "Chengdu": "Chengdu",
    "Shenzhen": "Shenzhen",
    "Hainan": "Hainan",
    "Hong Kong": "Hong Kong",
}
# Locales that are misspellings rather than the spelling of their time (README, item 5).
MISSPELT_LOCALES = {"Guelin": "Guilin"}

# Where a visit took place, only when its description says so ("at Rancho Mirage"). Phrases
# are chosen so that a stop on the way ("Arrived in Seattle") is not taken for the venue.
VISIT_PLACES = {
    "in New York City": "New York",
    "at Rancho Mirage": "Rancho Mirage",
    "at Mar-a-Lago": "Mar-a-Lago",
    "at Crawford, Texas": "Crawford",
    "in Pittsburgh": "Pittsburgh",
    "at San Francisco": "San Francisco",
    "at Honolulu": "Honolulu",
    "meeting in Seattle": "Seattle",
}


def trip_place_keys(record):
    """(place keys in the record's order, locales we could not place)."""
    keys, unknown = [], []
    for locale in record.locales:
        key = LOCALES.get(locale)
        if key is None:
            unknown.append(locale)
        elif key not in keys:
            keys.append(key)
    return keys, unknown


def visit_place_key(record):
    for phrase, key in VISIT_PLACES.items():
        if phrase in record.text:
            return key
    return None


def office_terms():
    """(person slug, office, start, end or None, note) for each office the tables date.

    Presidents' terms are exact; a mention's years are the generous bounds within which the
    records use that title (enough to tell a title held from one not yet or no longer held).
    """
    terms = {}
    # Both presidencies' terms from the one table of them (the seed loader writes the same rows).
    for slug, office, start, end, note in leaders.office_terms():
        terms[(slug, office, start)] = (end, note)
    for mention in TRIP_MENTIONS:
        if mention.office in leaders.PRESIDENCIES:
            continue
        if mention.link and (mention.slug, mention.office, mention.start) not in terms:
            terms[(mention.slug, mention.office, mention.start)] = (
                mention.end if mention.end != OPEN else None,
                "Years within which the Office's records use this title (engagements/hsg/"
                "gazetteer.py); the bounds are generous, not the exact term.",
            )
    return [
        (slug, office, start, end, note) for (slug, office, start), (end, note) in terms.items()
    ]

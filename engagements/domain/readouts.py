"""Reading an official readout: what it says about the encounter, each value beside its words.

`parse_readout(text, url="", people=None)` proposes, from a readout pasted in Chinese or
English and its address: the side and issuing body, the language, the readout's own date, the
kind of encounter, the date the text gives for it with the time of day, both capitals' dates
where that time of day fixes them, the principals (matched to People where the directory knows
them, with the office as written), who asked for it and the topics. Every value carries the
words it was read from; a value the text does not support is None ("unknown"), never a guess.

The rules are general, not tuned to particular readouts:

- Initiator: the side that "spoke 应约 / at request / at the request of the latter" answered a
  request, so the other side asked; "应X邀请/请求" and "at the invitation/request of X" name the
  side that asked; "X called Y", "X致电Y" and "Y接到X来电" mean X's side asked. A readout saying
  only that two leaders "spoke" or "通电话" leaves it unknown.
- Dates: a PRC readout dates a call in Beijing time and a US readout in Washington time; a
  meeting is dated where it took place (北京, 华盛顿, "in Beijing", "at the White House"; 当地时间
  and other places leave the zone unknown). The other capital's date is given only when the
  time of day (上午, 晚, "Thursday evening", "this morning") falls on one date there for the whole
  window (engagements/domain/capitals.py zones), so an afternoon in Beijing in winter, which
  may be either day in Washington, stays unknown.

The parser reads no database: the People directory is passed in (`Directory.from_people`), or
defaults to the renderings table (engagements/domain/readout_names.py).
"""

import datetime
import functools
import re
import unicodedata
import zoneinfo
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from engagements.domain.capitals import BEIJING, WASHINGTON
from engagements.domain.readout_names import RENDERINGS, record_office

# The longest paste the intake reads: a readout runs to a few thousand characters; a full
# transcript to some tens of thousands. Anything longer is not one readout.
MAX_TEXT_CHARS = 60_000
MAX_URL_CHARS = 500
US, PRC = "us", "prc"
PHONE, VIDEO, MEETING, TALKS, SIDELINE = (
    "phone_call",
    "video_call",
    "meeting",
    "talks",
    "summit_sideline",
)


class ReadoutError(ValueError):
    """Input the intake cannot read as a readout; the message says why, for the editor."""


@dataclass(frozen=True)
class Found:
    """A proposed value and the words of the readout it comes from (None: unknown)."""

    value: object = None
    words: str = ""

    @property
    def known(self):
        return self.value is not None

    def as_json(self):
        value = self.value.isoformat() if hasattr(self.value, "isoformat") else self.value
        return {"value": value, "words": self.words}


UNKNOWN = Found()


@dataclass(frozen=True)
class Principal:
    side: str
    name: str  # as written
    office: str  # as written, "" when the text gives none
    person: str = ""  # the People slug, "" when the directory does not know them
    person_id: int | None = None
    words: str = ""
    start: int = 0  # where the name stands in the text

    @property
    def key(self):
        return self.person or self.name

    def as_json(self):
        return {
            "side": self.side,
            "name": self.name,
            "office": self.office,
            "record_office": record_office(self.side, self.office) or None,
            "person": self.person or None,
            "words": self.words,
        }


@dataclass
class Proposal:
    side: Found = UNKNOWN
    issuer: Found = UNKNOWN
    language: Found = UNKNOWN
    title: str = ""
    issued_on: Found = UNKNOWN
    kind: Found = UNKNOWN
    stated_date: Found = UNKNOWN  # the date the text gives for the encounter
    date_zone: str = ""  # the zone that date is in ("" when the text does not fix it)
    time_of_day: Found = UNKNOWN
    washington_date: Found = UNKNOWN
    beijing_date: Found = UNKNOWN
    principals: list = field(default_factory=list)
    initiated_by: Found = UNKNOWN
    topics: list = field(default_factory=list)
    url: str = ""

    @property
    def is_remote(self):
        return self.kind.value in (PHONE, VIDEO)

    @property
    def start_date(self):
        """The encounter's date in its own calendar: Washington's for a call, else local."""
        if self.is_remote:
            return self.washington_date
        return self.stated_date

    @property
    def other_capital_date(self):
        """The capital date of the other government than the readout's."""
        if self.side.value == PRC:
            return self.washington_date
        if self.side.value == US:
            return self.beijing_date
        return UNKNOWN

    def principals_on(self, side):
        return [p for p in self.principals if p.side == side]

    def as_json(self):
        return {
            "url": self.url,
            "side": self.side.as_json(),
            "issuer": self.issuer.as_json(),
            "language": self.language.as_json(),
            "title": self.title,
            "issued_on": self.issued_on.as_json(),
            "kind": self.kind.as_json(),
            "stated_date": {**self.stated_date.as_json(), "zone": self.date_zone or None},
            "time_of_day": self.time_of_day.as_json(),
            "start_date": self.start_date.as_json(),
            "washington_date": self.washington_date.as_json(),
            "beijing_date": self.beijing_date.as_json(),
            "principals": [p.as_json() for p in self.principals],
            "initiated_by": self.initiated_by.as_json(),
            "topics": [t.as_json() for t in self.topics],
        }


# --- Input ---------------------------------------------------------------------------------


def check_url(url):
    """The address, stripped, or ReadoutError when it is not a web address."""
    url = (url or "").strip()
    if not url:
        return ""
    if len(url) > MAX_URL_CHARS:
        raise ReadoutError(f"The address is longer than {MAX_URL_CHARS} characters.")
    parts = urlsplit(url)
    if (
        parts.scheme not in ("http", "https")
        or "." not in (parts.hostname or "")
        or re.search(r"\s", url)
    ):
        raise ReadoutError(
            "The address is not a web address: give the readout's http:// or https:// address "
            "(e.g. https://www.fmprc.gov.cn/…), or leave it empty."
        )
    return url


HAN = re.compile(r"[\u3400-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def detect_language(text):
    """("zh" | "en", None) or (None, problem): by the share of Han characters and Latin words.

    An English word carries about as much as two or three characters; a text where the minority
    language holds a fifth of the content is two texts, not one readout with a name in the
    other script."""
    han = len(HAN.findall(text))
    words = len(LATIN_WORD.findall(text))
    zh_units, en_units = han, words * 2.5
    total = zh_units + en_units
    if total == 0:
        return None, "The text has no words in Chinese or English."
    minority = min(zh_units, en_units) / total
    if han >= 40 and words >= 20 and minority >= 0.2:
        return None, (
            "The text mixes Chinese and English: paste one readout in one language (the "
            "Chinese and the English readouts are two sources; add them one at a time)."
        )
    return ("zh" if zh_units > en_units else "en"), None


def check_text(text):
    """The text, normalised, or ReadoutError when it is empty, too long or two languages."""
    text = (text or "").strip()
    if not text:
        raise ReadoutError("Paste the text of the readout.")
    if len(text) > MAX_TEXT_CHARS:
        raise ReadoutError(
            f"The text has {len(text):,} characters; a readout is at most {MAX_TEXT_CHARS:,}. "
            "Paste one readout, not a page or a collection."
        )
    return text


# Traditional characters that readouts from Hong Kong, Taiwan and overseas copies use, mapped
# one to one onto simplified ones so the same rules read both (evidence is quoted as written).
TRADITIONAL = str.maketrans(
    "國團總統習濤錦應約電話視頻會見談長務華軍東鳳馬奧爾蘭雙關係與們對達區時間問題經貿財黨員頓楊潔劉鶴倫門訪舉進請衛裡裏線網報導據評號灣氣變鮮島義烏亞歐盧戰爭擊龍鄧賴聯陸萬漢濟鋼寧邊處發態勢雲薩資產業麼獨體蘇紐託顧鄭過還這個於為將後從點當聽說説講認識讓議設協調溝屆稱愛盤蓋羅賓遜貝鮑舊盛釣魚臺晉夥謝鋒韓強萊頒維鄰錢琛溫寶鎔邁剛蔣錄記開織緊張貸權結規傳蓬學",
    "国团总统习涛锦应约电话视频会见谈长务华军东凤马奥尔兰双关系与们对达区时间问题经贸财党员顿杨洁刘鹤伦门访举进请卫里里线网报导据评号湾气变鲜岛义乌亚欧卢战争击龙邓赖联陆万汉济钢宁边处发态势云萨资产业么独体苏纽托顾郑过还这个于为将后从点当听说说讲认识让议设协调沟届称爱盘盖罗宾逊贝鲍旧盛钓鱼台晋伙谢锋韩强莱颁维邻钱琛温宝镕迈刚蒋录记开织紧张贷权结规传蓬学",
)


def simplified(text):
    return text.translate(TRADITIONAL)


# --- People ----------------------------------------------------------------------------------


@dataclass
class Entry:
    slug: str
    name: str
    side: str
    zh: set = field(default_factory=set)
    en: set = field(default_factory=set)
    years: tuple = ()
    pk: int | None = None


class Directory:
    """The people a readout may name: People rows (with their Chinese names and aliases) and the
    renderings table (engagements/domain/readout_names.py)."""

    def __init__(self, entries):
        self.entries = list(entries)
        self._zh = self._en = None

    @classmethod
    def from_people(cls, people, include_table=True):
        """people: objects or dicts with slug, name, name_zh, aliases, side (and pk)."""
        entries = {}
        for person in people:
            get = (
                person.get if isinstance(person, dict) else (lambda k, p=person: getattr(p, k, ""))
            )
            aliases = get("aliases") or ""
            if isinstance(aliases, str):
                aliases = [a.strip() for a in aliases.splitlines() if a.strip()]
            entry = Entry(get("slug"), get("name"), get("side"), pk=get("pk") or None)
            for name in [get("name"), *aliases]:
                (entry.zh if HAN.search(name) else entry.en).add(name)
            if get("name_zh"):
                entry.zh.add(simplified(get("name_zh")))
            entries[entry.slug] = entry
        for rendering in RENDERINGS:
            entry = entries.get(rendering.slug)
            if entry is None:
                if not include_table:
                    continue
                entry = entries[rendering.slug] = Entry(
                    rendering.slug, rendering.name, rendering.side, en={rendering.name}
                )
            entry.zh.update(rendering.zh)
            entry.en.update(rendering.en)
            entry.years = rendering.years
        return cls(entries.values())

    @classmethod
    def table_only(cls):
        return cls.from_people([])

    def chinese_names(self):
        """{rendering: [entries]}, longest first."""
        if self._zh is None:
            names = {}
            for entry in self.entries:
                for name in entry.zh:
                    names.setdefault(name, []).append(entry)
            self._zh = dict(sorted(names.items(), key=lambda item: -len(item[0])))
        return self._zh

    def english_patterns(self):
        """(entry, spelling, compiled pattern) for every English spelling, compiled once."""
        if self._en is None:
            self._en = [
                (entry, variant, pattern)
                for entry in self.entries
                for variant in entry.en
                for pattern in [compiled_name(variant)]
                if pattern
            ]
        return self._en

    @staticmethod
    def pick(entries, year):
        """The one entry a name means in `year`, or None when it stays ambiguous."""
        if len(entries) == 1:
            return entries[0]
        dated = [e for e in entries if e.years and year and e.years[0] <= year <= e.years[1]]
        return dated[0] if len(dated) == 1 else None


@functools.lru_cache(maxsize=4096)
def compiled_name(name):
    """english_pattern compiled, kept across readouts (the intake reads People per request)."""
    pattern = english_pattern(name)
    return re.compile(pattern) if pattern else None


def english_pattern(name):
    """A name as readouts write it: middle initials, "Jr." and "III" allowed."""
    tokens = re.findall(r"[A-Za-z][A-Za-z'\-]*\.?", name)
    if len(tokens) < 2:
        return None
    first, last = tokens[0], tokens[-1]
    middle = [re.escape(t) for t in tokens[1:-1]]
    middle_part = r"(?:\s+" + r"\s*".join(middle) + ")?" if middle else ""
    return (
        r"\b"
        + re.escape(first)
        + middle_part
        + r"(?:\s+[A-Z]\.)*\s+"
        + re.escape(last)
        + r"\b(?:,?\s+(?:Jr\.|Sr\.|III|II)(?![A-Za-z]))?"
    )


# --- Offices and words -------------------------------------------------------------------------

ZH_US_MARKERS = ("美国", "美方", "美")
ZH_OFFICE_WORDS = (
    "总统", "副总统", "国务卿", "部长", "部部长", "代表", "助理", "顾问", "特使", "大使", "主席",
    "总理", "副总理", "国务委员", "外长", "主任", "委员", "书记", "牵头人", "委员长", "司令",
)  # fmt: skip
ZH_STOP = set(
    "应同与和在会通举进表说时及、，,。；：:（()视电并就于对也当共再又等将已向率一今昨日晚上下午凌晨月年"
)

EN_PRC_MARKERS = re.compile(
    r"\b(?:PRC|People's Republic of China|People’s Republic of China|Chinese|China's|China’s|"
    r"CCP|CPC|Vice Premier|Premier|State Councilor|State Chairman|Politburo)\b"
)
EN_US_MARKERS = re.compile(
    r"\b(?:U\.S\.|US|United States|American|Secretary of State|Secretary of (?:the )?Treasury|"
    r"Secretary of Defense|Secretary of War|Secretary of Commerce|Trade Representative|"
    r"National Security Advis[eo]r|Vice President)\b"
)
# A country named to qualify the other government ("U.S. President", "of China"); a people
# ("the Chinese people", "美国人民") is named by either side's readout and tells neither.
EN_US_NAMED = re.compile(r"U\.S\.|\bUS\b|United States|American(?! people)")
EN_PRC_NAMED = re.compile(
    r"\bPRC\b|People's Republic of China|People’s Republic of China|Chinese(?! people)|"
    r"\bChina\b"
)
ZH_US_NAMED = re.compile(r"美国(?!人民)|美方")
ZH_PRC_NAMED = re.compile(r"中国(?!人民)|中方|中华人民共和国")
EN_TITLES = (
    r"President|Vice President|Secretary|Ambassador|Director|Minister|Vice Premier|Premier|"
    r"State Councilor|Chairman|General|Admiral|Gen\.|Adm\.|Mr\.|Ms\.|Mrs\.|Special Envoy|Envoy"
)

TITLED_SURNAME = re.compile(r"\b(?:" + EN_TITLES + r")\s+([A-Z][a-z]+)\b")
KIND_WORDS_ZH = [
    (VIDEO, re.compile(r"视频(?:通话|会晤|会议|会见|会谈|连线|方式)?|视讯|视像")),
    (PHONE, re.compile(r"通了?电话|通话|电话")),
    (TALKS, re.compile(r"会谈|磋商|战略沟通")),
    (MEETING, re.compile(r"会见|会晤|会面|见面|接见|交谈")),
]
KIND_WORDS_EN = [
    (
        VIDEO,
        re.compile(
            r"video ?(?:call|conference|teleconference|link|meeting|summit|chat)|videoconference|"
            r"virtual(?:ly)? (?:meeting|call|summit|conversation)|met virtually|by video|"
            r"held a virtual",
            re.I,
        ),
    ),
    (
        PHONE,
        re.compile(
            r"tele ?phone|phone call|by phone|on the phone|over (?:the )?phone|"
            r"spoke (?:\w+ ){0,3}with|spoke (?:by phone )?to (?=[A-Z]|the |his |her )|"
            r"held a call|a call with|\bcalled\b(?! for| on| upon)|phone conversation|"
            r"talked by phone|\bcall\b(?! for| on)|spoke (?:today|yesterday|last night|tonight)\b",
            re.I,
        ),
    ),
    (TALKS, re.compile(r"held talks|\btalks\b|\bdialogue\b|strategic communication", re.I)),
    (MEETING, re.compile(r"\bmet\b|\bmeet(?:s|ing)?\b|\bhosted\b|bilateral", re.I)),
]
EN_VERBS = re.compile(r"\b(?:met|meets|spoke|held|hosted|called|talked|discussed|exchanged|had)\b")
# Where an English event sentence turns from who met to why and what came before.
CONTEXT_TURN = re.compile(
    r"\b(?:as a follow-up|following|after|ahead of|building on|to build on|to discuss|"
    r"to exchange|to advance|"
    r"about|regarding|on the occasion|in order|for an?|to follow)\b|;"
)
SIDELINE_WORDS = re.compile(
    r"on the (?:margins|sidelines) of|(?:峰会|会议|联大|对话会|年会|论坛|大会)期间|"
    r"出席[^。，,]{2,40}期间|while (?:attending|in \w+ for) the|"
    r"during the [^.;]{0,60}(?:Summit|Leaders' Meeting|Leaders’ Meeting|Ministerial)",
    re.I,
)

# The multilateral gatherings whose margins host bilateral meetings: a meeting in a readout
# whose opening names one was held on its sidelines.
MULTILATERAL = re.compile(
    r"\bG-?20\b|Group of (?:20|Twenty)|\bAPEC\b|Asia-Pacific Economic Cooperation|\bASEAN\b|"
    r"East Asia Summit|Nuclear Security Summit|General Assembly|\bCOP\s?\d{2}\b|"
    r"Climate Change Conference|Security Conference|Shangri-La Dialogue|\bADMM\b|"
    r"二十国集团|亚太经合组织|亚太经济合作组织|东盟|东亚峰会|核安全峰会|联合国大会|联大|"
    r"气候变化大会|安全会议|香格里拉对话|防长扩大会"
)
OPENING_SENTENCES = 3


# --- Sentences -------------------------------------------------------------------------------

EN_ABBREVIATIONS = re.compile(
    r"(?:\b[A-Z]|Mr|Mrs|Ms|Dr|St|Jr|Sr|Gen|Adm|No|Sen|Rep|Lt|Col|Maj|Brig|Sgt|Jan|Feb|Mar|Apr|"
    r"Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|U\.S|U\.N|p\.m|a\.m)$"
)


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int


def sentences(text):
    """The text cut into sentences (offsets kept): at line breaks, 。！？ and English full stops
    that end a sentence (not "J." in "Antony J. Blinken", nor "U.S.")."""
    pieces, start = [], 0
    for match in re.finditer(r"\n+|[。！？!?]|\.(?=[\s\"”’]|$)", text):
        end = match.end()
        if match.group(0) == ".":
            before = text[max(0, match.start() - 6) : match.start()]
            if EN_ABBREVIATIONS.search(before):
                continue
        pieces.append(Sentence(text[start:end], start))
        start = end
    if start < len(text):
        pieces.append(Sentence(text[start:], start))
    return [s for s in pieces if s.text.strip()]


# --- Dates -----------------------------------------------------------------------------------

MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for m in names
}  # fmt: skip
MONTH_RE = (
    r"(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAY_RE = r"(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"

EN_FULL_DATE = re.compile(MONTH_RE + r"\s+(\d{1,2})(?:\s*[-–]\s*\d{1,2})?,?\s+(\d{4})", re.I)
EN_DAY_MONTH_YEAR = re.compile(r"\b(\d{1,2})\s+" + MONTH_RE + r",?\s+(\d{4})", re.I)
EN_MONTH_DAY = re.compile(
    r"\b" + MONTH_RE + r"\s+(\d{1,2})(?:\s*[-–]\s*(\d{1,2}))?\b(?!,?\s+\d{4})", re.I
)
ISO_DATE = re.compile(r"(?<!\d)(\d{4})[-./](\d{1,2})[-./](\d{1,2})(?!\d)")
US_NUMERIC = re.compile(r"(?<!\d)(\d{1,2})/(\d{1,2})/(\d{4})(?!\d)")
# Days, months and years in figures or in Chinese numerals (七月九日, 一九九六年).
ZH_NUM = r"(\d{1,2}|[一二三四五六七八九十]{1,3})"
ZH_YEAR = r"(\d{4}|[〇零一二三四五六七八九]{4})"
ZH_FULL = re.compile(ZH_YEAR + "年" + ZH_NUM + "月" + ZH_NUM + "日")
ZH_MONTH_DAY = re.compile(r"(?<![\d年〇零一二三四五六七八九十])" + ZH_NUM + "月" + ZH_NUM + "日")
ZH_DAY = re.compile(r"(?<![\d月年号一二三四五六七八九十])" + ZH_NUM + "日(?!报)")
ZH_DATELINE = re.compile(
    r"([\u4e00-\u9fff]{1,5}(?:社|网|报))([\u4e00-\u9fff]{0,8}?)"
    + ZH_NUM
    + "月"
    + ZH_NUM
    + "日(?:电|讯)"
)
EN_DATELINE = re.compile(
    r"\b([A-Z][A-Za-z .]{2,20}),\s+" + MONTH_RE + r"\s+(\d{1,2})\s+\((Xinhua|Reuters|AP)\)"
)
ZH_TODAY = re.compile(r"今天|今日|当天|当日")
URL_DATE = re.compile(
    r"(?<!\d)(19[89]\d|20[0-3]\d)[-/_]?(0[1-9]|1[0-2])[-/_]?(0[1-9]|[12]\d|3[01])(?!\d)"
)
BARE_PRESIDENT = re.compile(r"\s*The President\b(?!\s+of\b|'s\s+(?:Office|Council))")
URL_MONTH = re.compile(r"/(19[89]\d|20[0-3]\d)[-/_]?(0[1-9]|1[0-2])/")

# Local hours (start inclusive, end exclusive) a time-of-day word covers.
ZH_TIMES = [
    ("凌晨", (0, 6)), ("清晨", (5, 9)), ("早上", (6, 10)), ("早晨", (6, 10)), ("上午", (6, 12)),
    ("中午", (11, 14)), ("下午", (12, 18)), ("傍晚", (17, 20)), ("晚上", (18, 24)),
    ("晚间", (18, 24)),
    ("夜间", (18, 24)), ("晚", (18, 24)),
]  # fmt: skip
EN_TIMES = [
    ("early morning", (0, 9)), ("morning", (6, 12)), ("afternoon", (12, 18)),
    ("evening", (17, 24)), ("tonight", (18, 24)), ("last night", (18, 24)), ("night", (18, 24)),
]  # fmt: skip


ZH_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0}


def number(text):
    """12, "12", "十二", "二十一" or "一九九六" as an int; None for anything else."""
    text = str(text)
    if text.isdigit():
        return int(text)
    if "十" not in text:
        digits = [ZH_DIGITS.get(c) for c in text]
        return None if None in digits or not digits else int("".join(map(str, digits)))
    tens, _, units = text.partition("十")
    tens_value = ZH_DIGITS.get(tens, None) if tens else 1
    units_value = ZH_DIGITS.get(units, None) if units else 0
    if tens_value is None or units_value is None:
        return None
    return tens_value * 10 + units_value


def safe_date(year, month, day):
    try:
        return datetime.date(number(year), number(month), number(day))
    except (TypeError, ValueError):
        return None


def resolve_year(month, day, reference):
    """The month and day in the year that puts them closest before (or on) `reference`."""
    if reference is None:
        return None
    for year in (reference.year, reference.year - 1, reference.year + 1):
        candidate = safe_date(year, month, day)
        near = candidate and (reference - candidate).days <= 200
        if near and candidate <= reference + datetime.timedelta(days=2):
            return candidate
    return None


def resolve_day(day, reference):
    """A bare day of the month (25日) as the latest such date on or before `reference`."""
    if reference is None:
        return None
    for months_back in range(0, 2):
        month = reference.month - months_back
        year = reference.year
        if month < 1:
            month, year = month + 12, year - 1
        candidate = safe_date(year, month, day)
        if candidate and candidate <= reference + datetime.timedelta(days=1):
            return candidate
    return None


def other_capital_date(date, zone, hours, other_zone):
    """The date in `other_zone` for the whole window `hours` of `date` in `zone`, or None when
    the window spans two dates there."""
    first, last = hours
    local = zoneinfo.ZoneInfo(zone)
    start = datetime.datetime.combine(date, datetime.time(first), local)
    end = datetime.datetime.combine(date, datetime.time(0), local) + datetime.timedelta(
        hours=last, minutes=-1
    )
    there = zoneinfo.ZoneInfo(other_zone)
    a, b = start.astimezone(there).date(), end.astimezone(there).date()
    return a if a == b else None


# --- The parser ------------------------------------------------------------------------------

ISSUER_HOSTS = [
    (r"(^|\.)whitehouse\.gov$|whitehouse\d*\.archives\.gov$", US, "white_house"),
    (r"(^|\.)state\.gov$", US, "state"),
    (r"(^|\.)treasury\.gov$", US, "treasury"),
    (r"(^|\.)(defense|war|defenselink)\.(gov|mil)$", US, "defense"),
    (r"(^|\.)commerce\.gov$", US, "commerce"),
    (r"(^|\.)ustr\.gov$", US, "ustr"),
    (r"usembassy|(^|\.)usembassy-china\.org\.cn$", US, "us_embassy"),
    (r"(^|\.)(fmprc|mfa)\.gov\.cn$", PRC, "prc_mfa"),
    (r"(^|\.)(news\.cn|xinhuanet\.com)$", PRC, "xinhua"),
    (r"(^|\.)mofcom\.gov\.cn$", PRC, "prc_mofcom"),
    (r"(^|\.)mod\.gov\.cn$", PRC, "prc_mod"),
    (r"china-embassy|chineseembassy|chinaconsulate", PRC, "prc_embassy"),
    (r"(^|\.)gov\.cn$", PRC, "prc_other"),
]  # fmt: skip
ISSUER_WORDS = [
    (r"Office of the Press Secretary|The White House|White House", US, "white_house"),
    (r"Office of the Spokesperson|attributable to (?:the )?Spokesperson|Department of State",
     US, "state"),
    (r"Pentagon Press Secretary|Department of Defense|Department of War|Pentagon", US, "defense"),
    (r"Department of the Treasury|Treasury Department|美国财政部(?!长)", US, "treasury"),
    (r"Office of the United States Trade Representative|USTR", US, "ustr"),
    (r"Department of Commerce|Office of Public Affairs", US, "commerce"),
    (r"新华社|新华网|\(Xinhua\)|Xinhua", PRC, "xinhua"),
    (r"外交部(?!长)", PRC, "prc_mfa"),
    (r"商务部(?!长|部长)", PRC, "prc_mofcom"),
    (r"国防部(?!长)", PRC, "prc_mod"),
]  # fmt: skip
# Words that tell the side but not the body: US press releases' release line.
SIDE_WORDS = [(r"FOR IMMEDIATE RELEASE|For Immediate Release|WhiteHouse", US)]


def parse_readout(text, url="", people=None):
    """The Proposal for one readout; ReadoutError for input that is no readout."""
    text = check_text(text)
    url = check_url(url)
    language, problem = detect_language(text)
    if problem:
        raise ReadoutError(problem)
    people = people or Directory.table_only()
    text = unicodedata.normalize("NFKC", text)
    reader = Reader(text, simplified(text), url, language, people)
    proposal = reader.read()
    if not proposal.kind.known or not proposal.principals:
        raise ReadoutError(
            "This does not read as a readout: it names no call, video call or meeting between "
            "officials of the two governments. Paste the readout's own text (its first "
            "paragraphs are enough)."
        )
    return proposal


class Reader:
    def __init__(self, text, plain, url, language, people):
        self.text, self.plain, self.url = text, plain, url
        self.language, self.people = language, people
        self.zh = language == "zh"
        self.sentences = sentences(plain)
        self.event = None
        self.people_found = {}

    def read(self):
        p = Proposal(url=self.url, language=Found(self.language, self.language_words()))
        p.side, p.issuer = self.side_and_issuer()
        p.title = self.title()
        p.issued_on = self.issued_on()
        event = self.event = self.event_sentence()
        p.kind = self.kind(event)
        year = p.issued_on.value.year if p.issued_on.known else self.url_year()
        p.principals = self.principals(event, year)
        if len({principal.side for principal in p.principals}) < 2:
            p.principals = self.principals_elsewhere(year) or p.principals
        if not p.side.known:
            p.side = self.side_from_perspective(event, p.principals)
        p.stated_date, p.time_of_day, hours = self.stated_date(event, p.issued_on.value)
        p.date_zone = self.date_zone(event, p)
        self.capital_dates(p, hours)
        p.initiated_by = self.initiator(p)
        p.topics = self.topics()
        return p

    # Small helpers ----------------------------------------------------------------------

    def words(self, start, end, margin=12):
        """The words around [start, end), kept within their sentence."""
        low, high = 0, len(self.text)
        for sentence in self.sentences:
            if sentence.start <= start < sentence.start + len(sentence.text):
                low, high = sentence.start, sentence.start + len(sentence.text)
                break
        left = max(low, start - margin)
        right = min(high, max(end, start) + margin)
        return self.text[left:right].strip().replace("\n", " ")

    def language_words(self):
        sample = self.text[:40].replace("\n", " ")
        return sample

    def url_year(self):
        match = URL_DATE.search(self.url) or URL_MONTH.search(self.url)
        return int(match.group(1)) if match else None

    def url_date(self):
        match = URL_DATE.search(self.url)
        return safe_date(*match.groups()) if match else None

    def reference(self):
        """What a date without its year is read against: the address's date, or its year's end."""
        if self.url_date():
            return self.url_date()
        year = self.url_year()
        return datetime.date(year, 12, 31) if year else None

    # Who issued it --------------------------------------------------------------------------

    def host_issuer(self):
        """(host, side, issuer) of the address's government site, or None for any other."""
        host = (urlsplit(self.url).hostname or "").lower() if self.url else ""
        if host:
            for pattern, side, issuer in ISSUER_HOSTS:
                if re.search(pattern, host):
                    return host, side, issuer
        return None

    def side_and_issuer(self):
        official = self.host_issuer()
        if official:
            host, side, issuer = official
            return Found(side, host), Found(issuer, host)
        head = self.plain[:600]
        matches = [
            (match, side, issuer)
            for pattern, side, issuer in ISSUER_WORDS
            for match in [re.search(pattern, head)]
            if match
        ]
        if matches:  # the body named first: a PRC report may name "Treasury" later on
            match, side, issuer = min(matches, key=lambda m: m[0].start())
            words = self.words(match.start(), match.end())
            return Found(side, words), Found(issuer, words)
        for pattern, side in SIDE_WORDS:
            match = re.search(pattern, head)
            if match:
                return Found(side, self.words(match.start(), match.end())), UNKNOWN
        return UNKNOWN, UNKNOWN

    def side_from_perspective(self, event, principals):
        """A readout names the other government's officials with their country ("美国国务卿",
        "of the People's Republic of China") and its own without: the unqualified side wrote it."""
        if event is None:
            return UNKNOWN
        qualified = {p.side for p in principals if self.is_qualified(p)}
        sides = {p.side for p in principals}
        if len(sides) == 2 and len(qualified) == 1:
            own = (sides - qualified).pop()
            return Found(own, event.text.strip()[:120])
        # Otherwise by the countries the sentence names: only the other one's.
        us_marker = ZH_US_NAMED if self.zh else EN_US_NAMED
        prc_marker = ZH_PRC_NAMED if self.zh else EN_PRC_NAMED
        us_named, prc_named = us_marker.search(event.text), prc_marker.search(event.text)
        if prc_named and not us_named:
            return Found(
                US, self.words(event.start + prc_named.start(), event.start + prc_named.end())
            )
        if us_named and not prc_named:
            return Found(
                PRC, self.words(event.start + us_named.start(), event.start + us_named.end())
            )
        # Both or neither qualified ("Chinese President Xi Jinping and U.S. President Joe
        # Biden"): each government's readout names its own official first.
        if len(sides) == 2:
            first = principals[0]
            return Found(first.side, self.words(first.start, first.start + len(first.name), 40))
        # "The President spoke with President Hu": only the White House names its own president
        # by the bare title; any other text says whose president.
        bare = None if self.zh else BARE_PRESIDENT.match(event.text)
        if bare:
            return Found(US, self.words(event.start, event.start + bare.end(), 40))
        return UNKNOWN

    def is_qualified(self, principal):
        office = principal.office
        if principal.side == US:
            # 美 alone is the short form of 美国 in a Chinese office ("美贸易代表", "美财长").
            return bool(re.search(r"美|U\.S\.|\bUS\b|United States|American", office))
        # Not 中方: each side's Chinese texts call their own team that ("中方牵头人").
        return bool(re.search(r"中国|PRC|People's Republic|Chinese|China", office))

    # Title and dates ----------------------------------------------------------------------

    def title(self):
        for line in self.text.splitlines()[:12]:
            line = line.strip()
            if (
                6 <= len(line) <= 200
                and self.kind_in(simplified(line))
                and not line.endswith(("。", "."))
            ):
                return line
        return ""

    def issued_on(self):
        """The readout's own date: its dateline, release date, or the first full date it gives."""
        text = self.plain
        head = text[:1500]
        full_dates = self.full_dates(text)
        reference = full_dates[0][0] if full_dates else self.url_date()
        if reference is None and self.url_year():
            reference = datetime.date(self.url_year(), 12, 31)
        dateline = ZH_DATELINE.search(head)
        if dateline:
            date = resolve_year(dateline.group(3), dateline.group(4), reference)
            if date:
                return Found(date, self.words(dateline.start(), dateline.end(), 0))
        dateline = EN_DATELINE.search(head)
        if dateline:
            date = resolve_year(
                MONTHS[dateline.group(2).lower().rstrip(".")], dateline.group(3), reference
            )
            if date:
                return Found(date, self.words(dateline.start(), dateline.end(), 0))
        published = self.url_date() if self.official_host() else None
        if full_dates:
            date, start, end = full_dates[0]
            if start < 1500 and not self.earlier_event(date, published):
                return Found(date, self.words(start, end, 0))
        # A text that gives no year ("7月28日晚", "spoke today"), or whose first full date is an
        # earlier event's: the date in an official address (whitehouse.gov/…/2023/09/17/…,
        # fmprc.gov.cn/…/t20220728_…) is the day the government published it. A copy's
        # address dates the copy, not the readout.
        if published:
            return Found(published, self.url)
        return UNKNOWN

    def earlier_event(self, date, published):
        """A body date weeks before the issuing department's own address date names an earlier
        event ("follows their April 2, 2024, telephone call"), not the readout's day. Embassy
        sites are left out: they repost releases weeks later, under the date of the repost."""
        if published is None or published - date <= datetime.timedelta(days=7):
            return False
        _, _, issuer = self.host_issuer()
        return issuer not in ("us_embassy", "prc_embassy")

    def official_host(self):
        return self.host_issuer() is not None

    def full_dates(self, text):
        """(date, start, end) of every date with its year, in order."""
        found = []
        for pattern, order in (
            (ZH_FULL, "ymd"),
            (ISO_DATE, "ymd"),
            (EN_FULL_DATE, "mdy"),
            (EN_DAY_MONTH_YEAR, "dmy"),
            (US_NUMERIC, "mdy_num"),
        ):
            for match in pattern.finditer(text):
                g = match.groups()
                if order == "ymd":
                    date = safe_date(g[0], g[1], g[2])
                elif order == "mdy":
                    date = safe_date(g[2], MONTHS[g[0].lower().rstrip(".")], g[1])
                elif order == "dmy":
                    date = safe_date(g[2], MONTHS[g[1].lower().rstrip(".")], g[0])
                else:
                    date = safe_date(g[2], g[0], g[1])
                if date and 1949 <= date.year <= 2100:
                    found.append((date, match.start(), match.end()))
        return sorted(found, key=lambda item: item[1])

    # The event --------------------------------------------------------------------------------

    def kind_in(self, text):
        """(kind, match): a video word anywhere wins ("video call", 视频通话 also say "call");
        otherwise the first of the call, talks and meeting words, so that a meeting that
        "follows up on the call between the leaders" stays a meeting."""
        found = []
        for kind, pattern in KIND_WORDS_ZH if self.zh else KIND_WORDS_EN:
            match = pattern.search(text)
            if match and kind == VIDEO:
                return kind, match
            if match:
                found.append((match.start(), kind, match))
        if not found:
            return None
        _, kind, match = min(found, key=lambda f: f[0])
        return kind, match

    def event_sentence(self):
        """The sentence that reports the encounter: the first with a kind word and a person, one
        with a date or "today" preferred over a bare headline."""
        candidates = [s for s in self.sentences if self.kind_in(s.text) and self.names_in(s)]
        if not candidates:
            candidates = [s for s in self.sentences if self.kind_in(s.text)]
        title = self.title()
        body = [s for s in candidates if not title or s.text.strip() != simplified(title)]
        ranked = sorted(
            body or candidates,
            key=lambda s: (
                not self.has_date_words(s.text),
                len({p.side for p in self.names_in(s)}) < 2,
                not self.has_verb(s.text),
            ),
        )
        return (ranked or [None])[0]

    def has_verb(self, text):
        """An English sentence that reports ("met", "spoke") rather than names ("Meeting with")."""
        return self.zh or bool(EN_VERBS.search(text))

    def has_date_words(self, text):
        if self.zh:
            return bool(
                ZH_FULL.search(text)
                or ZH_MONTH_DAY.search(text)
                or ZH_DAY.search(text)
                or ZH_TODAY.search(text)
            )
        return bool(
            re.search(
                r"\btoday\b|\byesterday\b|last night|tonight|this (?:morning|afternoon|evening)",
                text,
                re.I,
            )
            or re.search(r"\b" + WEEKDAY_RE + r"\b", text)
            or EN_FULL_DATE.search(text)
            or EN_MONTH_DAY.search(text)
        )

    def kind(self, event):
        if event is None:
            return UNKNOWN
        found = self.kind_in(event.text)
        if not found:
            return UNKNOWN
        kind, match = found
        start = event.start + match.start()
        words = self.words(start, event.start + match.end(), 6)
        sideline = SIDELINE_WORDS.search(event.text)
        if kind in (MEETING, TALKS) and sideline:
            return Found(SIDELINE, words + " … " + sideline.group(0))
        gathering = self.multilateral_in_opening(event)
        if kind in (MEETING, TALKS) and gathering:
            return Found(SIDELINE, words + " … " + gathering)
        return Found(kind, words)

    def multilateral_in_opening(self, event):
        """The words naming a multilateral gathering in the event sentence or the opening
        sentences after it ("", when none does)."""
        at = self.sentences.index(event) if event in self.sentences else 0
        for sentence in self.sentences[at : at + OPENING_SENTENCES]:
            match = MULTILATERAL.search(sentence.text)
            if match:
                return self.words(sentence.start + match.start(), sentence.start + match.end())
        return ""

    # Principals -------------------------------------------------------------------------------

    def names_in(self, sentence):
        return self.find_people(sentence, None) if sentence else []

    def principals(self, event, year):
        """The officials who took part: in a Chinese readout everyone in the clause that holds
        the verb ("A应约同B通电话", "A在北京会见B"); in an English one the verb's subject (with
        anyone joined to it by "and") and the people after the verb up to where the sentence
        turns to context ("as a follow-up to…", "to discuss…")."""
        if event is None:
            return []
        people = self.find_people(event, year)
        found = self.kind_in(event.text)
        if not found or not people:
            return people
        verb_start, verb_end = found[1].span()
        text = event.text
        if self.zh:
            clause_end = re.search(r"[,，;；]", text[verb_end:])
            end = verb_end + clause_end.start() if clause_end else len(text)
            return [p for p in people if self.offset(p, event) < end]
        cut = re.search(CONTEXT_TURN, text[verb_end:])
        end = verb_end + cut.start() if cut else len(text)
        before = [p for p in people if self.offset(p, event) < verb_start]
        after = [p for p in people if verb_end <= self.offset(p, event) < end]
        chosen = before[-1:]
        for previous in reversed(before[:-1]):
            gap = text[
                self.offset(previous, event) + len(previous.name) : self.offset(chosen[0], event)
            ]
            if re.match(r"\W*(?:and|&)\b", gap):
                chosen.insert(0, previous)
            else:
                break
        return chosen + after

    def principals_elsewhere(self, year):
        """When the sentence with the kind word names one side or none ("In a phone
        conversation between the two leaders, …"), the first sentence of the opening that
        names officials of both sides names the principals."""
        for sentence in self.sentences[:6]:
            people = self.find_people(sentence, year)
            if len({principal.side for principal in people}) == 2:
                return people
        return []

    def offset(self, principal, event):
        return principal.start - event.start

    def find_people(self, sentence, year):
        key = (sentence.start, year)
        if key not in self.people_found:  # each sentence is read once per year
            find = self.find_people_zh if self.zh else self.find_people_en
            self.people_found[key] = find(sentence, year)
        return self.people_found[key]

    def find_people_zh(self, sentence, year):
        text = sentence.text
        taken = [False] * len(text)
        found = []
        for name, entries in self.people.chinese_names().items():
            for match in re.finditer(re.escape(name), text):
                if any(taken[match.start() : match.end()]):
                    continue
                for i in range(match.start(), match.end()):
                    taken[i] = True
                entry = Directory.pick(entries, year)
                office = self.office_before_zh(text, match.start())
                side = entry.side if entry else entries[0].side
                found.append((match.start(), name, office, entry, side))
        # Officials the directory does not know: an office word followed by a name.
        office_re = "|".join(sorted(ZH_OFFICE_WORDS, key=len, reverse=True))
        for match in re.finditer(r"(?:" + office_re + r")([\u3400-\u9fff·]{2,6})", text):
            start = match.start(1)
            if any(taken[start : match.end(1)]):
                continue
            name = ""
            for ch in match.group(1):
                if ch in ZH_STOP:
                    break
                name += ch
            following = text[start + len(name) : start + len(name) + 4]
            if (
                len(name) < 2
                or any(w in name for w in ZH_OFFICE_WORDS)
                or name.startswith(("兼", "、"))
                # still the office ("总统国家安全事务助理莱克"): the name comes after it
                or any(following.startswith(w) or w in following[:3] for w in ZH_OFFICE_WORDS)
            ):
                continue
            office = self.office_before_zh(text, start)
            if not office:
                continue
            side = US if office.startswith(ZH_US_MARKERS) else PRC
            for i in range(start, start + len(name)):
                taken[i] = True
            found.append((start, name, office, None, side))
        return self.principal_list(sentence, found)

    def office_before_zh(self, text, start):
        """The office as written before a name: back to a comma, 同/与/和/会见 or the sentence's
        start, without dates and times."""
        left = text[:start]
        cut = max(
            (m.end() for m in re.finditer(r"[,，。;；:：\s]|同|与|和|会见|会晤|在|电\)?|\)", left)),
            default=0,
        )
        office = left[cut:]
        office = (
            re.sub(r"^.*?(?:日|晚上|晚|上午|下午|凌晨|中午)", "", office)
            if re.search(r"\d", office)
            else office
        )
        return re.sub(r"^[了的]", "", office.strip("、,， "))

    def find_people_en(self, sentence, year):
        text = sentence.text
        taken = [False] * len(text)
        found = []
        surnames = {}
        # Every spelling of every person, the longest and most literal first: "George W. Bush"
        # is George W. Bush's spelling, though "George Bush" (with a middle initial) fits it too.
        matches = []
        for entry, variant, pattern in self.people.english_patterns():
            matches += [
                (m, " ".join(m.group(0).split()) == variant, entry) for m in pattern.finditer(text)
            ]
        for match, _exact, entry in sorted(matches, key=lambda m: (-len(m[0].group(0)), not m[1])):
            if any(taken[match.start() : match.end()]):
                continue
            for i in range(match.start(), match.end()):
                taken[i] = True
            office = self.office_en(text, match.start(), match.end())
            found.append((match.start(), match.group(0), office, entry, entry.side))
        for entry in self.people.entries:
            tokens = entry.name.split()
            surname = tokens[0] if entry.side == PRC else tokens[-1]
            surnames.setdefault(surname, []).append(entry)
        # "President Biden", "Vice Premier He": a title and a surname the directory holds once.
        for match in TITLED_SURNAME.finditer(text):
            start, end = match.start(1), match.end(1)
            if any(taken[start:end]):
                continue
            entries = surnames.get(match.group(1), [])
            already = [f for f in found if f[3] in entries]
            if already or len(entries) != 1:
                continue
            for i in range(start, end):
                taken[i] = True
            found.append(
                (
                    start,
                    match.group(1),
                    self.office_en(text, start, end),
                    entries[0],
                    entries[0].side,
                )
            )
        return self.principal_list(sentence, found)

    def office_en(self, text, start, end):
        """The office as written before a name (back to "with", "and", a comma or the start),
        plus a following "of the People's Republic of China"."""
        left = text[:start]
        cut = max(
            (
                m.end()
                for m in re.finditer(
                    r"\b(?:with|and|by|met|spoke|hosted|between|to|from)\s+|[,;:]\s*|"
                    r"\s--\s*|\s—\s*|\n",
                    left,
                )
            ),
            default=0,
        )
        office = left[cut:].strip()
        office = re.sub(r"^(?:Readout of|The|the|his|her|their)\s+", "", office)
        office = re.sub(r"^(?:today|yesterday|on \w+|last night)\s+", "", office, flags=re.I)
        after = re.match(
            r"\s*(?:,\s*)?(of (?:the )?(?:People's Republic of China|People’s Republic of China|"
            r"PRC|China|the United States))",
            text[end:],
        )
        if after:
            office = (office + " " + after.group(1)).strip()
        return office if len(office) <= 160 else ""

    def principal_list(self, sentence, found):
        principals, seen = [], set()
        for start, name, office, entry, side in sorted(found, key=lambda f: f[0]):
            key = entry.slug if entry else name
            if key in seen:
                continue
            seen.add(key)
            begin = sentence.start + start
            principals.append(
                Principal(
                    side=side,
                    name=self.text[begin : begin + len(name)],
                    office=office,
                    person=entry.slug if entry else "",
                    person_id=entry.pk if entry else None,
                    words=self.words(begin - len(office) - 1, begin + len(name), 0),
                    start=begin,
                )
            )
        return principals

    # When ----------------------------------------------------------------------------------------

    def stated_date(self, event, issued):
        """(date, time-of-day words, hours) the text gives for the encounter."""
        if event is None:
            return UNKNOWN, UNKNOWN, None
        text, offset = event.text, event.start
        kind_match = self.kind_in(text)
        before = text[: kind_match[1].end()] if kind_match else text
        date = None
        if self.zh:
            date, span = self.zh_date(before, issued)
            hours, time_span = self.time_window(before, ZH_TIMES)
        else:
            date, span = self.en_date(text, issued)
            hours, time_span = self.time_window(text, EN_TIMES)
            if hours and re.search(r"last night", text, re.I) and issued:
                date, span = issued - datetime.timedelta(days=1), time_span
        found_date = (
            Found(date, self.words(offset + span[0], offset + span[1] + 10, 0)) if date else UNKNOWN
        )
        found_time = UNKNOWN
        if hours:
            found_time = Found(
                self.text[offset + time_span[0] : offset + time_span[1]],
                self.words(offset + time_span[0], offset + time_span[1], 8),
            )
        return found_date, found_time, hours

    def zh_date(self, text, issued):
        dateline = ZH_DATELINE.search(text)
        if dateline:  # the dispatch's date, not the encounter's
            text = " " * dateline.end() + text[dateline.end() :]
        match = ZH_FULL.search(text)
        if match:
            return safe_date(*match.groups()), match.span()
        match = ZH_MONTH_DAY.search(text)
        if match:
            return resolve_year(
                match.group(1), match.group(2), issued or self.reference()
            ), match.span()
        match = ZH_DAY.search(text)
        if match:
            return resolve_day(number(match.group(1)), issued or self.url_date()), match.span()
        match = ZH_TODAY.search(text)
        if match and issued:
            return issued, match.span()
        return None, (0, 0)

    def en_date(self, text, issued):
        match = EN_FULL_DATE.search(text)
        if match:
            g = match.groups()
            return safe_date(g[2], MONTHS[g[0].lower().rstrip(".")], g[1]), match.span()
        match = EN_MONTH_DAY.search(text)
        if match and (issued or self.reference()):
            month = MONTHS[match.group(1).lower().rstrip(".")]
            return resolve_year(month, match.group(2), issued or self.reference()), match.span()
        match = re.search(
            r"\btoday\b|\bthis (?:morning|afternoon|evening)\b|\btonight\b", text, re.I
        )
        if match and issued:
            return issued, match.span()
        match = re.search(r"\byesterday\b", text, re.I)
        if match and issued:
            return issued - datetime.timedelta(days=1), match.span()
        match = re.search(r"\b" + WEEKDAY_RE + r"\b", text)
        if match and issued:
            weekday = WEEKDAYS.index(match.group(1).lower())
            back = (issued.weekday() - weekday) % 7
            return issued - datetime.timedelta(days=back), match.span()
        return None, (0, 0)

    def time_window(self, text, words):
        for word, hours in words:
            pattern = re.escape(word) if self.zh else r"\b" + re.escape(word) + r"\b"
            match = re.search(pattern, text, re.I)
            if match:
                if (
                    self.zh
                    and word == "晚"
                    and re.search(r"晚宴|晚会|晚餐", text[match.start() : match.start() + 2])
                ):
                    continue
                return hours, match.span()
        return None, (0, 0)

    def date_zone(self, event, p):
        """The zone of the date the text gives: the readout's capital for a call, the place's
        capital for a meeting in Beijing or Washington, "" otherwise."""
        if event is None or not p.stated_date.known:
            return ""
        text = event.text
        if re.search(r"当地时间|local time", text, re.I):
            return ""
        own = {PRC: BEIJING, US: WASHINGTON}.get(p.side.value, "")
        if p.is_remote:
            return own
        if re.search(
            r"北京|人民大会堂|钓鱼台|中南海|在京|京郊|Beijing|Great Hall of the People|Diaoyutai",
            text,
        ):
            if re.search(r"outside Beijing|北京郊外", text):
                return BEIJING if self.zh else ""
            return BEIJING
        if re.search(r"华盛顿|白宫|五角大楼|Washington|White House|Pentagon|Oval Office", text):
            return WASHINGTON
        return ""

    def capital_dates(self, p, hours):
        date, zone = p.stated_date.value, p.date_zone
        if date is None or not zone:
            return
        words = p.stated_date.words
        if p.time_of_day.known and p.time_of_day.value not in words:
            words += " … " + p.time_of_day.words
        here, there = (
            ("beijing_date", "washington_date")
            if zone == BEIJING
            else ("washington_date", "beijing_date")
        )
        setattr(p, here, Found(date, p.stated_date.words))
        if hours:
            other = other_capital_date(
                date, zone, hours, WASHINGTON if zone == BEIJING else BEIJING
            )
            if other:
                setattr(p, there, Found(other, words.strip()))

    # Who asked -----------------------------------------------------------------------------------

    def initiator(self, p):
        text = self.plain
        rules = self.zh_initiator_rules() if self.zh else self.en_initiator_rules()
        for pattern, resolve in rules:
            matches = sorted(re.finditer(pattern, text), key=lambda m: not self.in_event(m))
            for match in matches:
                side = resolve(match, p)
                if side:
                    sentence_start = max(text.rfind(c, 0, match.start()) for c in "。\n.") + 1
                    end = min(
                        [i for i in (text.find(c, match.end()) for c in "。\n,，") if i != -1]
                        or [len(text)]
                    )
                    words = self.text[sentence_start:end].strip()
                    if len(words) > 140:
                        words = self.words(match.start(), match.end(), 30)
                    return Found(side, words)
        return Found("unknown", "")

    def in_event(self, match):
        event = self.event
        return event is not None and event.start <= match.start() < event.start + len(event.text)

    def other(self, side):
        return {US: PRC, PRC: US}.get(side)

    def subject_side(self, match, p):
        """The side of the official who "应约"/"at request": the principal before the words in
        the same sentence (the nearest in Chinese, the first in English), else the readout's
        own side."""
        text = self.plain
        start = max(text.rfind(c, 0, match.start()) for c in "。\n") + 1
        before = self.text[start : match.start()]
        # Chinese puts 应约 right after its subject ("王毅应约同布林肯"); English puts "at
        # request" anywhere in the clause, whose subject comes first.
        positions = [
            (
                before.rfind(principal.name) if self.zh else -before.find(principal.name),
                principal.side,
            )
            for principal in p.principals
            if principal.name in before
        ]
        if not self.zh:
            # The subject stands before the clause's verb: where the directory knows only the
            # official after it ("Xi Jinping held telephone talks with Donald Trump … at
            # request", Xi unknown), that one is the object, whose side would be a guess.
            verb = EN_VERBS.search(before)
            if verb:
                positions = [(at, side) for at, side in positions if -at < verb.start()]
        if positions:
            return max(positions)[1]
        return p.side.value

    def side_named(self, words, p):
        if re.search(r"美方|美国|美\b|U\.S\.|United States|American|\bUS\b", words):
            return US
        if re.search(r"中方|中国|China|Chinese|PRC|Beijing", words):
            return PRC
        for principal in p.principals:
            surname = (
                principal.name.split()[-1] if principal.side == US else principal.name.split()[0]
            )
            if principal.name in words or (surname and surname in words):
                return principal.side
        return None

    def zh_initiator_rules(self):
        return [
            (
                r"应(?:[^，。,约]{1,30}?)(?:邀请|请求|要求)",
                lambda m, p: self.side_named(m.group(0), p),
            ),
            (r"应([^，。,]{1,30}?)之约", lambda m, p: self.side_named(m.group(1), p)),
            (r"应约|应邀(?!请)", lambda m, p: self.other(self.subject_side(m, p))),
            (r"致电", lambda m, p: self.subject_side(m, p)),
            (
                r"(?:接到|接听)([^，。]{1,20}?)(?:打来的电话|来电)",
                lambda m, p: self.side_named(m.group(1), p),
            ),
        ]

    def en_initiator_rules(self):
        return [
            (
                r"at the request of the latter",
                lambda m, p: p.principals[-1].side if len(p.principals) >= 2 else None,
            ),
            (
                r"at the request of the former",
                lambda m, p: p.principals[0].side if p.principals else None,
            ),
            (
                r"at (?:the )?(?:request|invitation) of ((?:U\.S\.|[^.,;]){2,60})",
                lambda m, p: self.side_named(m.group(1), p),
            ),
            (
                r"at (?:the )?(?:U\.S\.|US|American|Chinese|PRC) (?:side's )?request",
                lambda m, p: self.side_named(m.group(0), p),
            ),
            (
                r"\b(?:at|upon) the latter's request",
                lambda m, p: p.principals[-1].side if len(p.principals) >= 2 else None,
            ),
            (
                r"\b(?:at|upon) the former's request",
                lambda m, p: p.principals[0].side if p.principals else None,
            ),
            (
                r"\b(?:at|upon|on) (?:the )?(?:request|invitation)\b(?! of)",
                lambda m, p: self.other(self.subject_side(m, p)),
            ),
            (
                r"(?:received|took|accepted) a (?:phone |telephone )?call from "
                r"((?:U\.S\.|[^.,;]){2,60})",
                lambda m, p: self.side_named(m.group(1), p),
            ),
            (
                r"\b(?:placed|initiated|made) (?:a|the) (?:phone |telephone )?call to\b",
                lambda m, p: self.subject_side(m, p),
            ),
            (
                r"\bcalled (?!for\b|on\b|upon\b|it\b|them\b|the\b)(?:[A-Z])",
                lambda m, p: self.subject_side(m, p),
            ),
        ]

    # Topics --------------------------------------------------------------------------------------

    def topics(self):
        try:
            from engagements.domain.codebook import topics_in
        except ImportError:  # the codebook ships with the readout comparison (accounts page)
            return []
        return [
            Found(slug, ", ".join(words)) for slug, words in sorted(topics_in(self.text).items())
        ]

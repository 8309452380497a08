"""The bilingual codebook: which words in a readout (Chinese or English) name which topic, and
which words say who asked for the encounter.

One module for every reader of readout texts: the accounts page (engagements/domain/accounts.py),
check_data (engagements/domain/checks.py) and the readout intake's parser import it.

- `topics_in(text)` → {topic slug: [the words found, as written]}. English words match as whole
  words, case-insensitively; Chinese words match anywhere (Chinese has no spaces between words).
- `initiator_words_in(text)` → the phrases on who asked (应约, 应美方请求, “at the request of”…).
- `initiator_claim(text, side)` → which side asked according to a readout issued by SIDE, with
  the words that say so, or (None, []) when it does not say: no words, no guess.

A reading aid, not a coding of the readouts: a word can be used in passing. Slugs are Topic
slugs; a slug with no Topic row yet is labelled from TOPIC_LABELS.
"""

import re

# slug: (English words, Chinese words). Longer phrases are listed so they are reported whole.
TOPICS = {
    "taiwan": (("Taiwan", "Taiwan Strait", "Taipei", "cross-Strait"), ("台湾", "台海", "台独")),
    "climate": (("climate", "climate change", "climate crisis", "emissions"), ("气候",)),
    "economic-trade": (
        ("trade", "tariff", "tariffs", "economic", "economy", "trade deal"),
        ("贸易", "经贸", "关税", "经济"),
    ),
    "fentanyl": (("fentanyl", "synthetic opioids"), ("芬太尼",)),
    "counternarcotics": (
        ("counternarcotics", "counter-narcotics", "narcotics", "illicit drugs"),
        ("禁毒", "毒品"),
    ),
    "ukraine": (("Ukraine", "Russia's war"), ("乌克兰",)),
    "south-china-sea": (("South China Sea", "Second Thomas Shoal"), ("南海", "仁爱礁")),
    "north-korea": (
        ("North Korea", "DPRK", "Korean Peninsula"),
        ("朝鲜", "朝核", "半岛问题", "半岛局势"),
    ),
    "iran": (("Iran",), ("伊朗",)),
    "iraq": (("Iraq",), ("伊拉克",)),
    "military": (("military", "defense", "defence"), ("军事", "军队", "国防")),
    "military-channels": (
        ("military-to-military", "mil-to-mil", "military channels"),
        ("两军", "军事沟通"),
    ),
    "technology": (
        (
            "technology",
            "export controls",
            "semiconductors",
            "semiconductor",
            "artificial intelligence",
        ),
        ("科技", "出口管制", "芯片", "半导体", "人工智能"),
    ),
    "human-rights": (("human rights",), ("人权",)),
    "hong-kong": (("Hong Kong",), ("香港", "涉港")),
    "xinjiang": (("Xinjiang",), ("新疆", "涉疆")),
    "tibet": (("Tibet",), ("西藏", "涉藏")),
    "health": (("public health", "global health"), ("卫生",)),
    "covid-19": (("COVID-19", "COVID", "pandemic", "coronavirus"), ("新冠", "疫情")),
    "nuclear-security": (("nuclear security",), ("核安全",)),
    "tiktok": (("TikTok",), ("TikTok", "抖音")),
    "law-enforcement": (("law enforcement",), ("执法",)),
    "diplomatic": (("diplomatic relations",), ("建交", "外交关系")),
}

# Labels for slugs that may not have a Topic row (the accounts page prefers the row's name).
TOPIC_LABELS = {
    "economic-trade": "Economic and trade",
    "south-china-sea": "South China Sea",
    "north-korea": "North Korea",
    "military-channels": "Military-to-military channels",
    "human-rights": "Human rights",
    "hong-kong": "Hong Kong",
    "covid-19": "COVID-19",
    "nuclear-security": "Nuclear security",
    "tiktok": "TikTok",
    "law-enforcement": "Law enforcement",
    "diplomatic": "Diplomatic relations",
}

# Words on who asked. Requests name the asker; an invitation (to visit) names the host.
# 应 also begins 应该, 应当, 应对 … (“should”, “respond”): those are not “at the request of”.
NOT_AT_REQUEST = r"(?![该当对用急有予在是能会加把将以尽])"
REQUEST_ZH = re.compile(r"应约|应" + NOT_AT_REQUEST + r"[^，。、；\s]{0,20}?(?:请求|要求)")
INVITATION_ZH = re.compile(r"应邀|应" + NOT_AT_REQUEST + r"[^，。、；\s]{1,20}?邀请")
REQUEST_EN = re.compile(
    r"at the (?:request|behest) of\b[^.,;]{0,60}|at (?:the latter's|his|her|their) request",
    re.IGNORECASE,
)
INVITATION_EN = re.compile(r"at the invitation of\b[^.,;]{0,60}", re.IGNORECASE)
US_NAMED = re.compile(
    r"美方|美国|U\.S\.|\bUS\b|United States|American|President (?:Biden|Trump|Obama)",
)
PRC_NAMED = re.compile(r"中方|中国|Chinese|China|PRC|People's Republic|President Xi|Xi Jinping")


def _latin(word):
    return word.isascii()


def words_pattern(words):
    """One expression finding any of WORDS (English as whole words, Chinese anywhere)."""
    return _matcher(words)


def _matcher(words):
    latin = sorted((w for w in words if _latin(w)), key=len, reverse=True)
    chinese = sorted((w for w in words if not _latin(w)), key=len, reverse=True)
    parts = [r"(?<![\w-])" + re.escape(w) + r"(?![\w-])" for w in latin]
    parts += [re.escape(w) for w in chinese]
    return re.compile("|".join(parts), re.IGNORECASE)


MATCHERS = {slug: _matcher(en + zh) for slug, (en, zh) in TOPICS.items()}


def topics_in(text):
    """{topic slug: [words found, as written, each once, in order]} for the topics TEXT names."""
    found = {}
    for slug, matcher in MATCHERS.items():
        words = list(dict.fromkeys(match.group(0) for match in matcher.finditer(text or "")))
        if words:
            found[slug] = words
    return found


def topic_label(slug):
    return TOPIC_LABELS.get(slug) or slug.replace("-", " ").capitalize()


def initiator_words_in(text):
    """The phrases on who asked or who invited, as written, in order of appearance."""
    text = text or ""
    matches = []
    for expression in (REQUEST_ZH, INVITATION_ZH, REQUEST_EN, INVITATION_EN):
        matches += [(m.start(), m.group(0).strip()) for m in expression.finditer(text)]
    return list(dict.fromkeys(words for _, words in sorted(matches)))


def initiator_claim(text, side):
    """("us" or "prc", [words]) for the side that asked according to a readout issued by SIDE,
    or (None, []) when its words do not say.

    Only requests count: a readout saying its own side spoke 应约 or “at the request of” the
    other means the other side asked; a request named as the US's or China's is that side's.
    Invitations are left out: they name the host of a visit, not who sought the encounter.
    """
    other = {"us": "prc", "prc": "us"}.get(side)
    text = text or ""
    for expression in (REQUEST_ZH, REQUEST_EN):
        for match in expression.finditer(text):
            words = match.group(0).strip()
            if US_NAMED.search(words) and not PRC_NAMED.search(words):
                return "us", [words]
            if PRC_NAMED.search(words) and not US_NAMED.search(words):
                return "prc", [words]
            if other and not (US_NAMED.search(words) or PRC_NAMED.search(words)):
                return other, [words]
    return None, []

"""Both sides' accounts of one encounter: the US and PRC official readouts side by side, what each
side mentions, what only one side says, and the words on who asked.

Only stored text is compared: each readout's text as published (or its opening, when only that
is stored), its title and note, and the quotes recorded from it (Quote.source). A readout whose
text is not stored is shown by its title and link, never paraphrased.

A topic counts as mentioned by a side when the bilingual codebook (engagements/domain/codebook.py)
finds one of its Chinese or English words in that side's text, or the topic's own name appears
as a whole word (“Technology and export controls” gives “technology” and “export controls”; the
slug “military-channels” gives “military channels”). That is a reading aid for researchers, not
a coding of the readouts: the page says so.
"""

import re
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import mark_safe

from engagements.domain import codebook
from engagements.models import Side, Source, Topic

READOUT_SIDES = {Source.Kind.US_READOUT: Side.US, Source.Kind.PRC_READOUT: Side.PRC}


@dataclass
class Passage:
    """A piece of stored text from a readout, with the words of topics only this side names
    marked."""

    label: str  # "Text", "Title", "Note" or the quote's speaker
    text: str
    html: str = ""
    language: str = "en"
    source: Source = None  # the readout whose text this is ("Text" passages)


@dataclass
class Account:
    side: str
    label: str
    sources: list
    passages: list = field(default_factory=list)
    topics: dict = field(default_factory=dict)  # slug → Topic (unsaved for a codebook-only one)
    words: dict = field(default_factory=dict)  # slug → the words this side uses for it
    only_here: list = field(default_factory=list)
    initiator_words: list = field(default_factory=list)
    initiator_claim: str = ""  # "us" or "prc" where this side's words say who asked

    @property
    def has_text(self):
        return any(passage.label != "Title" for passage in self.passages)

    @property
    def has_readout_text(self):
        return any(passage.label == "Text" for passage in self.passages)

    @property
    def initiator_claim_label(self):
        return Side(self.initiator_claim).label if self.initiator_claim else ""

    @property
    def mentioned(self):
        """(Topic, words) this side names, by topic name."""
        return [
            (self.topics[slug], self.words.get(slug, []))
            for slug in sorted(self.topics, key=lambda s: self.topics[s].name)
        ]


def topic_terms(topic):
    parts = re.split(r",|/|\band\b", topic.name.lower())
    terms = {part.strip() for part in parts if len(part.strip()) >= 3}
    terms.add(topic.slug.replace("-", " "))
    return sorted(terms, key=len, reverse=True)


def pattern(terms):
    return re.compile(r"\b(" + "|".join(re.escape(term) for term in terms) + r")\b", re.I)


def passages_of(account, quotes):
    ids = {source.pk for source in account.sources}
    for source in account.sources:
        if source.text:
            account.passages.append(
                Passage("Text", source.text, language=source.language or "en", source=source)
            )
        if source.title:
            language = "zh" if source.language == "zh" and not source.title.isascii() else "en"
            account.passages.append(Passage("Title", source.title, language=language))
        if source.note:
            account.passages.append(Passage("Note", source.note))
    for quote in quotes:
        if quote.source_id in ids:
            account.passages.append(
                Passage(quote.speaker_label, quote.text, language=quote.language)
            )


def read_topics(account, rows, matchers):
    """The topics this side's text names: the codebook's words, and the topics' own names."""
    text = "\n".join(passage.text for passage in account.passages)
    for slug, words in codebook.topics_in(text).items():
        account.topics[slug] = rows.get(slug) or Topic(slug=slug, name=codebook.topic_label(slug))
        account.words[slug] = words
    for topic, matcher in matchers:
        words = [match.group(0) for match in matcher.finditer(text)]
        if words:
            account.topics[topic.slug] = topic
            known = account.words.setdefault(topic.slug, [])
            known += [word for word in dict.fromkeys(words) if word not in known]


def read_initiator(account):
    readout_text = "\n".join(p.text for p in account.passages if p.label in ("Text", "Title"))
    account.initiator_words = codebook.initiator_words_in(readout_text)
    account.initiator_claim = codebook.initiator_claim(readout_text, account.side)[0] or ""


def compare_accounts(encounter, topics=None):
    """(US account, PRC account) of an encounter with both readouts, or None.

    `encounter` should come with its sources and quotes prefetched (with_detail_data)."""
    sources = list(encounter.sources.all())
    accounts = {
        side: Account(
            side, Side(side).label, [s for s in sources if READOUT_SIDES.get(s.kind) == side]
        )
        for side in (Side.US, Side.PRC)
    }
    if not all(account.sources for account in accounts.values()):
        return None
    quotes = list(encounter.quotes.all())
    topics = list(Topic.objects.all()) if topics is None else topics
    rows = {topic.slug: topic for topic in topics}
    matchers = [(topic, pattern(topic_terms(topic))) for topic in topics]
    for account in accounts.values():
        passages_of(account, quotes)
        read_topics(account, rows, matchers)
        read_initiator(account)
    us, prc = accounts[Side.US], accounts[Side.PRC]
    us.only_here = only_in(us, prc)
    prc.only_here = only_in(prc, us)
    for account in (us, prc):
        words = [word for topic in account.only_here for word in account.words[topic.slug]]
        marker = codebook.words_pattern(words) if words else None
        for passage in account.passages:
            passage.html = highlight(passage.text, marker)
    return us, prc


def only_in(account, other):
    return sorted(
        (account.topics[slug] for slug in set(account.topics) - set(other.topics)),
        key=lambda t: t.name,
    )


def highlight(text, marker):
    """The text, HTML-escaped, with `marker`'s matches wrapped in <mark>."""
    if marker is None:
        return escape(text)
    pieces, last = [], 0
    for match in marker.finditer(text):
        pieces += [escape(text[last : match.start()]), '<mark class="only-here">',
                   escape(match.group(0)), "</mark>"]  # fmt: skip
        last = match.end()
    pieces.append(escape(text[last:]))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece of text is escaped above


def shared_topics(us, prc):
    both = set(us.topics) & set(prc.topics)
    return sorted((us.topics[slug] for slug in both), key=lambda t: t.name)

"""Both sides' accounts of one encounter: the US and PRC official readouts side by side, and the
topics only one of them mentions.

Only stored text is compared: each readout's title and note, and the quotes recorded from it
(Quote.source). A readout whose wording is not stored is shown by its title and link, never
paraphrased. A topic counts as mentioned by a side when one of its names appears in that side's
stored text as a whole word or phrase, case-insensitively: the topic's name split at "and",
commas and slashes ("Technology and export controls" gives "technology" and "export controls"),
and its slug read as words ("military-channels" gives "military channels"). That is a reading
aid for researchers, not a coding of the readouts: the page says so.
"""

import re
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import mark_safe

from engagements.models import Side, Source, Topic

READOUT_SIDES = {Source.Kind.US_READOUT: Side.US, Source.Kind.PRC_READOUT: Side.PRC}


@dataclass
class Passage:
    """A piece of stored text from a readout, with topic names only this side uses marked."""

    label: str  # "Title", "Note" or the quote's speaker
    text: str
    html: str = ""
    language: str = "en"


@dataclass
class Account:
    side: str
    label: str
    sources: list
    passages: list = field(default_factory=list)
    topics: set = field(default_factory=set)  # Topic rows this side's stored text names
    only_here: list = field(default_factory=list)

    @property
    def has_text(self):
        return any(passage.label != "Title" for passage in self.passages)


def topic_terms(topic):
    parts = re.split(r",|/|\band\b", topic.name.lower())
    terms = {part.strip() for part in parts if len(part.strip()) >= 3}
    terms.add(topic.slug.replace("-", " "))
    return sorted(terms, key=len, reverse=True)


def pattern(terms):
    return re.compile(r"\b(" + "|".join(re.escape(term) for term in terms) + r")\b", re.I)


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
    matchers = [(topic, pattern(topic_terms(topic))) for topic in topics]
    for account in accounts.values():
        ids = {source.pk for source in account.sources}
        for source in account.sources:
            if source.title:
                account.passages.append(Passage("Title", source.title))
            if source.note:
                account.passages.append(Passage("Note", source.note))
        for quote in quotes:
            if quote.source_id in ids:
                account.passages.append(
                    Passage(quote.speaker_label, quote.text, language=quote.language)
                )
        text = "\n".join(passage.text for passage in account.passages)
        account.topics = {topic for topic, matcher in matchers if matcher.search(text)}
    us, prc = accounts[Side.US], accounts[Side.PRC]
    us.only_here = sorted(us.topics - prc.topics, key=lambda t: t.name)
    prc.only_here = sorted(prc.topics - us.topics, key=lambda t: t.name)
    for account in (us, prc):
        marker = pattern([term for topic in account.only_here for term in topic_terms(topic)])
        for passage in account.passages:
            passage.html = highlight(passage.text, marker if account.only_here else None)
    return us, prc


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
    return sorted(us.topics & prc.topics, key=lambda t: t.name)

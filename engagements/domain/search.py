"""Full-text search beyond what PostgreSQL's parser does: Chinese text, and misspelt names.

Chinese. PostgreSQL's text search parsers do not segment Chinese: "习近平同美国总统拜登通电话"
is one token, so neither 近平 nor 拜登 finds it. The kept document (Encounter.search_document)
therefore ends with extra terms for every run of Chinese characters in it: the run's overlapping
two-character pieces in order (习近 近平 平同 同美 …) and each of its characters once. A
researcher's Chinese word becomes the same pieces joined by the phrase operator (近平 →
'近平'; 习近平 → '习近' <-> '近平'), a single character matches the characters. This keeps the
stored generated tsvector and its GIN index as they are (docs/operators.md, "Performance"):
pg_trgm would also read Chinese in this database's C.UTF-8 locale, but cannot use an index
for a search shorter than three characters (王, 近平), which are the usual Chinese searches.

The extra terms follow KEPT_TERMS_SEPARATOR, so that search headlines are made from the text
before it and never show the pieces.

Misspelt names. `suggest_spelling()` compares the words of a search with the words of the
publicly shown people's names and their other spellings (Person.aliases): a word close to a name
word (difflib's ratio, no database work beyond reading the names) or a whole alias is offered as
the name it stands for: "Xi Jingping" → "Xi Jinping", "Blinkin" → "Blinken".
"""

import difflib
import re

# Ideographs: the CJK Unified Ideographs, Extension A, the compatibility ideographs and the
# supplementary planes' extensions. Punctuation (，。“”) separates runs, as it does in the parser.
CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")
# Ends the kept document's text and starts its extra terms; the parser reads it as a space.
KEPT_TERMS_SEPARATOR = "\x1e"
# A name word this close to a searched word (difflib's ratio) is offered instead of it.
SPELLING_CUTOFF = 0.8
# Shorter words are too often close to some name by chance ("Li", "Lee", "Wan").
SHORTEST_CORRECTED_WORD = 4
WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")


def bigrams(run):
    return [run[i : i + 2] for i in range(len(run) - 1)]


def chinese_index_terms(text):
    """The extra terms that let part of a Chinese word find TEXT, as one space-separated text.

    Each distinct run of three or more characters gives its two-character pieces, in order, so
    a phrase query over them matches; every character of a longer run is added once. A run of
    one or two characters is a token of the text already.
    """
    runs = dict.fromkeys(run for run in CJK_RUN.findall(text) if len(run) > 1)
    pieces = [" ".join(bigrams(run)) for run in runs if len(run) > 2]
    characters = dict.fromkeys(character for run in runs for character in run)
    return " ".join([*pieces, *characters])


def with_chinese_terms(text):
    """TEXT as kept for search: followed by its Chinese terms, when it has any."""
    terms = chinese_index_terms(text)
    return f"{text}{KEPT_TERMS_SEPARATOR}{terms}" if terms else text


def kept_text(document):
    """The text of a kept document, without the extra terms."""
    return document.split(KEPT_TERMS_SEPARATOR, 1)[0]


def websearch_text(text):
    """A researcher's web-search text with each Chinese word spelt as the kept document spells it.

    A word of three or more characters becomes the phrase of its two-character pieces (in
    quotes, unless the researcher already put it in a quoted phrase), so that "-习近平" and
    "习近平 or 拜登" keep their meaning.
    """
    parts, end = [], 0
    for match in CJK_RUN.finditer(text):
        run = match.group()
        before = text[end : match.start()]
        parts.append(before)
        if len(run) > 2:
            phrase = " ".join(bigrams(run))
            quoted = text.count('"', 0, match.start()) % 2 == 1
            run = phrase if quoted else f'"{phrase}"'
        if match.start() > 0 and text[match.start() - 1].isalnum():
            run = " " + run
        if match.end() < len(text) and text[match.end()].isalnum():
            run += " "
        parts.append(run)
        end = match.end()
    parts.append(text[end:])
    return "".join(parts)


def chinese_words(text):
    return CJK_RUN.findall(text or "")


# --- Spelling suggestions ----------------------------------------------------------------------


def spelling_lexicon(people):
    """What suggest_spelling() compares a search with, from (name, aliases) pairs.

    Returns (name words by lower case, {alias in lower case: name}); small enough to cache.
    """
    words, aliases = {}, {}
    for name, alias_lines in people:
        for word in WORD.findall(name):
            words.setdefault(word.lower(), word)
        for alias in (alias_lines or "").splitlines():
            alias = " ".join(alias.split())
            if alias and alias.lower() != name.lower():
                aliases[alias.lower()] = name
    return words, aliases


def suggest_spelling(text, lexicon):
    """The search TEXT with misspelt names corrected, or "" when nothing is to be corrected."""
    words, aliases = lexicon
    corrected = " ".join(text.split())
    for alias in sorted(aliases, key=len, reverse=True):
        pattern = re.compile(rf"(?<!\w){re.escape(alias)}(?!\w)", re.IGNORECASE)
        corrected = pattern.sub(aliases[alias], corrected)
    known = list(words)

    def correct(match):
        word = match.group()
        if len(word) < SHORTEST_CORRECTED_WORD or word.lower() in words:
            return word
        close = difflib.get_close_matches(word.lower(), known, n=1, cutoff=SPELLING_CUTOFF)
        return words[close[0]] if close else word

    corrected = WORD.sub(correct, corrected)
    return corrected if corrected.lower() != " ".join(text.split()).lower() else ""

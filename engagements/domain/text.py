"""Text as entered and text as written out: control characters.

Pasted text brings invisible control characters: Word's manual line break arrives as a vertical
tab, other programs leave form feeds, NULs or escape codes. None of them means anything on a
page, PostgreSQL refuses NUL, and XML 1.0 forbids every C0 control but tab, line feed and
carriage return, so one of them in a title breaks the Atom feed for everyone. Text is therefore
cleaned where it is entered (every model save: engagements/domain/signals.py) and again wherever
it is written to XML (engagements/surfaces/feeds.py), which also covers request parameters a
feed echoes.
"""

import re

# C0 controls but tab, line feed and carriage return; and DEL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Line and page breaks of word processors: a vertical tab (Word's manual line break), a form feed.
LINE_BREAKS = re.compile(r"[\x0b\x0c]")


def without_control_characters(text, *, multiline=True):
    """TEXT with control characters dropped; a word processor's line break becomes a new line
    (MULTILINE) or a space."""
    if not isinstance(text, str) or not CONTROL_CHARACTERS.search(text):
        return text
    text = LINE_BREAKS.sub("\n" if multiline else " ", text)
    return CONTROL_CHARACTERS.sub("", text)


def xml_safe(value):
    """VALUE with control characters dropped from every string in it (lists and dicts too)."""
    if isinstance(value, str):
        return without_control_characters(value, multiline=True)
    if isinstance(value, (list, tuple)):
        return type(value)(xml_safe(item) for item in value)
    if isinstance(value, dict):
        return {key: xml_safe(item) for key, item in value.items()}
    return value

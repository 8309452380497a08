"""The one definition of the encounters CSV: its columns and how list cells are written.

The admin's bulk import (engagements/importing.py) reads it and the public CSV export writes
it, so a file exported from the tracker can be edited and imported again. README.md, "CSV
columns", documents it for editors and researchers.
"""

from engagements.models import Encounter

# In file order. Choice columns hold the stored value (e.g. "phone_call"), not the label.
COLUMNS = [
    "slug",
    "title",
    "kind",
    "venue",
    "level",
    "start_date",
    "end_date",
    "date_precision",
    "beijing_date",
    "local_start_time",
    "duration_minutes",
    "place",
    "city",
    "country",
    "initiated_by",
    "tone",
    "tone_note",
    "occurrence",
    "summary",
    "outcomes",
    "topics",
    "principals",
    "sources",
]
# An import file must have these; every other column may be left out (or left empty).
REQUIRED_COLUMNS = ["slug", "title", "kind", "venue", "level", "start_date"]

# Cells holding several items separated by ITEM_SEPARATOR; an item's parts by PART_SEPARATOR.
#   topics:     "Climate; Trade"                      (topic names or slugs)
#   principals: "Antony Blinken: Secretary of State; Wang Yi: Foreign Minister"
#               (person name, slug or listed alias; optional ": office held at the time")
#   sources:    "White House: https://www.whitehouse.gov/…; Xinhua"
#               (outlet; optional ": URL". A ";" inside a URL must be written %3B)
ITEM_SEPARATOR = ";"
PART_SEPARATOR = ": "
DATE_FORMAT = "%Y-%m-%d"  # ISO 8601 dates; times as HH:MM


def split_items(cell):
    return [item.strip() for item in (cell or "").split(ITEM_SEPARATOR) if item.strip()]


def split_item(item):
    """'Name: detail' -> ('Name', 'detail'); 'Name' -> ('Name', '')."""
    name, _, detail = item.partition(PART_SEPARATOR)
    return name.strip(), detail.strip()


def join_items(items):
    return f"{ITEM_SEPARATOR} ".join(items)


def format_principals(encounter: Encounter):
    """The principals cell, from prefetched or stored participations."""
    return join_items(
        f"{p.person.name}{PART_SEPARATOR}{p.office}" if p.office else p.person.name
        for p in encounter.participations.all()
        if p.role == "principal"
    )


def format_sources(encounter: Encounter):
    return join_items(
        f"{s.outlet}{PART_SEPARATOR}{s.url.replace(';', '%3B')}" if s.url else s.outlet
        for s in encounter.sources.all()
    )


def format_topics(encounter: Encounter):
    return join_items(topic.name for topic in encounter.topics.all())

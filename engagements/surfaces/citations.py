"""Citations of one encounter record: BibTeX, RIS and CSL-JSON.

Each cites the record as a web page of the tracker (corporate author: the project), with its
permanent URL, the date it was first published here and the reader's date of access, and names
the encounter's own date as the event date.

Formats:
- BibTeX/biblatex `@online` (https://ctan.org/pkg/biblatex, section 2.1.1), with `howpublished`
  and `note` so that classic BibTeX styles show the URL and access date too.
- RIS (https://en.wikipedia.org/wiki/RIS_(file_format)): `TY  - ELEC`, `Y2` is the access date.
- CSL-JSON (https://github.com/citation-style-language/schema, csl-data.json): an array of one
  item of type "webpage", as Zotero, Pandoc and citeproc-js import it.
"""

import html
import json
import re

from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from engagements.domain.models import current_slug
from engagements.models import Discrepancy, Encounter
from engagements.templatetags.engagements import encounter_dates, markdown

BIBTEX_CONTENT_TYPE = "application/x-bibtex; charset=utf-8"
RIS_CONTENT_TYPE = "application/x-research-info-systems; charset=utf-8"
CSL_JSON_CONTENT_TYPE = "application/vnd.citationstyles.csl+json; charset=utf-8"

# Characters with a meaning in (La)TeX that may appear in titles and places.
_BIBTEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_BIBTEX_SPECIAL = re.compile("|".join(re.escape(c) for c in _BIBTEX_ESCAPES))


class Citation:
    """What every format needs to know about one encounter, gathered once."""

    def __init__(self, encounter, request, accessed=None):
        self.encounter = encounter
        self.url = request.build_absolute_uri(encounter.get_absolute_url())
        self.accessed = accessed or timezone.localdate()
        published = encounter.published_at or encounter.updated_at
        self.issued = timezone.localtime(published).date()
        self.publisher = settings.SITE_NAME
        self.event_dates = encounter_dates(encounter)
        self.place = str(encounter.place) if encounter.place_id else ""
        self.abstract = plain_text(encounter.summary)
        self.keywords = [topic.name for topic in encounter.topics.all()]
        self.date_note = corrected_date_note(encounter)

    @property
    def title(self):
        return f"{self.encounter.title}, {self.event_dates}"

    def bibtex(self):
        fields = [
            ("title", "{" + bibtex_escape(self.title) + "}"),  # double braces keep its case
            ("author", "{" + bibtex_escape(self.publisher) + "}"),  # a corporate author
            ("organization", bibtex_escape(self.publisher)),
            ("year", str(self.issued.year)),
            ("month", str(self.issued.month)),
            ("date", self.issued.isoformat()),
            ("eventdate", self.encounter.start_date.isoformat()),
            ("venue", bibtex_escape(self.place)),
            ("keywords", bibtex_escape(", ".join(self.keywords))),
            ("url", self.url),
            ("urldate", self.accessed.isoformat()),
            ("howpublished", r"\url{" + self.url + "}"),
            (
                "note",
                " ".join(filter(None, [f"Accessed {self.accessed.isoformat()}.", self.date_note])),
            ),
        ]
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
        return f"@online{{{self.key},\n{body}\n}}\n"

    @property
    def key(self):
        # BibTeX keys may not contain spaces, commas or braces; slugs never do.
        return self.encounter.slug

    def ris(self):
        lines = [
            ("TY", "ELEC"),
            ("TI", self.title),
            ("AU", self.publisher),
            ("PB", self.publisher),
            ("PY", str(self.issued.year)),
            ("DA", self.issued.strftime("%Y/%m/%d")),
            ("Y2", self.accessed.strftime("%Y/%m/%d")),
            ("UR", self.url),
            ("CY", self.place),
            ("AB", self.abstract),
            *(("KW", keyword) for keyword in self.keywords),
            ("N1", f"Event date: {self.event_dates}. Accessed {self.accessed.isoformat()}."),
            ("N1", self.date_note),
            ("ER", ""),
        ]
        # RIS: "TAG  - value", one per line; values must not contain line breaks.
        kept = [(tag, value) for tag, value in lines if value or tag == "ER"]
        return "".join(f"{tag}  - {one_line(value)}\r\n" for tag, value in kept)

    def csl(self):
        item = {
            "id": self.encounter.slug,
            "type": "webpage",
            "title": self.title,
            "author": [{"literal": self.publisher}],
            "container-title": self.publisher,
            "publisher": self.publisher,
            "issued": csl_date(self.issued),
            "accessed": csl_date(self.accessed),
            "event-date": csl_date(self.encounter.start_date, self.encounter.end_date),
            "URL": self.url,
        }
        if self.place:
            item["event-place"] = self.place
        if self.abstract:
            item["abstract"] = self.abstract
        if self.keywords:
            item["keyword"] = ", ".join(self.keywords)
        if self.date_note:
            item["note"] = self.date_note
        return json.dumps([item], ensure_ascii=False, indent=2) + "\n"


def corrected_date_note(encounter):
    """Where a source dates the encounter differently: the date kept and the one set aside, so a
    citation does not present a corrected date as uncontested."""
    notes = [
        f"Date: the tracker gives {d.our_value}; {d.source.outlet} gives {d.their_value}."
        for d in encounter.discrepancies.all()
        if d.field == Discrepancy.Field.DATES
    ]
    if notes:
        notes.append("See “Where sources disagree” on the record's page.")
    return " ".join(notes)


def csl_date(start, end=None):
    parts = [[start.year, start.month, start.day]]
    if end and end != start:
        parts.append([end.year, end.month, end.day])
    return {"date-parts": parts}


def bibtex_escape(text):
    return _BIBTEX_SPECIAL.sub(lambda match: _BIBTEX_ESCAPES[match.group()], text)


def one_line(text):
    return " ".join(text.split())


def plain_text(markdown_text):
    """The summary as plain text: rendered through the site's Markdown filter, tags removed."""
    if not markdown_text:
        return ""
    return one_line(html.unescape(strip_tags(markdown(markdown_text))))


FORMATS = {
    # extension: (method, content type)
    "bib": (Citation.bibtex, BIBTEX_CONTENT_TYPE),
    "ris": (Citation.ris, RIS_CONTENT_TYPE),
    "json": (Citation.csl, CSL_JSON_CONTENT_TYPE),
}


def cite(request, slug, extension):
    """/encounters/<slug>/cite.<bib|ris|json>: a download of one published encounter's citation."""
    encounter = (
        Encounter.objects.published()
        .select_related("place")
        .prefetch_related(
            "topics",
            Prefetch("discrepancies", queryset=Discrepancy.objects.select_related("source")),
        )
        .filter(slug=slug)
        .first()
    )
    if encounter is None:
        # A slug the encounter had before: cited links keep working.
        if (current := current_slug(slug)) is None:
            raise Http404("No published encounter has this slug.")
        return HttpResponsePermanentRedirect(reverse("encounter-cite", args=[current, extension]))
    render, content_type = FORMATS[extension]
    response = HttpResponse(render(Citation(encounter, request)), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{slug}.{extension}"'
    # The access date changes daily; let nothing cache a citation past today.
    response["Cache-Control"] = "private, max-age=3600"
    return response

"""Facet counts and active-filter chips for pages filtered by EncounterFilterSet.

Facet counts cost a fixed number of aggregate queries, however many options or rows there are:
one for all the choice groups with nothing selected (FILTER clauses over the same base), one
GROUP BY per choice group with a selection, and one each for topics, people and countries.

Counts answer "how many encounters would I see if I ticked this?":
- kind, level, venue, country, initiated_by and provenance hold one value per encounter, and
  their options combine as "any of", so each group is counted with every OTHER active filter
  (ticking a second kind adds rows; the counts of a group do not collapse when one is ticked);
- topic and person combine as "all of" (see domain/filters.py), so they are counted over the
  current results: the count is what is left after adding that topic or person.

A group whose counting base is every published encounter (nothing else filtered) reads the
counts the database keeps (domain/counts.py) instead of counting: one small read for every
choice group, the countries and the total, one each for the busiest people and topics.
"""

from dataclasses import dataclass, field

from django.db.models import Count

from engagements.domain import record_index
from engagements.domain.countries import country_name
from engagements.domain.current_counts import current_counts
from engagements.models import (
    Encounter,
    PersonPublishedCount,
    PublishedFacetCount,
    TopicPublishedCount,
)

# How many options a long group (people, countries) shows; selected options are always shown.
LONG_GROUP_LIMIT = 12


@dataclass
class Option:
    value: str
    label: str
    count: int | None
    selected: bool


@dataclass
class Facet:
    name: str
    label: str
    options: list = field(default_factory=list)
    multiple: bool = True  # checkboxes (repeatable parameter) or radio buttons (one value)
    errors: list = field(default_factory=list)
    more: bool = False  # True when options were left out (only the most frequent are shown)
    note: str = ""  # what the group counts, where two groups could be confused
    add_label: str = ""  # people and topics: a box to add anyone by name (add_<name>)

    @property
    def has_selection(self):
        return any(option.selected for option in self.options)

    @property
    def field_id(self):
        return f"id_{self.name}"


def selected_values(filterset, name):
    """The raw values the request gave for `name`, valid or not (to keep them ticked)."""
    data = filterset.data
    return [value for value in data.getlist(name) if value] if hasattr(data, "getlist") else []


def counts_kept(filterset, exclude=()):
    """True when the counting base is every published encounter: no filter is active besides
    those in `exclude`, and the page starts from the whole published record."""
    if not filterset.whole_record:
        return False
    return not any(
        value
        for name, value in filterset.form.cleaned_data.items()
        if name != "sort" and name not in exclude
    )


def whole_record_counts(filterset):
    """{facet: {value: count}} over every published encounter, as the database keeps them:
    read once per filter set."""
    kept = getattr(filterset, "_whole_record_counts", None)
    if kept is None:
        kept = {}
        rows = PublishedFacetCount.objects.values_list("facet", "value", "encounters")
        for facet, value, count in rows:
            if count:
                kept.setdefault(facet, {})[value] = count
        filterset._whole_record_counts = kept
    return kept


def result_count(filterset, queryset):
    """How many encounters the filters match: the kept total when nothing is filtered, else
    counted with the facets in one query (domain/current_counts.py)."""
    if counts_kept(filterset):
        return whole_record_counts(filterset).get("total", {}).get("", 0)
    return counts_of_results(filterset)["total"]


def counts_of_results(filterset):
    """The total and every facet group counted over the current results, in one query."""
    own_base = {name for name in [*CHOICE_GROUPS, "country"] if selected_values(filterset, name)}
    # One row more than shown, to know whether there are more.
    limits = {
        name: LONG_GROUP_LIMIT + len(selected_values(filterset, name)) + 1
        for name in ("topic", "person")
    }
    return current_counts(filterset, own_base, limits)


def group_counts(queryset, field_name, filterset=None):
    """{value: count} of one column over `queryset`: from the record index when it is current
    (domain/record_index.py), else a GROUP BY."""
    if filterset is not None:
        index, positions = record_index.positions_of(filterset, queryset)
        if index is not None:
            column = "country" if field_name == "place__country" else field_name
            return index.column_counts(positions, column, skip_blank=True)
    rows = queryset.values(field_name).annotate(n=Count("pk")).order_by()
    return {row[field_name]: row["n"] for row in rows}


# The groups whose options are a model field's fixed choices.
CHOICE_GROUPS = {
    "kind": Encounter.Kind.choices,
    "level": Encounter.Level.choices,
    "venue": Encounter.Venue.choices,
    "initiated_by": Encounter.Initiator.choices,
    "provenance": Encounter.Provenance.choices,
}
SINGLE_VALUE_GROUPS = {"initiated_by", "provenance"}


def choice_counts(filterset):
    """{group: {value: count}} for every choice group, in as few scans as possible.

    Groups with nothing selected share one base (all active filters), so they are counted
    together in one aggregate query with a FILTER clause per option; a group with a selection
    needs its own base (every filter but its own) and its own GROUP BY query.
    """
    selected = {name for name in CHOICE_GROUPS if selected_values(filterset, name)}
    counts = {
        name: (
            whole_record_counts(filterset).get(name, {})
            if counts_kept(filterset, exclude={name})
            else group_counts(filterset.unsorted_queryset(exclude={name}), name, filterset)
        )
        for name in CHOICE_GROUPS
        if name in selected
    }
    shared = [name for name in CHOICE_GROUPS if name not in selected]
    if shared and counts_kept(filterset):
        for name in shared:
            counts[name] = whole_record_counts(filterset).get(name, {})
    elif shared:
        for name in shared:
            counts[name] = counts_of_results(filterset)[name]
    return counts


def choice_facet(filterset, name, counts):
    selected = selected_values(filterset, name)
    options = [
        Option(value, label, counts[name].get(value, 0) if counts else None, value in selected)
        for value, label in CHOICE_GROUPS[name]
    ]
    multiple = name not in SINGLE_VALUE_GROUPS
    return Facet(name, filterset.form[name].label, options, multiple)


def country_facet(filterset, counted):
    selected = [value.upper() for value in selected_values(filterset, "country")]
    counts = {}
    if counted and counts_kept(filterset, exclude={"country"}):
        counts = whole_record_counts(filterset).get("country", {})
    elif counted and not selected:
        counts = counts_of_results(filterset)["country"]
    elif counted:
        queryset = filterset.unsorted_queryset(exclude={"country"}).exclude(place=None)
        counts = group_counts(queryset, "place__country", filterset)
    ranked = sorted(counts, key=lambda code: (-counts[code], code))
    top = ranked[:LONG_GROUP_LIMIT]
    shown = top + [code for code in selected if code not in top]
    options = [
        Option(code, country_name(code), counts.get(code, 0) if counted else None, code in selected)
        for code in shown
    ]
    return Facet(
        "country", "Country", options, False, more=len(ranked) > LONG_GROUP_LIMIT, note=COUNTRY_NOTE
    )


# Country and Venue both say "where", and count differently: the two notes say how.
COUNTRY_NOTE = (
    "The country of the recorded place. Encounters without a recorded place (most calls, and "
    "some visits) are not counted here; Venue codes every encounter."
)
VENUE_NOTE = (
    "Coded for every encounter: where it took place relative to the two countries, whether or "
    "not a place is recorded (so In the United States can count more than Country: United "
    "States)."
)
ADD_LABELS = {"person": "Add a person by name", "topic": "Add a topic by name"}


def related_facet(filterset, name, key, counted):
    """Topics or people, counted over the current results (they narrow: "all of").

    A ticked option matches every current result, so it ranks first and is always shown.
    """
    selected = selected_values(filterset, name)
    rows = []
    if counted:
        limit = LONG_GROUP_LIMIT + len(selected)
        if counts_kept(filterset):
            kept = PersonPublishedCount if key == "person" else TopicPublishedCount
            rows = kept.objects.filter(encounters__gt=0).values_list(
                f"{key}__slug", f"{key}__name", "encounters"
            )
            rows = list(rows.order_by("-encounters", f"{key}__name")[: limit + 1])
        else:
            rows = counts_of_results(filterset)[key]
        more = len(rows) > limit
        rows = rows[:limit]
    else:
        more = False
    options = [Option(slug, label, n, slug in selected) for slug, label, n in rows]
    # Ticked values without a row (the filters are invalid): keep them ticked and visible.
    shown = {option.value for option in options}
    named = {obj.slug: obj.name for obj in filterset.form.cleaned_data.get(name) or []}
    options += [
        Option(value, named.get(value, value), None, True)
        for value in selected
        if value not in shown
    ]
    return Facet(name, filterset.form[name].label, options, more=more, add_label=ADD_LABELS[name])


def facets(filterset):
    """Every facet group of the form, with counts when the filters are valid."""
    counted = filterset.is_valid()
    counts = choice_counts(filterset) if counted else None
    groups = [
        choice_facet(filterset, "kind", counts),
        choice_facet(filterset, "level", counts),
        choice_facet(filterset, "venue", counts),
        related_facet(filterset, "topic", "topic", counted),
        related_facet(filterset, "person", "person", counted),
        country_facet(filterset, counted),
        choice_facet(filterset, "initiated_by", counts),
        choice_facet(filterset, "provenance", counts),
    ]
    groups[2].note = VENUE_NOTE
    for group in groups:
        group.errors = filterset.form.errors.get(group.name, [])
    return groups


@dataclass
class Chip:
    label: str
    remove_url: str


def without(params, name, value=None):
    """The query string with one value (or all values) of `name` removed, back on page 1."""
    params = params.copy()
    params.pop("page", None)
    if value is None:
        params.pop(name, None)
    else:
        params.setlist(name, [v for v in params.getlist(name) if v.upper() != value.upper()])
    return f"?{params.urlencode()}" if params else "?"


def active_chips(filterset, groups):
    """One removable chip per active filter value, labelled as the form labels it."""
    params, chips = filterset.data, []
    if not hasattr(params, "getlist"):
        return chips
    q = params.get("q", "").strip()
    if q:
        chips.append(Chip(f"Search: {q}", without(params, "q")))
    for group in groups:
        for option in group.options:
            if option.selected:
                label = f"{group.label}: {option.label}"
                chips.append(Chip(label, without(params, group.name, option.value)))
    for name in ("date_after", "date_before"):
        value = params.get(name, "").strip()
        if value:
            chips.append(Chip(f"{filterset.form[name].label}: {value}", without(params, name)))
    return chips

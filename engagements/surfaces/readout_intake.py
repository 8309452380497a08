"""The admin's "Add from a readout" page: paste a readout, check what it proposes, save a draft.

Two steps, plain HTML forms (no script needed):

1. `PasteForm`: the text (Chinese or English) and its address. The parser
   (engagements/domain/readouts.py) reads it; input it cannot read (empty, over
   `MAX_TEXT_CHARS`, no readout, two languages, an address that is no web address) is refused
   with the reason beside the field, and nothing is saved.
2. `ProposalForm`: each proposed value, editable, beside the words it came from, and the
   encounters already recorded that match it (within a day, a lead of each side among the
   principals). Saving creates a draft encounter with the readout as its source, or attaches the
   readout to the chosen encounter, filling only what is empty (engagements/domain/intake.py).

Only editors who may add encounters reach it (`EncounterAdmin.readout_intake_view`).
"""

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from engagements.domain import intake
from engagements.domain.readout_names import record_office
from engagements.domain.readouts import (
    MAX_TEXT_CHARS,
    ReadoutError,
    check_text,
    check_url,
    detect_language,
    parse_readout,
)
from engagements.models import Encounter, Person, Side, Source, Topic

MAX_PRINCIPALS = 6
NEW = "new"


class PasteForm(forms.Form):
    # Bounded well above the parser's limit so that the parser, not the field, explains a
    # long paste (the page says the limit).
    text = forms.CharField(
        label="Text of the readout",
        widget=forms.Textarea(attrs={"rows": 16, "cols": 90, "lang": "zh-Hans-CN en"}),
        required=False,
        help_text=f"Chinese or English, as published: the whole readout, or its opening (at "
        f"most {MAX_TEXT_CHARS:,} characters).",
    )
    url = forms.CharField(
        label="Its address",
        required=False,
        max_length=2000,
        help_text="The official address (fmprc.gov.cn, whitehouse.gov, state.gov…), or the "
        "faithful copy the text was read from.",
    )
    text_is_excerpt = forms.BooleanField(
        label="The text is only the opening of the readout", required=False
    )

    def clean_text(self):
        try:
            text = check_text(self.cleaned_data.get("text"))
        except ReadoutError as error:
            raise ValidationError(str(error), code="readout") from error
        language, problem = detect_language(text)
        if problem:
            raise ValidationError(problem, code="languages")
        return text

    def clean_url(self):
        try:
            return check_url(self.cleaned_data.get("url"))
        except ReadoutError as error:
            raise ValidationError(str(error), code="url") from error

    def proposal(self, people):
        """The parser's proposal, or None with the reason added to the text's errors."""
        try:
            return parse_readout(self.cleaned_data["text"], self.cleaned_data["url"], people)
        except ReadoutError as error:
            self.add_error("text", ValidationError(str(error), code="no_readout"))
            return None


SIDE_CHOICES = [(Side.US, "United States"), (Side.PRC, "People's Republic of China")]


class ProposalForm(PasteForm):
    """What the editor confirms: every value editable, prefilled from the proposal."""

    side = forms.ChoiceField(label="Whose readout", choices=SIDE_CHOICES)
    issuer = forms.ChoiceField(
        label="Issued by", choices=[("", "—")] + list(Source.Issuer.choices), required=False
    )
    language = forms.ChoiceField(label="Language", choices=Source.Language.choices)
    source_title = forms.CharField(label="Readout's title", max_length=400, required=False)
    outlet = forms.CharField(label="Outlet (issuing body)", max_length=200)
    issued_on = forms.DateField(label="Readout's own date", required=False)
    copy_outlet = forms.CharField(
        label="Read from a faithful copy by",
        max_length=200,
        required=False,
        help_text="Only when the address above is a copy, not the official page: who "
        "republished it. The address is then kept as the copy's.",
    )
    title = forms.CharField(label="Encounter title", max_length=200)
    kind = forms.ChoiceField(label="Kind", choices=Encounter.Kind.choices)
    venue = forms.ChoiceField(label="Venue", choices=Encounter.Venue.choices)
    level = forms.ChoiceField(
        label="Level",
        choices=Encounter.Level.choices,
        help_text="Set from the principals' offices where the table of ranks knows them.",
    )
    start_date = forms.DateField(
        label="Date",
        help_text="The encounter's own calendar: Washington's date for a call, the local "
        "date in person.",
    )
    washington_date = forms.DateField(label="Washington's date", required=False)
    washington_date_note = forms.CharField(max_length=300, required=False, label="its source")
    beijing_date = forms.DateField(label="Beijing's date", required=False)
    beijing_date_note = forms.CharField(max_length=300, required=False, label="its source")
    initiated_by = forms.ChoiceField(label="Who asked", choices=Encounter.Initiator.choices)
    initiator_note = forms.CharField(label="The words", max_length=300, required=False)
    topics = forms.ModelMultipleChoiceField(
        queryset=Topic.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    target = forms.ChoiceField(label="Save as", widget=forms.RadioSelect)
    principal_count = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, matches=(), principal_count=0, **kwargs):
        super().__init__(*args, **kwargs)
        self.matches = list(matches)
        self.fields["target"].choices = [(NEW, "A new draft encounter")] + [
            (str(e.pk), f"Attach to {e.title} ({e.start_date:%-d %b %Y}): fill only what is empty")
            for e in self.matches
        ]
        self.principal_count = min(principal_count, MAX_PRINCIPALS)
        for i in range(self.principal_count):
            self.fields[f"p{i}_include"] = forms.BooleanField(required=False, label="take part")
            self.fields[f"p{i}_person"] = forms.CharField(
                required=False, max_length=200, label="person (slug)"
            )
            self.fields[f"p{i}_side"] = forms.ChoiceField(choices=SIDE_CHOICES, label="side")
            self.fields[f"p{i}_office"] = forms.CharField(
                required=False, max_length=200, label="office as written"
            )
            # Carried through the save step so a refused save shows them again.
            self.fields[f"p{i}_name"] = forms.CharField(required=False, widget=forms.HiddenInput)
            self.fields[f"p{i}_words"] = forms.CharField(required=False, widget=forms.HiddenInput)

    ENCOUNTER_FIELDS = (
        "target", "title", "kind", "venue", "level", "start_date", "washington_date",
        "washington_date_note", "beijing_date", "beijing_date_note", "initiated_by",
        "initiator_note", "topics",
    )  # fmt: skip
    SOURCE_FIELDS = (
        "side", "issuer", "language", "outlet", "source_title", "issued_on", "url",
        "copy_outlet", "text_is_excerpt", "text",
    )  # fmt: skip

    def encounter_fields(self):
        return [self[name] for name in self.ENCOUNTER_FIELDS]

    def source_bound_fields(self):
        return [self[name] for name in self.SOURCE_FIELDS]

    def principal_rows(self):
        return [
            {
                "include": self[f"p{i}_include"],
                "person": self[f"p{i}_person"],
                "side": self[f"p{i}_side"],
                "office": self[f"p{i}_office"],
                "name": self[f"p{i}_name"],
                "words": self[f"p{i}_words"],
            }
            for i in range(self.principal_count)
        ]

    def clean(self):
        data = super().clean()
        chosen, people = [], {}
        slugs = [
            (data.get(f"p{i}_person") or "").strip()
            for i in range(self.principal_count)
            if data.get(f"p{i}_include")
        ]
        people = {p.slug: p for p in Person.objects.filter(slug__in=[s for s in slugs if s])}
        for i in range(self.principal_count):
            if not data.get(f"p{i}_include"):
                continue
            slug = (data.get(f"p{i}_person") or "").strip()
            if slug not in people:
                self.add_error(
                    f"p{i}_person",
                    "Give the slug of a person in People (add them under People first)."
                    if slug
                    else "Give the person's slug, or untick “take part”.",
                )
                continue
            chosen.append((people[slug], data.get(f"p{i}_side"), data.get(f"p{i}_office", "")))
        data["principals"] = chosen
        for field in ("washington_date", "beijing_date"):
            if data.get(field) and not (data.get(f"{field}_note") or "").strip():
                self.add_error(f"{field}_note", "Name the source that states this date.")
        target = data.get("target")
        if target and target != NEW and not any(str(e.pk) == target for e in self.matches):
            self.add_error("target", "Choose one of the encounters listed.")
        return data

    def source_fields(self):
        data = self.cleaned_data
        fields = {
            "side": data["side"],
            "outlet": data["outlet"],
            "title": data["source_title"],
            "issuer": data["issuer"],
            "language": data["language"],
            "text": data["text"],
            "text_is_excerpt": data["text_is_excerpt"],
            "issued_on": data["issued_on"],
        }
        if data["copy_outlet"].strip():
            fields.update(copy_outlet=data["copy_outlet"].strip(), copy_url=data["url"])
        else:
            fields["url"] = data["url"]
        return fields

    def encounter_values(self):
        data = self.cleaned_data
        keys = (
            "title",
            "kind",
            "venue",
            "level",
            "start_date",
            "washington_date",
            "washington_date_note",
            "beijing_date",
            "beijing_date_note",
            "initiated_by",
            "initiator_note",
        )
        values = {key: data.get(key) for key in keys}
        values["topics"] = [topic.slug for topic in data.get("topics") or []]
        return values


# --- From a proposal to the form's initial values ---------------------------------------------


def proposal_initial(proposal, paste):
    """The confirm form's initial values from the parser's proposal."""
    p = proposal
    side = p.side.value or (p.principals[0].side if p.principals else Side.PRC)
    kind = p.kind.value or Encounter.Kind.MEETING
    start = p.start_date.value or p.stated_date.value
    initial = {
        **paste,
        "side": side,
        "issuer": p.issuer.value or "",
        "language": p.language.value,
        "source_title": p.title,
        "outlet": outlet_for(p.issuer.value, side),
        "issued_on": p.issued_on.value,
        "title": encounter_title(p),
        "kind": kind,
        "venue": venue_for(p),
        "level": level_for(p, start),
        "start_date": start,
        "initiated_by": p.initiated_by.value,
        "initiator_note": p.initiated_by.words[:300],
        "topics": list(Topic.objects.filter(slug__in=[t.value for t in p.topics])),
        "target": NEW,
        "principal_count": min(len(p.principals), MAX_PRINCIPALS),
    }
    note = f"{'PRC' if side == Side.PRC else 'US'} readout: “{p.stated_date.words}"
    if p.time_of_day.known:
        note += f" … {p.time_of_day.value}"
    note += "”"
    for field in ("washington_date", "beijing_date"):
        found = getattr(p, field)
        if found.known:  # the coding rules overwrite the one they compute, with the same date
            initial[field], initial[f"{field}_note"] = found.value, note[:300]
    for i, principal in enumerate(p.principals[:MAX_PRINCIPALS]):
        initial.update(
            {
                f"p{i}_include": bool(principal.person),
                f"p{i}_person": principal.person,
                f"p{i}_side": principal.side,
                f"p{i}_office": record_office(principal.side, principal.office) or principal.office,
                f"p{i}_words": principal.words,
                f"p{i}_name": principal.name,
            }
        )
    return initial


def outlet_for(issuer, side):
    if issuer:
        return Source.Issuer(issuer).label
    return "PRC official readout" if side == Side.PRC else "US official readout"


def encounter_title(p):
    kind = dict(Encounter.Kind.choices).get(p.kind.value, "encounter").lower()
    names = []
    for side in (Side.US, Side.PRC):
        lead = p.principals_on(side)
        if lead:
            name = lead[0].name
            names.append(name.split()[-1] if side == Side.US and " " in name else name)
    return (("–".join(names) + " " + kind) if names else kind.capitalize()).strip()[:200]


def venue_for(p):
    from engagements.domain.capitals import BEIJING, WASHINGTON

    if p.is_remote:
        return Encounter.Venue.REMOTE
    return {BEIJING: Encounter.Venue.PRC, WASHINGTON: Encounter.Venue.US}.get(
        p.date_zone, Encounter.Venue.THIRD_COUNTRY
    )


def level_for(p, date):
    from engagements.domain import ranks

    leads = [
        (x.side, x.person, record_office(x.side, x.office) or x.office)
        for x in p.principals
        if x.person
    ]
    derivation = ranks.derive_level(leads, date or datetime.date.today())
    return derivation.level or Encounter.Level.CABINET


def evidence(proposal):
    """(label, proposed value, words) rows shown beside the form."""
    p = proposal

    def show(found):
        value = found.value
        if value is None:
            return "unknown"
        return value.strftime("%-d %B %Y") if hasattr(value, "strftime") else str(value)

    rows = [
        ("Whose readout", show(p.side), p.side.words),
        ("Issued by", show(p.issuer), p.issuer.words),
        ("Language", show(p.language), ""),
        ("Readout's own date", show(p.issued_on), p.issued_on.words),
        ("Kind", show(p.kind), p.kind.words),
        ("Date the text gives", show(p.stated_date), p.stated_date.words),
        ("Time of day", show(p.time_of_day), p.time_of_day.words),
        ("Washington's date", show(p.washington_date), p.washington_date.words),
        ("Beijing's date", show(p.beijing_date), p.beijing_date.words),
        ("Who asked", show(p.initiated_by), p.initiated_by.words or "no words on who asked"),
    ]
    rows += [("Topic", t.value, t.words) for t in p.topics]
    return rows


# --- The view -------------------------------------------------------------------------------


def readout_intake(model_admin, request):
    """GET: the paste form. POST read: the proposal. POST save: the draft or the attachment."""
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Encounter._meta,
        "title": "Add an encounter from its readout",
        "max_chars": MAX_TEXT_CHARS,
    }
    if request.method != "POST":
        return render(request, {**context, "form": PasteForm()})
    if request.POST.get("step") == "save":
        return save_step(model_admin, request, context)
    form = PasteForm(request.POST)
    proposal = form.proposal(intake.people_directory()) if form.is_valid() else None
    if proposal is None:
        return render(request, {**context, "form": form}, status=400)
    paste = {key: form.cleaned_data[key] for key in ("text", "url", "text_is_excerpt")}
    initial = proposal_initial(proposal, paste)
    matches = matches_for(proposal, initial["start_date"])
    confirm = ProposalForm(
        initial=initial, matches=matches, principal_count=initial["principal_count"]
    )
    if matches:
        confirm.initial["target"] = str(matches[0].pk)
    return render(
        request,
        {**context, "form": confirm, "confirm": True, "evidence": evidence(proposal)},
    )


def matches_for(proposal, start_date):
    ids = {Side.US: [], Side.PRC: []}
    for principal in proposal.principals:
        if principal.person_id and principal.side in ids:
            ids[principal.side].append(principal.person_id)
    return list(intake.matching_encounters(start_date, ids))


def save_step(model_admin, request, context):
    count = request.POST.get("principal_count", "0")
    count = int(count) if count.isdigit() else 0
    matches = candidate_matches(request.POST.get("target", ""))
    form = ProposalForm(request.POST, matches=matches, principal_count=count)
    if not form.is_valid():
        return render(request, {**context, "form": form, "confirm": True}, status=400)
    target = form.cleaned_data["target"]
    try:
        if target == NEW:
            encounter = intake.create_draft(
                form.encounter_values(),
                form.source_fields(),
                form.cleaned_data["principals"],
                form.encounter_values()["topics"],
                by=request.user,
            )
            model_admin.message_user(
                request,
                f"Saved the draft “{encounter.title}” with the readout as its source. Check it "
                "and submit it for review.",
                messages.SUCCESS,
            )
        else:
            encounter = next(e for e in matches if str(e.pk) == target)
            discrepancies = intake.attach_readout(
                encounter,
                form.encounter_values(),
                form.source_fields(),
                form.cleaned_data["principals"],
            )
            model_admin.message_user(
                request,
                f"Attached the readout to “{encounter.title}”: empty fields filled; "
                f"{len(discrepancies)} discrepanc{'y' if len(discrepancies) == 1 else 'ies'} "
                "recorded where it differs from the record.",
                messages.SUCCESS,
            )
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
        return render(request, {**context, "form": form, "confirm": True}, status=400)
    return HttpResponseRedirect(reverse("admin:engagements_encounter_change", args=[encounter.pk]))


def candidate_matches(target):
    """The encounter a save names (re-read: the editor's list may be stale)."""
    if target.isdigit():
        return list(Encounter.objects.filter(pk=int(target)))
    return []


def render(request, context, status=200):
    return TemplateResponse(
        request, "admin/engagements/encounter/readout_intake.html", context, status=status
    )

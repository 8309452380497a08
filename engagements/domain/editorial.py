"""The editorial workflow behind the admin's encounter form.

- Roles: who may publish (the `publish_encounter` permission, held by the Publishers group).
- The publish checklist, checked against what is being submitted, inlines included.
- No lost updates: the form carries the version it was loaded at; the save is refused when the
  stored version moved on meanwhile, with a field-level account of what changed.
- The duplicate warning for a new encounter with the same date and principals as another.
- The public change log shown on detail pages.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import CharField, Value
from django.forms.formsets import DELETION_FIELD_NAME
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from engagements.domain import ranks
from engagements.domain.models import PUBLISH_PERMISSION
from engagements.models import Encounter, Participation, Quote, Side, Source

# Fields that say nothing to an editor or a researcher when they change.
BOOKKEEPING_FIELDS = ["version", "created_at", "updated_at", "published_at"]
PARTS = {Participation: "Participant", Source: "Source", Quote: "Quote"}


def can_publish(user):
    return user.has_perm(PUBLISH_PERMISSION)


class Submission:
    """One save of the encounter form with its inlines: the checks that need them together.

    The publish checklist must see what is being submitted (the summary in the form, the
    principals and sources in the inlines), and the duplicate warning the form's date with the
    inlines' principals. Django's admin cleans the form, then each inline formset in turn, and
    offers no hook that sees them all before it saves. So EncounterAdmin makes one Submission
    per request (changeform_view, history_form_view) and hands it to the form class (get_form)
    and to each inline formset (get_formset_kwargs); each registers itself here, and the
    participants' formset runs `check()` from its clean(), cleaning the sources' formset it needs.

    `with_inlines` is False where the form is saved without inlines (restoring a version from
    the history): the form then checks the stored participants and sources itself.
    """

    def __init__(self, with_inlines=True):
        self.with_inlines = with_inlines
        self.form = None
        self.formsets = {}

    def check(self, participants):
        """Add the form's errors for what stops this save; return the formset's errors."""
        form = self.form
        if form is None or not self.with_inlines or not hasattr(form, "cleaned_data"):
            return []
        principals = [p for p in participants if p.get("role") in Participation.LEAD_ROLES]
        sources = self.formsets[Source].kept_rows() if Source in self.formsets else None
        errors = []
        if form.cleaned_data.get("status") == Encounter.Status.PUBLISHED and sources is not None:
            problems = form.instance.publish_problems(
                summary=form.cleaned_data.get("summary", ""),
                principal_sides={p.get("side") for p in principals},
                source_count=len(sources),
            )
            if problems:
                form.add_error("status", publish_blocked_error(problems))
                errors.append("Not saved: the encounter is not ready to publish (see Status).")
        level_error = apply_level_rule(form, principals)
        if level_error:
            form.add_error("level", level_error)
            errors.append(
                "Not saved: no level can be derived (see Level)."
                if level_error == LEVEL_NOT_DERIVABLE
                else "Not saved: the level contradicts the principals' offices (see Level)."
            )
        if not form.instance.pk and not form.cleaned_data.get("confirm_not_duplicate"):
            form.duplicates = find_duplicates(
                form.cleaned_data.get("start_date"), [p["person"] for p in principals]
            )
            if form.duplicates:
                form.add_error(
                    "confirm_not_duplicate",
                    "An encounter with the same date and principals already exists (listed "
                    "above). Tick this box to save anyway.",
                )
                errors.append("Not saved: this may duplicate an existing encounter.")
        return errors


LEVEL_NOT_DERIVABLE = (
    "No level can be derived: a side has no principal, or an office is not in the table of "
    "ranks. Add the principals with their offices, or choose one."
)


def apply_level_rule(form, principals):
    """Derive the level from the submitted principals; return an error, or None.

    Without an override reason the level follows the rule; a level the editor changed to
    something else needs the reason.
    """
    start_date = form.cleaned_data.get("start_date")
    if start_date is None:
        return None
    leads = [
        (p.get("side"), p["person"].slug, p.get("office", ""))
        for p in principals
        if p.get("person") is not None
    ]
    derived = ranks.derive_level(leads, start_date).level or ""
    # Saved with the encounter, so that its row satisfies the override constraint.
    form.instance.derived_level = derived
    level = form.cleaned_data.get("level")
    if not level:
        # Left empty, as its help asks: the rule fills it in, or says why it cannot.
        if not derived:
            return LEVEL_NOT_DERIVABLE
        form.cleaned_data["level"] = form.instance.level = derived
        return None
    reason = (form.cleaned_data.get("level_override_reason") or "").strip()
    if not derived or reason or level == derived:
        return None
    if "level" in form.changed_data:
        label = Encounter.Level(derived).label
        return (
            f"The coding rule gives “{label}” from the principals' offices at the date. To "
            "code it otherwise, give the reason in “Level override reason”."
        )
    form.cleaned_data["level"] = form.instance.level = derived
    return None


class EncounterAdminForm(forms.ModelForm):
    """The encounter form, set up per request by EncounterAdmin.get_form().

    No Meta: the admin builds it for Encounter with the fields of its fieldsets.
    """

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    loaded_at = forms.CharField(widget=forms.HiddenInput, required=False)
    change_note = forms.CharField(
        required=False,
        max_length=100,
        label="Note on this change",
        help_text="Optional: what you changed and why, e.g. “Corrected the date (was 3 May)”. "
        "Once the encounter is published, notes appear in its public change log.",
    )
    confirm_not_duplicate = forms.BooleanField(
        required=False,
        label="Save anyway: this is not a duplicate",
        help_text="Tick only after checking the encounters listed above.",
    )

    # Set by EncounterAdmin.get_form() for the requesting user and request.
    user_can_publish = False
    submission = None
    # True on the history's "restore this version" form.
    restoring_history = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict = None
        self.duplicates = []
        if self.submission is None:  # outside the admin: no inlines, check stored rows
            self.submission = Submission(with_inlines=False)
        self.submission.form = self
        stored = self.stored_state()
        if not self.is_bound:
            self.initial["loaded_version"] = stored["version"] if stored else None
            self.initial["loaded_at"] = timezone.now().isoformat()
        if "slug" in self.fields and not self.instance.pk:
            # Filled from the title and date on save (Encounter.slug_for), or typed.
            self.fields["slug"].required = False
        if "level" in self.fields:
            # Derived from the principals on save; typed only to override the rule.
            self.fields["level"].required = False
        if self.restoring_history and stored:
            self.keep_publication(stored)
        elif "status" in self.fields:
            self.limit_status_choices(stored["status"] if stored else None)

    def stored_state(self):
        if not self.instance.pk:
            return None
        return (
            Encounter.objects.filter(pk=self.instance.pk)
            .values("version", "status", "published_at")
            .first()
        )

    def keep_publication(self, stored):
        """Restoring a version restores its content only: whether and since when the encounter
        is published stays as it is (publishing is the publisher's separate act), so an old
        draft version neither unpublishes it nor gives it a new first-published date."""
        self.instance.status = stored["status"]
        self.instance.published_at = stored["published_at"]
        if "status" in self.fields:
            self.initial["status"] = stored["status"]
            self.fields["status"].disabled = True
            self.fields[
                "status"
            ].help_text = (
                "Restoring a version keeps the current status; publish or unpublish separately."
            )

    def limit_status_choices(self, stored_status):
        """Editors save drafts and submit them for review; only publishers publish."""
        if self.user_can_publish:
            return
        field = self.fields["status"]
        if stored_status == Encounter.Status.PUBLISHED:
            # An editor may correct a published encounter but not unpublish it.
            field.disabled = True
            field.help_text = "Published. Only a publisher can unpublish it."
            return
        field.choices = [
            choice for choice in field.choices if choice[0] != Encounter.Status.PUBLISHED
        ]
        field.help_text = "Save as a draft, or submit it for review; a publisher publishes it."

    def clean_status(self):
        status = self.cleaned_data["status"]
        stored = self.stored_state()
        stored_status = stored["status"] if stored else None
        published = Encounter.Status.PUBLISHED
        changes_publication = published in (status, stored_status) and status != stored_status
        if changes_publication and not self.user_can_publish:
            raise ValidationError("Only a publisher can publish or unpublish an encounter.")
        return status

    def clean(self):
        cleaned = super().clean()
        if self.slug_to_fill(cleaned):
            cleaned["slug"] = Encounter.slug_for(cleaned["title"], cleaned["start_date"])
        for field, message in self.instance.unsourced_capital_dates().items():
            if field in self.fields:
                self.add_error(field, message)
        if self.instance.pk:
            self.check_not_stale()
        if "level" in self.fields and not cleaned.get("level") and not self.submission.with_inlines:
            # No inlines to derive it from here: keep the stored level.
            if self.instance.pk and self.instance.level:
                cleaned["level"] = self.instance.level
            else:
                self.add_error("level", LEVEL_NOT_DERIVABLE)
        if (
            not self.submission.with_inlines
            and cleaned.get("status") == Encounter.Status.PUBLISHED
            and self.instance.pk
        ):
            # No inlines in this form: check the stored participants and sources.
            problems = self.instance.publish_problems(summary=cleaned.get("summary", ""))
            if problems:
                self.add_error("status", publish_blocked_error(problems))
        return cleaned

    def slug_to_fill(self, cleaned):
        return (
            "slug" in self.fields
            and not cleaned.get("slug")
            and "slug" not in self.errors
            and cleaned.get("title")
            and cleaned.get("start_date")
        )

    def check_not_stale(self):
        """Refuse the save if someone saved this encounter since this form was loaded.

        The admin runs the whole request in a transaction; the row lock taken here holds until
        it commits, so two saves of the same version cannot both pass.
        """
        loaded = self.cleaned_data.get("loaded_version")
        current = (
            Encounter.objects.select_for_update()
            .filter(pk=self.instance.pk)
            .values_list("version", flat=True)
            .first()
        )
        if loaded is None or current is None or loaded == current:
            return
        since = parse_datetime(self.cleaned_data.get("loaded_at") or "")
        self.conflict = changes_since(self.instance.pk, since, loaded)
        who = ", ".join(self.conflict["users"]) or "another editor"
        raise ValidationError(
            f"Not saved: {who} changed this encounter after you opened it. Their changes are "
            "listed above. Your edits are still in this form: open the encounter again in "
            "a new tab, re-apply what you need there and save it.",
            code="stale",
        )

    def save(self, commit=True):
        note = self.cleaned_data.get("change_note")
        if note:
            self.instance._change_reason = note
        return super().save(commit)


def publish_blocked_error(problems):
    return ValidationError(["This encounter cannot be published yet."] + problems)


class EncounterPartFormSet(BaseInlineFormSet):
    """An inline formset of the encounter form: registers with the request's Submission."""

    def __init__(self, *args, submission=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.submission = submission or Submission(with_inlines=False)
        self.submission.formsets[self.model] = self

    def kept_rows(self):
        """The cleaned data of the rows that will exist after this save (None if invalid)."""
        if not self.is_valid():
            return None
        return self.kept_rows_unchecked()

    def kept_rows_unchecked(self):
        # Also called from clean(), where the forms are cleaned but is_valid() would recurse.
        return [
            form.cleaned_data
            for form in self.forms
            if getattr(form, "cleaned_data", None)
            and not form.cleaned_data.get(DELETION_FIELD_NAME, False)
        ]


class ParticipationFormSet(EncounterPartFormSet):
    """Runs the Submission's checks once its rows are cleaned (publish, duplicates)."""

    def clean(self):
        super().clean()
        errors = self.submission.check(self.kept_rows_unchecked())
        if errors:
            raise ValidationError(errors)


class QuoteForm(forms.ModelForm):
    """A quote, attributed to a source of this encounter: chosen from the saved ones, or named by
    the address of one added in the Sources section of the same save (a new encounter has no
    saved source to choose until its first save)."""

    source_url = forms.URLField(
        label="or the source's address",
        required=False,
        max_length=500,
        help_text="For a source added above in this same save: its URL, as entered there.",
    )

    class Meta:
        model = Quote
        fields = ["text", "speaker", "speaker_description", "context", "source", "language"]

    def save(self, commit=True):
        address = self.cleaned_data.get("source_url")
        if address and not self.instance.source_id:
            # The Sources inline is saved before this one (EncounterAdmin.inlines' order).
            self.instance.source = self.instance.encounter.sources.filter(url=address).first()
        return super().save(commit)


class QuoteFormSet(EncounterPartFormSet):
    """Checks each quote's source address against the sources this save keeps."""

    def clean(self):
        super().clean()
        addresses = self.kept_source_addresses()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get(DELETION_FIELD_NAME) or not data.get("source_url"):
                continue
            chosen = data.get("source")
            if chosen is not None and chosen.url != data["source_url"]:
                form.add_error("source_url", "Choose the source or give its address, not both.")
            elif addresses is not None and data["source_url"] not in addresses:
                form.add_error(
                    "source_url",
                    "No source in the Sources section has this address: add it there first.",
                )

    def kept_source_addresses(self):
        """The URLs of the sources this save keeps (None when the sources are not in it)."""
        sources = self.submission.formsets.get(Source)
        if sources is None:
            return {source.url for source in Source.objects.filter(encounter=self.instance)}
        rows = sources.kept_rows()
        return None if rows is None else {row.get("url") for row in rows if row.get("url")}


def find_duplicates(start_date, principals):
    """Encounters on the same date with the same principals (as a set)."""
    if not start_date or not principals:
        return []
    wanted = {person.pk for person in principals}
    candidates = Encounter.objects.filter(start_date=start_date).with_list_data()[:20]
    return [
        encounter
        for encounter in candidates
        if {p.person_id for p in encounter.principal_participations} == wanted
    ]


# --- What changed since a version was loaded ---------------------------------------------------


def changes_since(encounter_id, since, loaded_version):
    """Field-level account of changes to an encounter and its parts after `since`.

    Returns {"users": [...], "changes": [{"what", "before", "after", "who", "when"}]}.
    Uses django-simple-history's records: the encounter as it was when the form was loaded is
    compared with how it is now; participants, sources and quotes list each change since.
    """
    history = Encounter.history.filter(id=encounter_id).select_related("history_user")
    if since is None:  # no timestamp: fall back to the record of the loaded version
        loaded_record = history.filter(version__lte=loaded_version).order_by("-history_date")
        loaded_record = loaded_record.first()
        since = loaded_record.history_date if loaded_record else timezone.now()
    else:
        loaded_record = history.filter(history_date__lte=since).order_by("-history_date").first()
    latest = history.order_by("-history_date").first()
    changes, users = [], set()
    if loaded_record and latest and latest.pk != loaded_record.pk:
        users.add(user_label(latest.history_user))
        delta = latest.diff_against(loaded_record, excluded_fields=BOOKKEEPING_FIELDS)
        for change in delta.changes:
            field = Encounter._meta.get_field(change.field)
            changes.append(
                {
                    "what": str(field.verbose_name).capitalize(),
                    "before": display_value(field, change.old),
                    "after": display_value(field, change.new),
                    "who": user_label(latest.history_user),
                    "when": latest.history_date,
                }
            )
    for model, label in PARTS.items():
        records = (
            model.history.filter(encounter_id=encounter_id, history_date__gt=since)
            .select_related("history_user")
            .order_by("history_date")[:50]
        )
        for record in records:
            users.add(user_label(record.history_user))
            changes.append(describe_part_record(record, label))
    return {"users": sorted(users), "changes": changes}


def describe_part_record(record, label):
    who, when = user_label(record.history_user), record.history_date
    text = part_label(record)
    if record.history_type == "+":
        return {"what": f"{label} added", "before": "", "after": text, "who": who, "when": when}
    if record.history_type == "-":
        return {
            "what": f"{label} removed",
            "before": text,
            "after": "",
            "who": who,
            "when": when,
        }
    previous = record.prev_record
    before, after = [], []
    if previous is not None:
        for change in record.diff_against(previous).changes:
            name = record.instance._meta.get_field(change.field).verbose_name
            before.append(f"{name}: {change.old}")
            after.append(f"{name}: {change.new}")
    return {
        "what": f"{label} changed ({text})",
        "before": "; ".join(before),
        "after": "; ".join(after),
        "who": who,
        "when": when,
    }


def part_label(record):
    instance = record.instance
    if isinstance(instance, Participation):
        return f"{instance.person.name}, {instance.get_side_display()}"
    return str(instance)


def display_value(field, value):
    if value in (None, ""):
        return "(empty)"
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    return text if len(text) <= 300 else text[:297] + "…"


def user_label(user):
    if user is None:
        return "a script or import"
    return user.get_full_name() or user.get_username()


# --- The public change log -------------------------------------------------------------------

PUBLIC_LOG_LENGTH = 5
# Fields whose change is not worth telling researchers about on its own.
NOT_NEWS = [*BOOKKEEPING_FIELDS, "status", "provenance", "slug"]


def public_change_log(encounter, limit=PUBLIC_LOG_LENGTH):
    """The last changes editors made to a published encounter since it was first published.

    Two queries (the encounter's history, and its parts' histories in one UNION), however long
    the history. Editors' names are not shown to the public; their notes are.
    """
    if encounter.published_at is None:
        return []
    since = encounter.published_at
    records = list(
        Encounter.history.filter(id=encounter.pk).order_by("-history_date")[: limit * 2 + 1]
    )
    entries = []
    for newer, older in zip(records, records[1:], strict=False):
        if newer.history_date < since:
            break
        published = Encounter.Status.PUBLISHED
        if older.status != published and newer.status == published:
            entries.append((newer.history_date, "Published."))
            continue
        if newer.history_user_id is None:
            continue  # a loader's or script's save (seed, import): how it was loaded, not news
        changed = [
            str(Encounter._meta.get_field(c.field).verbose_name)
            for c in newer.diff_against(older, excluded_fields=NOT_NEWS).changes
        ]
        if newer.history_change_reason:
            entries.append((newer.history_date, newer.history_change_reason))
        elif changed:
            entries.append((newer.history_date, "Updated: " + ", ".join(changed) + "."))
    # The three parts' histories in one query (UNION ALL), newest first.
    parts = [
        # Only editors' changes: loaders add an encounter's parts after publishing it.
        model.history.filter(
            encounter_id=encounter.pk, history_date__gt=since, history_user__isnull=False
        )
        .annotate(part=Value(label, output_field=CharField()))
        .values_list("history_date", "history_type", "part")
        .order_by()
        for model, label in PARTS.items()
    ]
    verbs = {"+": "added", "-": "removed", "~": "corrected"}
    union = parts[0].union(*parts[1:], all=True).order_by("-history_date")[:limit]
    for date, history_type, label in union:
        entries.append((date, f"{label} {verbs[history_type]}."))
    entries.sort(key=lambda entry: entry[0], reverse=True)
    return [{"date": date, "text": text} for date, text in entries[:limit]]


# Sides of a principal, for the checklist's wording.
__all__ = ["Side", "EncounterAdminForm", "ParticipationFormSet", "public_change_log"]

import re

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.contrib.postgres.search import SearchQuery
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection, router, transaction
from django.db.models import Prefetch
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.views.generic import TemplateView
from import_export.admin import ImportMixin
from simple_history.admin import SimpleHistoryAdmin as LibraryHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from engagements.domain.checks import find_problems, find_warnings
from engagements.domain.editorial import (
    EncounterAdminForm,
    EncounterPartFormSet,
    ParticipationFormSet,
    QuoteForm,
    QuoteFormSet,
    Submission,
    can_publish,
)
from engagements.domain.signals import encounter_changes_batched
from engagements.hsg.report import build_report
from engagements.models import (
    SEARCH_CONFIG,
    CorrectionRequest,
    Discrepancy,
    Encounter,
    Participation,
    Person,
    Place,
    Quote,
    RemovedEncounter,
    Source,
    Topic,
)
from engagements.surfaces.importing import (
    CheckedCSV,
    EncounterResource,
    FileProblem,
    Preview,
    UploadExpired,
)
from engagements.surfaces.readout_intake import readout_intake

admin.site.site_header = "US–China Engagement Tracker: editors"
admin.site.site_title = "Engagement Tracker admin"


def require_number(value):
    """History pages take numeric ids only; anything else is a 404, not a query's 500."""
    if not (str(value).isascii() and str(value).isdigit()):
        raise Http404("No such record.")


class SimpleHistoryAdmin(LibraryHistoryAdmin):
    """django-simple-history's admin, showing each change in full, and answering 404 for a
    history address whose ids are not numbers.

    Its default cuts values to 100 characters ("A mad[39 chars]kflow"), which hides what an
    editor changed in a summary; related rows are shown by name, never by id.
    """

    def history_view(self, request, object_id, extra_context=None):
        require_number(object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        require_number(object_id)
        require_number(version_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    # The library's list with its one inline style removed (the Content-Security-Policy refuses
    # inline styles); otherwise the same template.
    object_history_list_template = "admin/engagements/object_history_list.html"

    def get_historical_record_context_helper(self, request, historical_record):
        return HistoricalRecordContextHelper(
            self.model, historical_record, max_displayed_delta_change_chars=SHOW_IN_FULL
        )


SHOW_IN_FULL = 1_000_000


class EstimatedCountPaginator(Paginator):
    """Counts an unfiltered large table from PostgreSQL's statistics instead of COUNT(*).

    With 100,000 encounters an exact COUNT on every changelist page costs more than the page
    itself; pg_class.reltuples (kept by autovacuum/ANALYZE) is close enough to number pages.
    Filtered and small tables are counted exactly.
    https://wiki.postgresql.org/wiki/Count_estimate
    """

    EXACT_BELOW = 10_000

    @cached_property
    def count(self):
        queryset = self.object_list
        if getattr(queryset, "query", None) is not None and not queryset.query.where:
            estimate = self.estimate(queryset.model._meta.db_table)
            if estimate >= self.EXACT_BELOW:
                return estimate
        return super().count

    @staticmethod
    def estimate(table):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [table]
            )
            row = cursor.fetchone()
        return max(row[0], 0) if row else 0


class ParticipationInline(admin.TabularInline):
    model = Participation
    formset = ParticipationFormSet
    extra = 1
    autocomplete_fields = ["person"]
    fields = ["person", "side", "role", "office", "start_date", "end_date", "order"]


# A readout's own record, kept apart from what every source has: only US and PRC readouts fill it
# (constraint source_readout_fields_only_on_readouts), so it stays folded for other sources.
SOURCE_FIELDSETS = [
    (
        None,
        {
            "fields": [
                ("kind", "outlet"),
                "title",
                ("url", "published_on"),
                "external_id",
                "note",
            ]
        },
    ),
    (
        "Readout (US or PRC official readouts only)",
        {
            "classes": ["collapse"],
            "description": "The issuing body, the language and the text as published, with the "
            "date and time the readout gives for itself. Where only the opening could be read, "
            "paste that and tick “text is an excerpt”; the URL above gives the whole. Where the "
            "text was read from a faithful copy, name who republished it and where.",
            "fields": [
                ("issuer", "language"),
                "text",
                "text_is_excerpt",
                ("issued_on", "issued_time", "issued_time_zone"),
                ("copy_outlet", "copy_url"),
            ],
        },
    ),
]


class SourceInline(admin.StackedInline):
    model = Source
    formset = EncounterPartFormSet
    extra = 0
    fieldsets = SOURCE_FIELDSETS


class QuoteInline(admin.StackedInline):
    model = Quote
    form = QuoteForm
    formset = QuoteFormSet
    extra = 0
    autocomplete_fields = ["speaker"]
    fields = [
        "text",
        ("speaker", "speaker_description"),
        "context",
        ("source", "source_url"),
        "language",
    ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Offer only this encounter's sources, never a <select> of every source in the database.
        if db_field.name == "source":
            encounter_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Source.objects.filter(encounter_id=encounter_id or 0)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Encounter)
class EncounterAdmin(ImportMixin, SimpleHistoryAdmin):
    form = EncounterAdminForm
    list_display = [
        "title",
        "start_date",
        "principals",
        "kind",
        "level",
        "status_badge",
        "provenance",
    ]
    list_filter = ["status", "kind", "level", "venue", "initiated_by", "provenance", "occurrence"]
    list_select_related = ["place"]
    list_per_page = 50
    paginator = EstimatedCountPaginator
    search_fields = ["title", "slug"]
    search_help_text = (
        'Full-text search (web syntax: climate -Kerry, "joint statement") or an exact slug.'
    )
    date_hierarchy = "start_date"
    # No prepopulated slug: the admin's script drops a dash between words ("rubiowang-yi");
    # the form fills an empty slug with Encounter.slug_for() instead.
    autocomplete_fields = ["place", "topics", "parent"]
    inlines = [ParticipationInline, SourceInline, QuoteInline]
    readonly_fields = ["cameo_code", "derived_level", "published_at", "created_at", "updated_at"]
    show_full_result_count = False
    save_on_top = True
    actions = ["submit_for_review", "publish_selected", "unpublish_selected"]
    object_history_template = "admin/engagements/encounter/object_history.html"
    change_form_template = "admin/engagements/encounter/change_form.html"
    # Bulk import (publishers only: IMPORT_EXPORT_IMPORT_PERMISSION_CODE in settings).
    resource_classes = [EncounterResource]
    import_formats = [CheckedCSV]
    from_encoding = "utf-8-sig"  # also accepts the byte-order mark spreadsheets write
    import_error_display = ("message", "row")
    import_template_name = "admin/engagements/encounter/import.html"
    # The list's tools: import, and "Add from a readout" (engagements/surfaces/readout_intake.py).
    import_export_change_list_template = "admin/engagements/encounter/change_list.html"
    fieldsets = [
        (
            None,
            {"fields": ["title", "slug", "status", "occurrence", "loaded_version", "loaded_at"]},
        ),
        (
            "What and who",
            {
                "fields": [
                    ("kind", "venue", "level", "derived_level"),
                    "level_override_reason",
                    ("initiated_by", "initiator_source"),
                    "initiator_note",
                    "parent",
                ]
            },
        ),
        (
            "When and where",
            {
                "fields": [
                    ("start_date", "end_date", "date_precision"),
                    ("local_start_time", "time_zone", "duration_minutes"),
                    ("washington_date", "washington_date_note"),
                    ("beijing_date", "beijing_date_note"),
                    "place",
                ]
            },
        ),
        ("Content", {"fields": [("tone", "tone_note"), "summary", "outcomes", "topics"]}),
        ("This change", {"fields": ["change_note"]}),
        (
            "Record",
            {
                "classes": ["collapse"],
                "fields": [
                    "provenance",
                    "cameo_code",
                    "published_at",
                    "created_at",
                    "updated_at",
                ],
            },
        ),
    ]

    # --- Add from a readout ---------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view(self.readout_intake_view)
        return [
            path("from-readout/", view, name="engagements_encounter_from_readout"),
            *super().get_urls(),
        ]

    def readout_intake_view(self, request):
        """Paste a readout, check what it proposes, save a draft (editors who may add)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        return readout_intake(self, request)

    # --- Changelist --------------------------------------------------------------------------

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name.endswith("changelist"):
            # Principals for the whole page in one extra query.
            queryset = queryset.prefetch_related(
                Prefetch(
                    "participations",
                    queryset=Participation.objects.principals().select_related("person"),
                    to_attr="principal_participations",
                )
            )
        return queryset

    @admin.display(description="Principals")
    def principals(self, obj):
        people = getattr(obj, "principal_participations", [])
        return ", ".join(p.person.name for p in people) or "—"

    @admin.display(description="Status", ordering="status")
    def status_badge(self, obj):
        return obj.get_status_display()

    @admin.display(description="CAMEO code")
    def cameo_code(self, obj):
        return obj.cameo_code

    def get_search_results(self, request, queryset, search_term):
        """Search the stored tsvector (GIN index) rather than ILIKE over every row."""
        if not search_term.strip():
            return queryset, False
        term = search_term.strip()
        if SLUG_LIKE.fullmatch(term):
            # A slug or its beginning: in web syntax "-import" would mean "without import".
            words = SearchQuery(term.replace("-", " "), config=SEARCH_CONFIG)
            by_slug = queryset.filter(slug__startswith=term)
            return queryset.filter(search_vector=words) | by_slug, False
        query = SearchQuery(term, search_type="websearch", config=SEARCH_CONFIG)
        by_slug = queryset.filter(slug=term)
        return queryset.filter(search_vector=query) | by_slug, False

    def view_on_site(self, obj):
        """Published: the public page. Otherwise: the staff-only preview of it."""
        if obj.is_published:
            return obj.get_absolute_url()
        return reverse("encounter-preview", kwargs={"slug": obj.slug})

    # --- Roles ---------------------------------------------------------------------------------

    def has_publish_permission(self, request):
        return can_publish(request.user)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.user_can_publish = can_publish(request.user)
        form.submission = getattr(request, "encounter_submission", None)
        form.restoring_history = getattr(request, "restoring_history", False)
        return form

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        adminform = context.get("adminform")
        if adminform is not None and adminform.form.duplicates:
            # Show the "save anyway" box only once there is something to confirm.
            fieldsets = [
                ("Possible duplicate", {"fields": ["confirm_not_duplicate"]}),
                *adminform.fieldsets,
            ]
            context["adminform"] = helpers.AdminForm(
                adminform.form,
                fieldsets,
                self.get_prepopulated_fields(request, obj),
                self.get_readonly_fields(request, obj),
                model_admin=self,
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """Add and change: the form and its inlines checked together, saved in one batch.

        The Submission carries the checks that need the form and the inlines together
        (engagements/domain/editorial.py); the batch bumps the version and rebuilds the search
        document once for the whole save, not once per inline row (engagements/domain/signals.py).
        """
        request.encounter_submission = Submission(with_inlines=True)
        database = router.db_for_write(self.model)
        with transaction.atomic(using=database), encounter_changes_batched():
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        return {
            **super().get_formset_kwargs(request, obj, inline, prefix),
            "submission": getattr(request, "encounter_submission", None),
        }

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "initiator_source":
            # Only this encounter's own sources can support its initiator.
            object_id = str(request.resolver_match.kwargs.get("object_id", ""))
            encounter_id = int(object_id) if object_id.isdigit() else None
            kwargs["queryset"] = Source.objects.filter(encounter_id=encounter_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # --- Actions -------------------------------------------------------------------------------

    @admin.action(description="Submit selected drafts for review", permissions=["change"])
    def submit_for_review(self, request, queryset):
        self.apply_transition(
            request, queryset, Encounter.submit_for_review, "{} encounter(s) submitted for review."
        )

    @admin.action(description="Publish selected encounters", permissions=["publish"])
    def publish_selected(self, request, queryset):
        self.apply_transition(
            request, queryset, Encounter.publish, "Published {} encounter(s).", "Not published"
        )

    @admin.action(description="Unpublish selected encounters", permissions=["publish"])
    def unpublish_selected(self, request, queryset):
        self.apply_transition(
            request,
            queryset,
            Encounter.unpublish,
            "Unpublished {} encounter(s); they are drafts again.",
        )

    def apply_transition(self, request, queryset, transition, done, refused="Not changed"):
        """Apply one of Encounter's editorial transitions to the selected rows, by this user.

        One transaction, rows locked; rows the transition does not apply to are left as they
        are, and each row it refuses is reported with its reasons.
        """
        count, blocked = 0, []
        with transaction.atomic():
            for encounter in queryset.select_for_update(of=("self",)):
                try:
                    count += transition(encounter, by=request.user)
                except ValidationError as error:
                    blocked.append((encounter, error.messages))
        if count or not blocked:
            self.message_user(request, done.format(count))
        for encounter, problems in blocked:
            self.message_user(
                request, f"{refused}: {encounter}: {' '.join(problems)}", messages.ERROR
            )

    # --- History ---------------------------------------------------------------------------

    def history_view(self, request, object_id, extra_context=None):
        """The encounter's own history, then its participants', sources' and quotes'."""
        require_number(object_id)
        parts = []
        for model, label, related in PART_HISTORIES:
            records = (
                model.history.filter(encounter_id=object_id)
                .select_related("history_user", *related)
                .order_by("-history_date", "-history_id")[:PART_HISTORY_LENGTH]
            )
            parts.append({"label": label, "records": describe_part_history(records)})
        extra_context = {**(extra_context or {}), "part_histories": parts}
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """Restore an earlier version: inside a transaction, checked like any other save."""
        request.encounter_submission = Submission(with_inlines=False)
        request.restoring_history = True  # the form keeps publication as it is
        database = router.db_for_write(self.model)
        with transaction.atomic(using=database), encounter_changes_batched():
            return super().history_form_view(request, object_id, version_id, extra_context)

    # --- Import ----------------------------------------------------------------------------------

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        result = getattr(response, "context_data", {}).get("result")
        if result is not None:
            # A 10,000-row dry run once made a 14.7 MB page: show counts and the first rows.
            response.context_data["preview"] = Preview(result)
        return response

    def process_import(self, request, **kwargs):
        # A confirmation sent twice (the first one used the upload up), naming an upload that
        # is not in the cache, or naming a format or resource there is not, gets a message and
        # the upload form, not a server error.
        try:
            if self.confirmation_is_forged(request):
                raise UploadExpired
            return super().process_import(request, **kwargs)
        except UploadExpired:
            self.message_user(
                request,
                "Nothing was imported: this upload has already been imported or has expired. "
                "Upload the file again if it still needs importing.",
                messages.ERROR,
            )
            return HttpResponseRedirect(reverse("admin:engagements_encounter_import"))

    def add_data_read_fail_error_to_form(self, form, e):
        # What is wrong with the file, and on which line, rather than the exception's name.
        if isinstance(e, FileProblem):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def confirmation_is_forged(self, request):
        """The confirmation's format and resource are indexes the upload form never offers."""
        choices = {
            "format": len(self.get_import_formats()),
            "resource": len(self.get_import_resource_classes(request)),
        }
        for name, count in choices.items():
            value = request.POST.get(name) or "0"  # absent or empty: the first
            if not (value.isascii() and value.isdigit() and int(value) < count):
                return True
        return False

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            # Rows went bad between the dry run and the confirmation: nothing was saved.
            self.message_user(
                request,
                "Nothing was imported: some rows are no longer valid. Upload the file again "
                "to see them.",
                messages.ERROR,
            )
            return HttpResponseRedirect(reverse("admin:engagements_encounter_import"))
        return super().process_result(result, request)


SLUG_LIKE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)+")

PART_HISTORIES = [
    (Participation, "Participants", ["person"]),
    (Source, "Sources", []),
    (Quote, "Quotes", ["speaker"]),
]
PART_HISTORY_LENGTH = 50


def describe_part_history(records):
    """Rows for the history page: when, who, what and which fields changed.

    Each change is compared with the previous record of the same row when that is among the
    records shown, so the page costs a fixed number of queries.
    """
    records = list(records)
    rows = []
    for index, record in enumerate(records):
        older = next((r for r in records[index + 1 :] if r.id == record.id), None)
        changes = ""
        if record.history_type == "~" and older is not None:
            # Related rows as objects, shown by name (a quote's source), not as raw ids.
            delta = record.diff_against(older, foreign_keys_are_objs=True)
            changes = "; ".join(
                f"{c.field}: {shown(c.old)} → {shown(c.new)}" for c in delta.changes
            )
        rows.append({"record": record, "object": part_record_label(record), "changes": changes})
    return rows


def shown(value):
    return "—" if value in (None, "") else str(value)


def part_record_label(record):
    """A historical participant, source or quote in words, from its own (joined) row."""
    if hasattr(record, "role"):
        return f"{record.person.name} ({record.get_side_display()}, {record.get_role_display()})"
    if hasattr(record, "outlet"):
        return f"{record.outlet}: {record.title}" if record.title else record.outlet
    text = record.text if len(record.text) <= 60 else record.text[:57] + "…"
    speaker = record.speaker.name if record.speaker_id else record.speaker_description
    return f"“{text}” ({speaker})"


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ["name", "name_zh", "side"]
    list_filter = ["side"]
    search_fields = ["name__unaccent", "name_zh", "slug", "aliases__unaccent"]
    prepopulated_fields = {"slug": ["name"]}


class CoordinatesFilter(admin.SimpleListFilter):
    title = "coordinates"
    parameter_name = "coordinates"

    def lookups(self, request, model_admin):
        return [("missing", "Missing (not on the map)"), ("given", "Given")]

    def queryset(self, request, queryset):
        if self.value() in ("missing", "given"):
            return queryset.filter(latitude__isnull=self.value() == "missing")
        return queryset


NO_COORDINATES = "{} has no coordinates: its encounters are not on the public map (/map/)."


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    """Places, with a warning wherever one lacks the coordinates the map needs."""

    list_display = ["name", "city", "country", "on_the_map"]
    list_filter = [CoordinatesFilter, "country"]
    search_fields = ["name", "city", "country"]

    @admin.display(boolean=True, description="on the map")
    def on_the_map(self, place):
        return place.latitude is not None

    def changelist_view(self, request, extra_context=None):
        missing = Place.objects.filter(latitude__isnull=True).count()
        if missing and request.method == "GET":
            messages.warning(
                request,
                f"{missing} place{'s' if missing != 1 else ''} ha{'ve' if missing != 1 else 's'}"
                " no coordinates and cannot be drawn on the public map: filter by "
                "“coordinates: missing” and add a latitude and longitude.",
            )
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        place = self.get_object(request, unquote(object_id))
        if place and place.latitude is None and request.method == "GET":
            messages.warning(request, NO_COORDINATES.format(place))
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.latitude is None:
            messages.warning(request, NO_COORDINATES.format(obj))


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Source)
class SourceAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "kind", "issuer", "language", "text_is_excerpt", "published_on",
                    "encounter"]  # fmt: skip
    list_filter = ["kind", "issuer", "language", "text_is_excerpt"]
    list_select_related = ["encounter"]
    search_fields = ["outlet", "title", "url", "copy_url", "external_id"]
    autocomplete_fields = ["encounter"]
    fieldsets = [(None, {"fields": ["encounter"]}), *SOURCE_FIELDSETS]

    def get_deleted_objects(self, objs, request):
        """A published encounter's last source is listed as protected, so the delete page (and
        the bulk action) refuses with the reason instead of deleting it (Source.removal_problem)."""
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        leaving = {source.pk for source in objs}
        problems = dict.fromkeys(source.removal_problem(leaving) for source in objs)
        protected = list(protected) + [problem for problem in problems if problem]
        return deleted, model_count, perms_needed, protected


@admin.register(Quote)
class QuoteAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "encounter", "language"]
    list_select_related = ["encounter", "speaker"]
    search_fields = ["text", "speaker_description", "speaker__name"]
    autocomplete_fields = ["encounter", "speaker", "source"]


@admin.register(Discrepancy)
class DiscrepancyAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "field", "encounter", "source"]
    list_filter = ["field", "source__kind"]
    list_select_related = ["encounter", "source"]
    search_fields = ["our_value", "their_value", "note", "encounter__title", "source__external_id"]
    autocomplete_fields = ["encounter", "source", "our_source"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(CorrectionRequest)
class CorrectionRequestAdmin(admin.ModelAdmin):
    """Readers' error reports: read, act on the encounter, then close with a note.

    The reader's text is shown as text (escaped), never as markup, and cannot be edited."""

    list_display = ["encounter", "created_at", "status", "opening"]
    list_filter = ["status"]
    list_select_related = ["encounter"]
    search_fields = ["text", "encounter__title", "encounter__slug"]
    readonly_fields = ["encounter", "text", "contact", "created_at"]
    fields = ["encounter", "created_at", "text", "contact", "status", "editor_note"]

    def has_add_permission(self, request):
        return False  # readers send them from the encounter's page

    @admin.display(description="Report")
    def opening(self, obj):
        return obj.text if len(obj.text) <= 80 else obj.text[:77] + "…"


@admin.register(RemovedEncounter)
class RemovedEncounterAdmin(admin.ModelAdmin):
    """Deleted published encounters: their permalinks answer 410 Gone with the note."""

    list_display = ["title", "slug", "start_date", "removed_at"]
    search_fields = ["title", "slug"]
    readonly_fields = ["slug", "title", "start_date", "removed_at"]

    def has_add_permission(self, request):
        return False  # made when a published encounter is deleted


class HsgReportView(TemplateView):
    """Coverage of the Office of the Historian import, for staff (wrapped in admin_view)."""

    template_name = "admin/hsg_report.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **admin.site.each_context(self.request),
            title="Office of the Historian import: coverage",
            report=build_report(),
            **kwargs,
        )


class DataCheckView(TemplateView):
    """The data check's problems for editors (wrapped in admin_view): `manage.py check_data`."""

    template_name = "admin/data_check.html"

    def get_context_data(self, **kwargs):
        problems = find_problems()
        slugs = {problem.slug for problem in problems}
        ids = dict(Encounter.objects.filter(slug__in=slugs).values_list("slug", "pk"))
        return super().get_context_data(
            **admin.site.each_context(self.request),
            title="Data check",
            problems=[(problem, ids.get(problem.slug)) for problem in problems],
            warnings=find_warnings(),
            **kwargs,
        )

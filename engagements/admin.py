from django.contrib import admin
from django.contrib.postgres.search import SearchQuery
from django.views.generic import TemplateView
from simple_history.admin import SimpleHistoryAdmin

from engagements.hsg.report import build_report
from engagements.models import (
    SEARCH_CONFIG,
    Discrepancy,
    Encounter,
    Participation,
    Person,
    Place,
    Quote,
    Source,
    Topic,
)

admin.site.site_header = "US–China Engagement Tracker: editors"
admin.site.site_title = "Engagement Tracker admin"


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 1
    autocomplete_fields = ["person"]
    fields = ["person", "side", "role", "office", "start_date", "end_date", "order"]


class SourceInline(admin.StackedInline):
    model = Source
    extra = 0
    fields = [("kind", "outlet"), "title", ("url", "published_on"), "external_id", "note"]


class QuoteInline(admin.StackedInline):
    model = Quote
    extra = 0
    autocomplete_fields = ["speaker"]
    fields = ["text", ("speaker", "speaker_description"), "context", ("source", "language")]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Offer only this encounter's sources, never a <select> of every source in the database.
        if db_field.name == "source":
            encounter_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Source.objects.filter(encounter_id=encounter_id or 0)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Encounter)
class EncounterAdmin(SimpleHistoryAdmin):
    list_display = ["title", "start_date", "kind", "level", "status_badge", "provenance"]
    list_filter = ["status", "kind", "level", "venue", "initiated_by", "provenance", "occurrence"]
    list_select_related = ["place"]
    search_fields = ["title", "slug"]
    date_hierarchy = "start_date"
    prepopulated_fields = {"slug": ["title", "start_date"]}
    autocomplete_fields = ["place", "topics", "parent"]
    inlines = [ParticipationInline, SourceInline, QuoteInline]
    readonly_fields = ["cameo_code", "published_at", "created_at", "updated_at"]
    show_full_result_count = False
    fieldsets = [
        (None, {"fields": ["title", "slug", "status", "occurrence"]}),
        ("What and who", {"fields": [("kind", "venue", "level"), "initiated_by", "parent"]}),
        (
            "When and where",
            {
                "fields": [
                    ("start_date", "end_date", "date_precision"),
                    ("local_start_time", "beijing_date", "duration_minutes"),
                    "place",
                ]
            },
        ),
        ("Content", {"fields": [("tone", "tone_note"), "summary", "outcomes", "topics"]}),
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
        query = SearchQuery(search_term, search_type="websearch", config=SEARCH_CONFIG)
        by_slug = queryset.filter(slug=search_term.strip())
        return queryset.filter(search_vector=query) | by_slug, False

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.instance.refresh_search_document()


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ["name", "name_zh", "side"]
    list_filter = ["side"]
    search_fields = ["name__unaccent", "name_zh", "slug", "aliases__unaccent"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "country"]
    list_filter = ["country"]
    search_fields = ["name", "city", "country"]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Source)
class SourceAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "kind", "published_on", "encounter"]
    list_filter = ["kind"]
    list_select_related = ["encounter"]
    search_fields = ["outlet", "title", "url", "external_id"]
    autocomplete_fields = ["encounter"]


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

from django.contrib import admin
from django.urls import path, re_path

from engagements.surfaces import (
    api,
    citations,
    corrections,
    exports,
    feeds,
    guides,
    sitemaps,
    views,
    visual,
)
from engagements.surfaces.admin import DataCheckView, HsgReportView

# Renders without a request and answers 503 for database outages (infrastructure/errors.py).
handler500 = "engagements.infrastructure.errors.server_error"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("encounters/", views.EncounterListView.as_view(), name="encounter-list"),
    path("encounters/<slug:slug>/", views.EncounterDetailView.as_view(), name="encounter-detail"),
    path(
        "encounters/<slug:slug>/accounts/", visual.AccountsView.as_view(), name="encounter-accounts"
    ),
    path(
        "encounters/<slug:slug>/report/",
        corrections.report_error,
        name="encounter-report-error",
    ),
    path(
        "encounters/<slug:slug>/preview/",
        views.EncounterPreviewView.as_view(),
        name="encounter-preview",
    ),
    path("timeline/", views.TimelineView.as_view(), name="timeline"),
    path("coverage/", views.CoverageView.as_view(), name="coverage"),
    path("people/", views.PersonListView.as_view(), name="person-list"),
    path("people/network/", visual.NetworkView.as_view(), name="people-network"),
    path("people/<slug:slug>/", views.PersonDetailView.as_view(), name="person-detail"),
    path("topics/", views.TopicListView.as_view(), name="topic-list"),
    path("topics/<slug:slug>/", views.TopicDetailView.as_view(), name="topic-detail"),
    path("map/", visual.MapView.as_view(), name="map"),
    path("stats/", visual.StatsView.as_view(), name="stats"),
    re_path(r"^stats/(?P<chart>[-a-z]+)\.csv$", visual.stats_csv, name="stats-csv"),
    path("about/", guides.AboutDataView.as_view(), name="about"),
    # Staff only: admin_view sends anyone else to the admin login.
    path("admin/hsg-report/", admin.site.admin_view(HsgReportView.as_view()), name="hsg-report"),
    path("admin/data-check/", admin.site.admin_view(DataCheckView.as_view()), name="data-check"),
    path("admin/", admin.site.urls),
]

# Research exports, API, feeds, citations, sitemap and robots.txt.
urlpatterns += [
    re_path(
        r"^encounters/(?P<slug>[-a-zA-Z0-9_]+)/cite\.(?P<extension>bib|ris|json)$",
        citations.cite,
        name="encounter-cite",
    ),
    path(
        "sitemap.xml",
        sitemaps.sitemap_index,
        {"sitemaps": sitemaps.SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemaps.sitemap_section,
        {"sitemaps": sitemaps.SITEMAPS},
        name="sitemap-section",
    ),
    path("encounters.csv", exports.encounters_csv, name="encounter-export-csv"),
    path("encounters.json", exports.encounters_json, name="encounter-export-json"),
    path("readouts.jsonl", exports.readouts_jsonl, name="readout-export-jsonl"),
    path("feeds/encounters.atom", feeds.encounter_feed, name="encounter-feed"),
    path("robots.txt", sitemaps.robots_txt, name="robots-txt"),
    path("favicon.ico", guides.FaviconView.as_view(), name="favicon"),
    *api.urlpatterns,
]

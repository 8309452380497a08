from django.contrib import admin
from django.urls import path

from engagements import views
from engagements.admin import HsgReportView

# Renders without a request and answers 503 for database outages (engagements/errors.py).
handler500 = "engagements.errors.server_error"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("encounters/", views.EncounterListView.as_view(), name="encounter-list"),
    path("encounters/<slug:slug>/", views.EncounterDetailView.as_view(), name="encounter-detail"),
    path(
        "encounters/<slug:slug>/preview/",
        views.EncounterPreviewView.as_view(),
        name="encounter-preview",
    ),
    path("timeline/", views.TimelineView.as_view(), name="timeline"),
    path("people/", views.PersonListView.as_view(), name="person-list"),
    path("people/<slug:slug>/", views.PersonDetailView.as_view(), name="person-detail"),
    path("topics/", views.TopicListView.as_view(), name="topic-list"),
    path("topics/<slug:slug>/", views.TopicDetailView.as_view(), name="topic-detail"),
    # Staff only: admin_view sends anyone else to the admin login.
    path("admin/hsg-report/", admin.site.admin_view(HsgReportView.as_view()), name="hsg-report"),
    path("admin/", admin.site.urls),
]

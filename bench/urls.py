"""The app's URLs plus /bench/ceiling/: a view that touches no database and renders nothing.

It passes through the same middleware as every page, so a page's ratio to it is what the page
itself costs (queries, templates), not the cost of Django's request handling.
"""

from django.http import HttpResponse
from django.urls import path

from engagements.surfaces.urls import urlpatterns as app_urlpatterns


def ceiling(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/ceiling/", ceiling, name="bench-ceiling"), *app_urlpatterns]

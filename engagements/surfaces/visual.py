"""The pages that draw the whole record: contact statistics, the map, who meets whom, and both
sides' accounts of an encounter.

Each takes the list's filter parameters through the one FilterSet (FilteredEncountersMixin), is
drawn as SVG on the server with its numbers as a table, and works without JavaScript.
"""

import csv
import io

from django.http import Http404, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe
from django.views.generic import DetailView, TemplateView

from engagements.domain import geo
from engagements.domain.accounts import compare_accounts, shared_topics
from engagements.domain.facets import counts_kept
from engagements.domain.filters import filter_encounters
from engagements.domain.network import build_network
from engagements.domain.stats import ContactStats
from engagements.domain.timeline import KeptMonths
from engagements.models import Encounter
from engagements.surfaces.exports import CSV_BOM, bad_parameters
from engagements.surfaces.views import FilteredEncountersMixin


class StatsView(FilteredEncountersMixin, TemplateView):
    """/stats/: encounters per year and per administration pair, gaps, initiative and visits."""

    template_name = "engagements/stats.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.filterset.is_valid():
            kept = KeptMonths.of_filters(self.filterset)
            context["charts"] = ContactStats(self.filtered, self.request.GET, kept).charts()
        return context


@require_safe
def stats_csv(request, chart):
    """/stats/<chart>.csv: one chart's table as CSV, for the same filters as /stats/."""
    if chart not in ContactStats.CHARTS:
        raise Http404("No such chart.")
    filterset, queryset = filter_encounters(request.GET)
    if not filterset.is_valid():
        return bad_parameters(filterset, "csv")
    stats = ContactStats(queryset, request.GET, KeptMonths.of_filters(filterset))
    return csv_response(stats.chart(chart), f"stats-{chart}.csv")


def csv_response(chart, filename):
    buffer = io.StringIO()
    buffer.write(CSV_BOM)
    writer = csv.writer(buffer)
    writer.writerow(chart.header)
    writer.writerows(chart.table_rows())
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class MapView(FilteredEncountersMixin, TemplateView):
    """/map/: where the filtered encounters took place; ?place=<id> lists one place's."""

    template_name = "engagements/map.html"
    PLACE_LISTED = 100

    def selected_place(self):
        value = self.request.GET.get("place", "")
        # ASCII digits only: "²".isdigit() is true, but int() refuses it.
        return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None

    def place_link(self, pk):
        query = self.request.GET.copy()
        query["place"] = str(pk)
        return f"?{query.urlencode()}#place-encounters"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not self.filterset.is_valid():
            return context
        selected = self.selected_place()
        spots, unmapped = geo.place_spots(self.filtered, selected, self.place_link)
        place = next((spot for spot in spots if spot.selected), None)
        without_place = self.request.GET.copy()
        without_place.pop("place", None)
        context.update(
            spots=spots,
            unmapped=unmapped,
            map_width=geo.WIDTH,
            map_height=geo.HEIGHT,
            land=geo.land_path(),
            place=place,
            clear_place_url=f"?{without_place.urlencode()}",
            place_encounters=(
                self.filtered.filter(place_id=place.pk).with_list_data()[: self.PLACE_LISTED]
                if place
                else None
            ),
        )
        return context


class NetworkView(FilteredEncountersMixin, TemplateView):
    """/people/network/: the most connected people on each side and their ties."""

    template_name = "engagements/network.html"

    def list_url(self, *slugs):
        """The list of the filtered encounters in which all of `slugs` took part."""
        query = self.request.GET.copy()
        query.pop("page", None)
        people = query.getlist("person")
        query.setlist("person", people + [slug for slug in slugs if slug not in people])
        return f"{reverse('encounter-list')}?{query.urlencode()}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.filterset.is_valid():
            context["network"] = build_network(
                self.filtered, self.list_url, whole_record=counts_kept(self.filterset)
            )
        return context


class AccountsView(DetailView):
    """/encounters/<slug>/accounts/: the two governments' readouts side by side; 404 unless the
    encounter has both."""

    template_name = "engagements/accounts.html"
    context_object_name = "encounter"
    query_parameters = frozenset()

    def get_queryset(self):
        return Encounter.objects.published().with_detail_data()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pair = compare_accounts(self.object)
        if pair is None:
            raise Http404("This encounter does not have both governments' readouts.")
        context.update(accounts=pair, shared=shared_topics(*pair))
        return context

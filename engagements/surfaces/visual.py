"""The pages that draw the whole record: contact statistics, the map, who meets whom, and both
sides' accounts of an encounter.

Each takes the list's filter parameters through the one FilterSet (FilteredEncountersMixin), is
drawn as SVG on the server with its numbers as a table, and works without JavaScript.
"""

import csv
import io

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from engagements.domain.filters import filter_encounters
from engagements.domain.stats import ContactStats
from engagements.surfaces.exports import CSV_BOM, bad_parameters
from engagements.surfaces.views import FilteredEncountersMixin


class StatsView(FilteredEncountersMixin, TemplateView):
    """/stats/: encounters per year and per administration pair, gaps, initiative and visits."""

    template_name = "engagements/stats.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.filterset.is_valid():
            context["charts"] = ContactStats(self.filtered, self.request.GET).charts()
        return context


@require_safe
def stats_csv(request, chart):
    """/stats/<chart>.csv: one chart's table as CSV, for the same filters as /stats/."""
    if chart not in ContactStats.CHARTS:
        raise Http404("No such chart.")
    filterset, queryset = filter_encounters(request.GET)
    if not filterset.is_valid():
        return bad_parameters(filterset, "csv")
    return csv_response(ContactStats(queryset, request.GET).chart(chart), f"stats-{chart}.csv")


def csv_response(chart, filename):
    buffer = io.StringIO()
    buffer.write(CSV_BOM)
    writer = csv.writer(buffer)
    writer.writerow(chart.header)
    writer.writerows(chart.table_rows())
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

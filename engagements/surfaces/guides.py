"""The researchers' guide (docs/researchers.md) served as the site's "About the data" page.

One Markdown file is both the repository's guide and the page, so the two never drift. It is
rendered once per process (the file ships with the code and changes only with a deploy) and
sanitised like editors' Markdown, with the tables, code and headings a guide needs.
"""

import functools

import markdown
import nh3
from django.conf import settings
from django.db.models import Max
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.generic import RedirectView, TemplateView

from engagements.models import Encounter

RESEARCHERS_GUIDE = "docs/researchers.md"
GUIDE_TAGS = {
    *("p", "br", "em", "strong", "a", "ul", "ol", "li", "blockquote", "code", "pre", "hr"),
    *("h1", "h2", "h3", "h4", "table", "thead", "tbody", "tr", "th", "td"),
}


@functools.cache
def render_guide(relative_path):
    text = (settings.BASE_DIR / relative_path).read_text(encoding="utf-8")
    html = markdown.markdown(text, extensions=["tables", "fenced_code", "toc"])
    clean = nh3.clean(
        html,
        tags=GUIDE_TAGS,
        attributes={"a": {"href", "title"}, "h2": {"id"}, "h3": {"id"}, "h4": {"id"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 above


# The address the guide's examples are written against: the page shows the site's own instead.
GUIDE_EXAMPLE_ORIGIN = "http://127.0.0.1:8000"


class AboutDataView(TemplateView):
    template_name = "engagements/about.html"
    query_parameters = frozenset()

    def get_context_data(self, **kwargs):
        origin = self.request.build_absolute_uri("/").rstrip("/")
        guide = render_guide(RESEARCHERS_GUIDE).replace(GUIDE_EXAMPLE_ORIGIN, escape(origin))
        return super().get_context_data(
            guide=mark_safe(guide),  # noqa: S308 - sanitised by nh3, the origin escaped
            dataset=dataset_citation(self.request),
            **kwargs,
        )


def dataset_citation(request):
    """How to cite the dataset as a whole: its version is the day of its latest published
    change, so a citation names the state of the record it used."""
    latest = Encounter.objects.published().aggregate(latest=Max("updated_at"))["latest"]
    day = timezone.localtime(latest).date() if latest else timezone.localdate()
    url = request.build_absolute_uri(reverse("about"))
    version = f"{day:%Y.%m.%d}"
    return {
        "version": version,
        "date": day,
        "url": request.build_absolute_uri("/"),
        "text": (
            f"{settings.SITE_NAME} editors. {settings.SITE_NAME}: a dataset of US–China "
            f"diplomatic encounters. Version {version} ({day:%-d %B %Y}). "
            f"{request.build_absolute_uri('/')}. Licence: CC BY 4.0."
        ),
        "about": url,
    }


class FaviconView(RedirectView):
    """/favicon.ico, which browsers and feed readers ask for whatever the page says: the SVG."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static("img/favicon.svg")

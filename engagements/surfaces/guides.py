"""The researchers' guide (docs/researchers.md) served as the site's "About the data" page.

One Markdown file is both the repository's guide and the page, so the two never drift. It is
rendered once per process (the file ships with the code and changes only with a deploy) and
sanitised like editors' Markdown, with the tables, code and headings a guide needs.
"""

import functools

import markdown
import nh3
from django.conf import settings
from django.templatetags.static import static
from django.utils.safestring import mark_safe
from django.views.generic import RedirectView, TemplateView

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


class AboutDataView(TemplateView):
    template_name = "engagements/about.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(guide=render_guide(RESEARCHERS_GUIDE), **kwargs)


class FaviconView(RedirectView):
    """/favicon.ico, which browsers and feed readers ask for whatever the page says: the SVG."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static("img/favicon.svg")

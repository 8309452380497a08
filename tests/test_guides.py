"""The researchers' guide is served by the site from the same Markdown as docs/researchers.md."""

from pathlib import Path

import pytest
from django.urls import reverse

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "researchers.md"


@pytest.mark.django_db
def test_about_page_renders_the_researchers_guide(client):
    response = client.get(reverse("about"))
    assert response.status_code == 200
    html = response.content.decode()
    # Every second-level heading of the file is a heading of the page, with an anchor.
    headings = [line[3:].strip() for line in GUIDE.read_text().splitlines() if line[:3] == "## "]
    assert len(headings) >= 3
    for heading in headings:
        assert f">{heading}</h2>" in html.replace("&amp;", "&").replace("&#x27;", "'"), heading
    assert '<h2 id="public-urls">' in html
    assert "<table>" in html  # the parameter tables survive sanitising


@pytest.mark.django_db
def test_every_page_links_to_about_the_data(client):
    for url in ("/", "/encounters/", "/timeline/", "/people/", "/topics/"):
        html = client.get(url).content.decode()
        assert f'href="{reverse("about")}"' in html, url


def test_guide_html_is_sanitised(settings, tmp_path):
    from engagements.surfaces.guides import render_guide

    settings.BASE_DIR = tmp_path
    (tmp_path / "evil.md").write_text(
        "# T\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))\n"
    )
    html = render_guide("evil.md")
    assert "<script" not in html and "javascript:" not in html

"""The production settings, plus one route: the bench's ceiling view (bench/urls.py)."""

from engagements.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

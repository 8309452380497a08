"""The production settings, plus one route: the bench's ceiling view (bench/urls.py)."""

from engagements.infrastructure.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

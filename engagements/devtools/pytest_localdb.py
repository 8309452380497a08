"""pytest plugin (``-p engagements.devtools.pytest_localdb`` in pyproject.toml): a bare
``pytest`` from an editor works as ``make test`` does.

Tests default to development mode, and without DATABASE_URL the session starts the
project-local PostgreSQL before pytest-django reads the settings, and releases it at the end
(stopping it unless another process, such as ``make run``, still holds it).
"""

import os

import pytest

_started = []


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
    os.environ.setdefault("DJANGO_ENV", "development")
    if os.environ.get("DATABASE_URL"):
        return
    from engagements.infrastructure import localdb

    localdb.hold()
    _started.append(localdb)
    os.environ["DATABASE_URL"] = localdb.ensure_running()


def pytest_unconfigure(config):
    for localdb in _started:
        localdb.release()
    _started.clear()

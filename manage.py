#!/usr/bin/env python
import os
import sys


def use_local_database():
    """In development without DATABASE_URL, start the project-local PostgreSQL for this command
    (engagements/infrastructure/localdb.py). The settings only read DATABASE_URL."""
    if os.environ.get("DATABASE_URL") or os.environ.get("DJANGO_ENV") != "development":
        return
    from engagements.infrastructure import localdb

    os.environ["DATABASE_URL"] = localdb.ensure_running()


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "engagements.infrastructure.settings")
    use_local_database()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)

#!/bin/sh
# The web container's start: migrate (one container at a time, see migrate_on_start), load the
# seed and the Office of the Historian's records if asked, then hand the process over to
# gunicorn (gunicorn.conf.py reads the environment).
set -eu
if [ "${DJANGO_MIGRATE_ON_START:-true}" = "true" ]; then
  python manage.py migrate_on_start
fi
if [ "${DJANGO_LOAD_SEED:-false}" = "true" ]; then
  python manage.py load_seed
  python manage.py import_hsg  # after the seed: it links records to curated encounters
fi
exec "$@"

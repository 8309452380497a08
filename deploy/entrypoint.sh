#!/bin/sh
# The web container's start: migrate, and load the seed and the Office of the Historian's
# records if asked, one container at a time under a PostgreSQL advisory lock (migrate_on_start,
# engagements/infrastructure/locks.py), then hand the process over to gunicorn
# (gunicorn.conf.py reads the environment).
set -eu
load=""
[ "${DJANGO_LOAD_SEED:-false}" = "true" ] && load="--load"
if [ "${DJANGO_MIGRATE_ON_START:-true}" = "true" ]; then
  python manage.py migrate_on_start $load
elif [ -n "$load" ]; then
  python manage.py load_seed
  python manage.py import_hsg  # after the seed: it links records to curated encounters
fi
exec "$@"

#!/bin/sh
# The `db-replica` service (docker-compose.yml): a streaming replica of `db`, made with the
# official postgres image's own programs. On the first start (an empty volume) it clones the
# primary with `pg_basebackup -R`, which writes standby.signal and primary_conninfo; then, and on
# every later start, the image's entrypoint runs PostgreSQL, which finds standby.signal and
# follows the primary read-only (hot standby).
set -eu
: "${PGDATA:?the postgres image sets PGDATA}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_isready --host db --username "$POSTGRES_USER" --quiet; do
    echo "db-replica: waiting for the primary" >&2
    sleep 1
  done
  mkdir -p "$PGDATA"
  chown postgres:postgres "$PGDATA"
  chmod 0700 "$PGDATA"
  # The primary's superuser may replicate; deploy/postgres-primary.sh lets it in.
  PGPASSWORD="$POSTGRES_PASSWORD" gosu postgres pg_basebackup --host db \
    --username "$POSTGRES_USER" --pgdata "$PGDATA" --write-recovery-conf \
    --wal-method stream --checkpoint fast --progress
fi
exec docker-entrypoint.sh postgres

#!/bin/sh
# Run once by the official postgres image when it creates the `db` volume
# (/docker-entrypoint-initdb.d): lets the replica (`db-replica`) connect for streaming
# replication with the same password authentication as every other connection. The image's
# default settings already allow it (wal_level=replica, max_wal_senders=10). Then includes the
# app's server settings (deploy/postgresql.conf, mounted by docker-compose.yml); they take
# effect when the image restarts the server after its first-run scripts.
set -eu
echo "host replication all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
echo "include_if_exists = '/etc/postgresql/engagements.conf'" >> "$PGDATA/postgresql.conf"

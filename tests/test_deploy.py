"""The deployment files: docker-compose.yml validates and has the production shape, the
Dockerfile builds a non-root gunicorn image, gunicorn and Caddy read their configuration."""

import os
import re
import runpy
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.stack import caddy_env

ROOT = Path(__file__).resolve().parent.parent

COMPOSE_ENV = {
    "DJANGO_SECRET_KEY": "a-long-random-secret-for-validating-the-compose-file-only-0123456789",
    "DJANGO_ALLOWED_HOSTS": "tracker.example.org",
    "DATABASE_URL": "postgres://engagements:pw@db:5432/engagements",
    "POSTGRES_PASSWORD": "pw",
}


def compose(*args, **env):
    if shutil.which("docker-compose") is None:
        pytest.fail("docker-compose is missing: apt-get install docker-compose (.ci/run does).")
    base = {k: v for k, v in os.environ.items() if k not in COMPOSE_ENV}
    return subprocess.run(
        ["docker-compose", "--project-directory", str(ROOT), "-f", "docker-compose.yml", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_compose_file_validates_with_the_required_variables():
    result = compose("config", "-q", **COMPOSE_ENV)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("missing", sorted(COMPOSE_ENV))
def test_compose_refuses_to_start_without_a_required_variable(missing):
    env = {k: v for k, v in COMPOSE_ENV.items() if k != missing}
    result = compose("config", "-q", **env)
    assert result.returncode != 0
    assert missing in result.stderr


@pytest.fixture(scope="module")
def config():
    result = compose("config", **COMPOSE_ENV)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_compose_has_database_web_and_proxy_with_health_checks(config):
    services = config["services"]
    assert set(services) >= {"db", "web", "proxy"}
    db, web, proxy = services["db"], services["web"], services["proxy"]

    assert re.fullmatch(r"postgres:1[78].*", db["image"])
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert any(v.startswith("pgdata:") or v.get("source") == "pgdata" for v in _volumes(db))
    assert "pgdata" in config["volumes"]

    assert web["build"]
    assert "/healthz" in " ".join(web["healthcheck"]["test"])
    assert web["depends_on"]["db"]["condition"] == "service_healthy"
    assert web["environment"]["DJANGO_ENV"] == "production"
    assert web["environment"]["DATABASE_URL"] == COMPOSE_ENV["DATABASE_URL"]
    assert web["environment"]["DJANGO_SECRET_KEY"] == COMPOSE_ENV["DJANGO_SECRET_KEY"]

    assert proxy["depends_on"]["web"]["condition"] == "service_healthy"
    assert any("deploy/Caddyfile" in str(v) for v in _volumes(proxy))


def test_web_keeps_no_state_so_it_can_be_scaled(config):
    web = config["services"]["web"]
    # No published host port (copies would collide) and no volume (copies would diverge).
    assert "ports" not in web
    assert not _volumes(web)
    assert web.get("read_only") is True
    assert "container_name" not in web


def _volumes(service):
    return service.get("volumes", [])


def test_dockerfile_builds_a_non_root_gunicorn_image():
    dockerfile = (ROOT / "Dockerfile").read_text()
    lines = dockerfile.splitlines()
    instructions = [line.split(maxsplit=1) for line in lines if line[:1].isupper()]
    keywords = [parts[0] for parts in instructions]
    assert "FROM python:3.11-slim" in dockerfile
    assert "RUN pip install ." in dockerfile
    assert "collectstatic --noinput" in dockerfile
    user = [parts[1] for parts in instructions if parts[0] == "USER"]
    assert user and user[-1] not in {"root", "0"}
    assert keywords.index("USER") > max(i for i, k in enumerate(keywords) if k == "RUN"), (
        "everything after USER runs unprivileged"
    )
    assert "HEALTHCHECK" in keywords
    assert 'ENTRYPOINT ["/app/deploy/entrypoint.sh"]' in dockerfile
    assert "gunicorn" in dockerfile.split("CMD", 1)[1]
    # Every file the image copies exists.
    for line in dockerfile.splitlines():
        if line.startswith("COPY "):
            for source in line.split()[1:-1]:
                assert (ROOT / source).exists(), source


def test_entrypoint_migrates_then_execs_the_command():
    entrypoint = (ROOT / "deploy" / "entrypoint.sh").read_text()
    assert os.access(ROOT / "deploy" / "entrypoint.sh", os.X_OK)
    assert entrypoint.index("migrate_on_start") < entrypoint.index('exec "$@"')


def test_gunicorn_reads_its_settings_from_the_environment(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "5")
    monkeypatch.setenv("GUNICORN_TIMEOUT", "45")
    monkeypatch.setenv("GUNICORN_THREADS", "3")
    monkeypatch.setenv("PORT", "9001")
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert conf["workers"] == 5
    assert conf["timeout"] == 45
    assert conf["threads"] == 3
    # Threaded workers: a long streamed export is not killed by the worker timeout.
    assert conf["worker_class"] == "gthread"
    assert conf["bind"] == "0.0.0.0:9001"
    assert conf["wsgi_app"] == "engagements.infrastructure.wsgi:application"
    # Django's access log has the request id instead, and no query strings or addresses.
    assert conf["accesslog"] is None
    assert conf["logconfig_dict"]["loggers"]["gunicorn.access"]["level"] == "CRITICAL"
    assert (
        conf["logconfig_dict"]["formatters"]["json"]["()"]
        == "engagements.infrastructure.logs.JsonFormatter"
    )


def test_caddyfile_is_valid_and_balances_over_every_web_container(tmp_path):
    if shutil.which("caddy") is None:
        pytest.fail("caddy is missing: apt-get install caddy (.ci/run does).")
    env = caddy_env(tmp_path) | {"SITE_ADDRESS": "tracker.example.org"}
    env.pop("CADDY_ADMIN")  # as in production
    result = subprocess.run(
        ["caddy", "adapt", "--config", "deploy/Caddyfile", "--adapter", "caddyfile", "--validate"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert '"dynamic_upstreams":{"name":"web","port":"8000"' in result.stdout
    assert '"host":["tracker.example.org"]' in result.stdout
    # Slow and oversized clients stop at the proxy (tests/test_abuse.py runs them).
    assert '"request_buffers":' in result.stdout or '"buffer_requests":true' in result.stdout
    assert '"handler":"request_body","max_size":10000000' in result.stdout
    assert '"read_timeout":30000000000' in result.stdout
    assert '"read_header_timeout":10000000000' in result.stdout
    # A declared length of 10 MB or more is answered 413 before the body is read; and no
    # passive health check, through which one client's bad request took the only upstream out
    # (the compose image mounts this same file: test_compose_has_database_web_and_proxy...).
    assert '"header_regexp":{"Content-Length":{"pattern":"^0*[1-9][0-9]{7,}$"}}' in result.stdout
    assert '"status_code":413' in result.stdout
    assert '"passive"' not in result.stdout
    for directive in ("fail_duration", "max_fails", "unhealthy_status", "unhealthy_latency"):
        assert directive not in (ROOT / "deploy" / "Caddyfile").read_text()


def test_compose_tells_the_app_it_is_behind_one_trusted_proxy(config):
    web = config["services"]["web"]
    # Login lockouts key on the visitor's address from Caddy's X-Forwarded-For.
    assert web["environment"]["AXES_PROXY_COUNT"] == "1"
    assert web["environment"]["TRUSTED_PROXIES"]
    # gunicorn is reachable only through Caddy: no published port.
    assert "ports" not in web


@pytest.mark.django_db
def test_migrate_on_start_migrates_under_an_advisory_lock_and_releases_it():
    from django.core.management import call_command
    from django.db import connection

    from engagements.management.commands.migrate_on_start import MIGRATION_LOCK

    with connection.cursor() as cursor:
        call_command("migrate_on_start", wait=1, verbosity=0)
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s",
            [MIGRATION_LOCK & 0xFFFFFFFF],
        )
        assert cursor.fetchone() == (0,)


def test_migrate_on_start_gives_up_clearly_when_the_database_never_answers(monkeypatch):
    from django.core.management import call_command
    from django.core.management.base import CommandError
    from django.db import OperationalError, connection

    def refuse():
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "ensure_connection", refuse)
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    with pytest.raises(CommandError, match="did not answer"):
        call_command("migrate_on_start", wait=0.01, verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_a_loader_waits_for_the_start_up_lock_held_by_another_node(test_database_url):
    """Another node (here a second connection) holds the start-up lock: load_seed says it
    waits, loads nothing meanwhile, and loads once the lock is released."""
    import io
    import threading
    import time

    import psycopg
    from django.core.management import call_command
    from django.db import connection

    from engagements.infrastructure.locks import STARTUP_LOCK
    from engagements.models import Encounter

    other_node = psycopg.connect(test_database_url, autocommit=True)
    other_node.execute("SELECT pg_advisory_lock(%s)", [STARTUP_LOCK])
    stderr, stdout = io.StringIO(), io.StringIO()

    def load():
        try:
            call_command("load_seed", stdout=stdout, stderr=stderr)
        finally:
            connection.close()

    loader = threading.Thread(target=load)
    try:
        loader.start()
        deadline = time.monotonic() + 10
        while "waiting for another process" not in stderr.getvalue():
            assert time.monotonic() < deadline, "load_seed did not wait for the lock"
            time.sleep(0.05)
        time.sleep(0.3)
        assert loader.is_alive()
        assert not Encounter.objects.exists()
    finally:
        other_node.execute("SELECT pg_advisory_unlock(%s)", [STARTUP_LOCK])
        other_node.close()
        # The whole shipped record loads here (several hundred encounters with their readouts).
        loader.join(timeout=600)
    assert not loader.is_alive(), "load_seed did not finish after the lock was released"
    assert "encounter(s) created" in stdout.getvalue(), stderr.getvalue()
    assert Encounter.objects.exists()


def test_compose_has_a_streaming_replica_and_a_shared_cache(config):
    services = config["services"]
    replica, redis, web = services["db-replica"], services["redis"], services["web"]
    # The replica is the official image, cloned from db by its own pg_basebackup.
    assert replica["image"] == services["db"]["image"]
    assert replica["depends_on"]["db"]["condition"] == "service_healthy"
    assert "pg_isready" in " ".join(replica["healthcheck"]["test"])
    assert any("postgres-replica.sh" in str(v) for v in _volumes(replica))
    assert any("docker-entrypoint-initdb.d" in str(v) for v in _volumes(services["db"]))
    assert "pgreplica" in config["volumes"]
    # Redis: no persistence, and only keys with a timeout are evicted (never the version).
    assert "volatile-lru" in redis["command"]
    assert "redis-cli" in " ".join(redis["healthcheck"]["test"])
    assert web["environment"]["REDIS_URL"] == "redis://redis:6379/0"
    assert "DATABASE_REPLICA_URLS" in web["environment"]
    assert web["depends_on"]["redis"]["condition"] == "service_healthy"
    assert "db-replica" not in web["depends_on"]  # reads fall back to the primary


def test_replication_scripts_are_valid_shell_using_the_images_own_programs():
    replica = (ROOT / "deploy" / "postgres-replica.sh").read_text()
    assert "pg_basebackup" in replica and "--write-recovery-conf" in replica
    assert replica.rstrip().endswith("exec docker-entrypoint.sh postgres")
    primary = (ROOT / "deploy" / "postgres-primary.sh").read_text()
    assert "host replication" in primary
    for script in ("postgres-replica.sh", "postgres-primary.sh"):
        assert subprocess.run(["sh", "-n", str(ROOT / "deploy" / script)]).returncode == 0


def test_both_database_servers_run_with_the_apps_settings(config):
    """The primary and its replica read deploy/postgresql.conf, as the local servers do: the
    primary's first-run script includes it, the replica's clone copies that include."""
    services = config["services"]
    for name in ("db", "db-replica"):
        mounts = [str(volume) for volume in _volumes(services[name])]
        assert any(
            "deploy/postgresql.conf" in mount and "/etc/postgresql/engagements.conf" in mount
            for mount in mounts
        ), (name, mounts)
    primary = (ROOT / "deploy" / "postgres-primary.sh").read_text()
    assert "include_if_exists = '/etc/postgresql/engagements.conf'" in primary

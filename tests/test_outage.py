"""A real database outage: PostgreSQL stopped and restarted under a running gunicorn.

The test gets its own embedded PostgreSQL (LOCALDB_PGDATA in a temporary directory), so the
suite's shared database is never stopped. It checks that while the database is
down, pages answer 503 within 2 seconds and /healthz stays up; once it is back, pages answer
200 within 5 seconds, without restarting anything. It also checks gunicorn's output is JSON.
"""

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port, path, timeout=5):
    """(status, elapsed seconds, headers, body) of a GET; never waits more than TIMEOUT."""
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Host": "localhost"})
        response = connection.getresponse()
        body = response.read().decode(errors="replace")
        return response.status, time.monotonic() - started, dict(response.getheaders()), body
    finally:
        connection.close()


def wait_for(port, path, status, within):
    deadline = time.monotonic() + within
    while True:
        try:
            answer = get(port, path, timeout=2)
            if answer[0] == status:
                return answer
        except OSError:
            answer = None
        if time.monotonic() > deadline:
            pytest.fail(f"{path} did not answer {status} within {within}s (last: {answer})")
        time.sleep(0.1)


@pytest.fixture
def own_database(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(LOCALDB_PGDATA=str(tmp_path / "pg" / "data"), DJANGO_ENV="development")

    def localdb(action):
        result = subprocess.run(
            [sys.executable, "-m", "engagements.infrastructure.localdb", action],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    # initdb on a machine shared with other servers has failed transiently (once, unexplained):
    # a second attempt on a clean directory tells that apart from a real problem.
    try:
        env["DATABASE_URL"] = localdb("url")
    except AssertionError as error:
        warnings.warn(f"retrying the outage test's database start-up: {error}", stacklevel=1)
        shutil.rmtree(tmp_path / "pg", ignore_errors=True)
        env["DATABASE_URL"] = localdb("url")
    try:
        yield env, localdb
    finally:
        localdb("stop")


def test_pages_answer_503_during_an_outage_and_recover_by_themselves(own_database, tmp_path):
    env, localdb = own_database
    for command in (["migrate", "--noinput", "-v0"], ["load_seed", "-v0"]):
        result = subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr

    port = free_port()
    log = (tmp_path / "gunicorn.log").open("w+")
    gunicorn = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "--config",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(port, "/healthz", 200, within=60)
        status, _, _, home = get(port, "/")
        assert status == 200 and "Latest encounters" in home
        detail = "/encounters/biden-xi-phone-call-2021-02-10/"
        assert get(port, detail)[0] == 200
        assert get(port, "/readyz")[0] == 200

        localdb("stop")

        # Several times each, so that both workers (and their broken connections) answer.
        for _ in range(3):
            for path in ("/", detail, "/encounters/"):
                status, elapsed, headers, body = get(port, path)
                assert status == 503, path
                assert elapsed < 2, f"{path} took {elapsed:.2f}s"
                assert "temporarily unavailable" in body
                assert "Traceback" not in body
                assert int(headers["Retry-After"]) > 0
            status, elapsed, _, body = get(port, "/readyz")
            assert status == 503 and elapsed < 2
            assert json.loads(body)["database"] == "unreachable"
            status, elapsed, _, _ = get(port, "/healthz")
            assert status == 200 and elapsed < 2

        localdb("url")  # start it again
        back = time.monotonic()
        wait_for(port, "/", 200, within=5)
        assert time.monotonic() - back <= 5
        for _ in range(4):  # every worker has reconnected
            assert get(port, detail)[0] == 200
            assert get(port, "/readyz")[0] == 200
        assert gunicorn.poll() is None, "gunicorn kept running throughout"
    finally:
        gunicorn.terminate()
        try:
            gunicorn.wait(timeout=30)
        except subprocess.TimeoutExpired:
            gunicorn.kill()
            gunicorn.wait()

    log.seek(0)
    lines = [json.loads(line) for line in log.read().splitlines() if line.strip()]
    unavailable = [
        line
        for line in lines
        if line["logger"] == "engagements.access" and line.get("status") == 503
    ]
    assert len(unavailable) >= 9
    assert all(line["request_id"] for line in unavailable)
    assert any(line["logger"] == "gunicorn.error" for line in lines)
    assert not any(line["logger"] == "gunicorn.access" for line in lines)

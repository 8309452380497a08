"""A real gunicorn behind a real Caddy (deploy/Caddyfile), on 127.0.0.1, for the abuse tests.

The Caddyfile is the project's own, run as it is but for what only Docker provides: the web
containers' DNS name becomes the local gunicorn's address, and the site address a local port.
"""

import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def caddy_version():
    result = subprocess.run(["caddy", "version"], capture_output=True, text=True, timeout=30)
    found = re.search(r"v?(\d+)\.(\d+)\.(\d+)", result.stdout)
    return tuple(int(part) for part in found.groups()) if found else (0, 0, 0)


def caddy_env(home):
    """Environment for running deploy/Caddyfile with the local caddy."""
    if shutil.which("caddy") is None:
        pytest.fail("caddy is missing: apt-get install caddy (make test does).")
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "CADDY_ADMIN": "off",  # several suites may run on one machine
    }
    # Caddy before 2.6.4 (Debian's 2.6.2) names request buffering `buffer_requests`.
    if caddy_version() < (2, 6, 4):
        env["CADDY_REQUEST_BUFFERING"] = "buffer_requests"
    return env


def local_caddyfile(upstream_port):
    """deploy/Caddyfile with the Docker DNS upstream replaced by the local gunicorn."""
    text = (ROOT / "deploy" / "Caddyfile").read_text()
    local, count = re.subn(
        r"dynamic a \{[^}]*\}", f"to 127.0.0.1:{upstream_port}", text, flags=re.DOTALL
    )
    assert count == 1, "deploy/Caddyfile no longer has one `dynamic a` upstream block"
    # Listen on the loopback interface only.
    local, count = re.subn(r"(\{\$SITE_ADDRESS[^}]*\} \{\n)", r"\1\tbind 127.0.0.1\n", local)
    assert count == 1, "deploy/Caddyfile no longer has one {$SITE_ADDRESS} site"
    return local


def get(port, path, timeout=5, headers=None, source=None):
    """(status, headers, body) of a GET; never waits more than TIMEOUT."""
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=timeout, source_address=(source, 0) if source else None
    )
    try:
        connection.request("GET", path, headers={"Host": "localhost", **(headers or {})})
        response = connection.getresponse()
        return response.status, response, response.read()
    finally:
        connection.close()


def wait_for(port, path, within):
    deadline = time.monotonic() + within
    while True:
        try:
            status, _, body = get(port, path, timeout=2)
            if status == 200 and b'"ok"' in body:  # Django's answer, not an empty one
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"{path} on port {port} did not answer 200 within {within}s")
        time.sleep(0.2)


def stop(process):
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def start_gunicorn(env, port, log_path):
    log = open(log_path, "w")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "--config",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    process.log = log
    return process


def start_caddy(home, upstream_port, port):
    home.mkdir(parents=True, exist_ok=True)
    caddyfile = home / "Caddyfile"
    caddyfile.write_text(local_caddyfile(upstream_port))
    env = caddy_env(home) | {"SITE_ADDRESS": f"http://localhost:{port}"}
    log = open(home / "caddy.log", "w")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        ["caddy", "run", "--config", str(caddyfile), "--adapter", "caddyfile"],
        cwd=home,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    process.log = log
    return process

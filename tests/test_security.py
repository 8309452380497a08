"""Security headers in production (a subprocess with DJANGO_ENV=production) and in development
(the test client: the suite runs in development mode, like `make run`)."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def production_env(database_url, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="tracker.example.org",
        DATABASE_URL=database_url,
        **extra,
    )
    return env


def run(args, env, timeout=180):
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture(scope="module")
def production(test_database_url, tmp_path_factory):
    """Responses of a production configuration, with static files collected as in the image."""
    static_root = tmp_path_factory.mktemp("static")
    env = production_env(
        test_database_url,
        DJANGO_STATIC_ROOT=str(static_root),
        DJANGO_SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
    )
    collected = run(["manage.py", "collectstatic", "--noinput", "-v0"], env)
    assert collected.returncode == 0, collected.stderr
    output = static_root / "responses.json"
    probe = run(["tests/production_probe.py", str(output)], env)
    assert probe.returncode == 0, probe.stderr
    return json.loads(output.read_text())


def test_deploy_check_passes_with_only_the_three_required_variables(test_database_url):
    env = production_env(test_database_url)
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_redirects_plain_http_to_https(production):
    response = production["http_home"]
    assert response["status"] == 301
    assert response["headers"]["Location"] == "https://tracker.example.org/"


def test_production_trusts_the_proxys_https_header(production):
    assert production["forwarded_https_home"]["status"] == 200


def test_production_pages_carry_every_security_header(production):
    for name in ("https_home", "https_admin_login", "https_missing"):
        headers = production[name]["headers"]
        assert headers["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains; preload"
        ), name
        assert headers["X-Content-Type-Options"] == "nosniff", name
        assert headers["Referrer-Policy"] == "same-origin", name
        assert headers["X-Frame-Options"] == "DENY", name
        assert headers["Cross-Origin-Opener-Policy"] == "same-origin", name
        csp = policy(headers["Content-Security-Policy"])
        assert csp["script-src"] == ["'self'"], name  # no 'unsafe-inline', no CDN
        assert csp["style-src"] == ["'self'"], name
        assert csp["frame-ancestors"] == ["'none'"], name
        assert csp["object-src"] == ["'none'"], name
        assert "upgrade-insecure-requests" in csp, name


def test_production_public_pages_are_cacheable_and_the_admin_is_not(production):
    assert production["https_home"]["headers"]["Cache-Control"] == "public, max-age=60"
    assert production["https_home"]["headers"]["ETag"]
    assert "no-store" in production["https_admin_login"]["headers"]["Cache-Control"]


def test_production_cookies_are_https_only(production):
    cookies = production["https_admin_login"]["cookies"]
    assert cookies["csrftoken"]["secure"] is True


def test_health_checks_answer_plain_http_by_ip_address(production):
    # Load balancers call them by IP over HTTP: no redirect, no DisallowedHost.
    assert production["http_healthz_by_ip"]["status"] == 200
    assert production["http_readyz_by_ip"]["status"] == 200
    assert json.loads(production["http_readyz_by_ip"]["body"]) == {
        "status": "ok",
        "database": "ok",
    }


def test_production_static_files_are_hashed_and_cached_for_ever(production):
    assert production["static_url"].startswith("/static/css/site.")
    assert production["static_url"] != "/static/css/site.css"
    static = production["https_static"]
    assert static["status"] == 200
    assert "immutable" in static["headers"]["Cache-Control"]
    assert "max-age=315360000" in static["headers"]["Cache-Control"]
    assert policy(static["headers"]["Content-Security-Policy"])["frame-ancestors"] == ["'none'"]


def test_production_404_is_the_sites_page(production):
    missing = production["https_missing"]
    assert missing["status"] == 404
    assert "Page not found" in missing["body"]
    assert "US–China Engagement Tracker" in missing["body"]


def policy(header):
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/encounters/", "/people/", "/admin/login/", "/missing/"])
def test_development_keeps_the_headers_that_work_without_tls(client, path):
    response = client.get(path)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    csp = policy(response["Content-Security-Policy"])
    assert csp["script-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    # No HTTPS-only behaviour on a plain-HTTP laptop run.
    assert "Strict-Transport-Security" not in response
    assert "upgrade-insecure-requests" not in csp
    assert response.status_code in (200, 404)


@pytest.mark.django_db
def test_development_cookies_work_over_plain_http(client):
    response = client.get("/admin/login/")
    assert not response.cookies["csrftoken"]["secure"]


def test_csp_nonce_is_added_only_when_a_template_uses_it(rf):
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse

    def uses_nonce(request):
        return HttpResponse(f'<script nonce="{request.csp_nonce}" src="/static/x.js"></script>')

    request = rf.get("/")
    response = CSPMiddleware(uses_nonce)(request)
    nonce = request.csp_nonce
    assert f"'nonce-{nonce}'" in policy(response["Content-Security-Policy"])["script-src"]

"""django-axes: repeated failed admin logins lock the user name on that address for a while."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from tests.conftest import make_staff

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
ROOT = Path(__file__).resolve().parent.parent


def attempt(client, password, username="eddie"):
    return client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"})


def test_lockout_after_the_configured_number_of_failures(settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    make_staff("eddie", "Editors")
    client = Client()
    for _ in range(2):
        response = attempt(client, "wrong")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.text
    response = attempt(client, "wrong")
    assert response.status_code == 429
    assert "Too many failed logins" in response.text
    assert "after 3 failed attempts" in response.text
    # Locked: even the right password is refused until the cool-off ends.
    response = attempt(client, "correct horse battery")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_user_name_and_address(settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    make_staff("eddie", "Editors")
    make_staff("pat", "Publishers")
    client = Client()
    for _ in range(2):
        attempt(client, "wrong")
    assert attempt(client, "correct horse battery").status_code == 429
    # Another editor on the same network is not locked out by someone guessing eddie's.
    response = attempt(Client(), "correct horse battery", username="pat")
    assert response.status_code == 302


def test_a_successful_login_resets_the_count(settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    make_staff("eddie", "Editors")
    client = Client()
    attempt(client, "wrong")
    attempt(client, "wrong")
    assert AccessAttempt.objects.get(username="eddie").failures_since_start == 2
    assert attempt(client, "correct horse battery").status_code == 302
    assert not AccessAttempt.objects.filter(username="eddie").exists()
    client.logout()
    attempt(client, "wrong")
    attempt(client, "wrong")
    assert attempt(client, "correct horse battery").status_code == 302


def production_setting(*names, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment |= {
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": "x" * 60,
        "DJANGO_ALLOWED_HOSTS": "example.org",
        "DATABASE_URL": "postgres://u:p@db.invalid/x",
        **env,
    }
    code = (
        "from engagements.infrastructure import settings as s; print("
        + ", ".join(f"s.{n}" for n in names)
        + ")"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_production_cookies_are_secure_and_httponly():
    names = [
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "CSRF_COOKIE_HTTPONLY",
    ]
    assert production_setting(*names) == ["True"] * 4


def test_login_cookies_carry_httponly(client):
    make_staff("eddie", "Editors")
    response = attempt(client, "correct horse battery")
    assert response.cookies["sessionid"]["httponly"]
    assert response.cookies["csrftoken"]["httponly"]


def test_password_spraying_from_one_address_is_locked_out_by_address(settings):
    """Many user names, one or two guesses each, from one address: locked by the address."""
    settings.LOGIN_FAILURE_LIMIT = 5
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 8
    make_staff("eddie", "Editors")
    sprayer = Client(REMOTE_ADDR="203.0.113.7")
    for number in range(8):
        response = attempt(sprayer, "Winter2026!", username=f"user{number}")
        assert response.status_code in (200, 429)
    response = attempt(sprayer, "correct horse battery")
    assert response.status_code == 429
    assert "after 8 failed attempts" in response.text
    # Editors elsewhere are not affected.
    response = attempt(Client(REMOTE_ADDR="198.51.100.4"), "correct horse battery")
    assert response.status_code == 302

"""Run by tests/test_security.py in a subprocess with DJANGO_ENV=production: requests a few
URLs through Django's test client and writes each response's status, headers and cookies as
JSON to the file named by its argument. (Production settings are read once at start-up, so
they cannot be overridden in-process.)
"""

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "engagements.infrastructure.settings")
django.setup()

from django.templatetags.static import static  # noqa: E402
from django.test import Client  # noqa: E402

HOST = os.environ["DJANGO_ALLOWED_HOSTS"].split(",")[0]


def describe(response):
    return {
        "status": response.status_code,
        "headers": dict(response.headers),
        "cookies": {
            name: {"secure": bool(m["secure"]), "httponly": bool(m["httponly"])}
            for name, m in response.cookies.items()
        },
        "body": b"".join(response)[:3000].decode(errors="replace"),
    }


def main():
    client = Client(HTTP_HOST=HOST, raise_request_exception=False)
    results = {
        "http_home": client.get("/"),
        "https_home": client.get("/", secure=True),
        "https_admin_login": client.get("/admin/login/", secure=True),
        "https_missing": client.get("/no-such-page/", secure=True),
        "https_static": client.get(static("css/site.css"), secure=True),
        "http_healthz_by_ip": Client(HTTP_HOST="10.1.2.3:8000").get("/healthz"),
        "http_readyz_by_ip": Client(HTTP_HOST="10.1.2.3:8000").get("/readyz"),
        "forwarded_https_home": client.get("/", headers={"X-Forwarded-Proto": "https"}),
    }
    results["static_url"] = static("css/site.css")
    with open(sys.argv[1], "w") as output:  # stdout carries the logs
        json.dump(
            {k: describe(v) if not isinstance(v, str) else v for k, v in results.items()},
            output,
        )


if __name__ == "__main__":
    main()

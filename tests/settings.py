"""Settings for the test session: the application's own, with test-only speed-ups."""

from engagements.infrastructure.settings import *  # noqa: F403

# Users are created in many tests; the default PBKDF2 costs ~0.3 s per password.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The suite's own queries run inside one transaction per test on a database that earlier tests
# bloated with rolled-back rows, so a plan can be slow for reasons no visitor meets; the public
# statement timeout's own tests (test_limits, test_abuse) set the limit they test.
PUBLIC_STATEMENT_TIMEOUT_MS = 60_000

# Counts in PostgreSQL, as every test before the record index was written expects (query counts,
# plans); tests/test_record_index.py builds the index inline and compares both ways.
RECORD_INDEX = "off"

"""Settings for the test session: the application's own, with test-only speed-ups."""

from engagements.infrastructure.settings import *  # noqa: F403

# Users are created in many tests; the default PBKDF2 costs ~0.3 s per password.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

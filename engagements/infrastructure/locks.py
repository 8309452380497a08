"""PostgreSQL advisory locks: one process at a time for work every web node may start at once.

Several web containers starting together (`docker-compose up --scale web=3`) all run the
start-up steps of deploy/entrypoint.sh: migrations, and with DJANGO_LOAD_SEED the seed and the
Office of the Historian's import. Each step runs under the one start-up lock, so the first node
does the work while the others wait, then find nothing left to do (every step is idempotent).
The lock is PostgreSQL's own (session-level, re-entrant within a session, released if the
process dies), so it needs no shared file system and works against any PostgreSQL.
https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS
"""

import contextlib
import sys

from django.db import connections

# Any constant shared by every node of this app; "engagements" in ASCII, trimmed to an int8.
STARTUP_LOCK = 0x656E676167656D65


@contextlib.contextmanager
def advisory_lock(key=STARTUP_LOCK, using="default", waiting_message=None, stream=None):
    """Hold PostgreSQL advisory lock KEY on the USING connection for the block. When another
    session holds it, write WAITING_MESSAGE to STREAM (stderr) once and wait for it."""
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        if not cursor.fetchone()[0]:
            if waiting_message:
                stream = stream or sys.stderr
                stream.write(waiting_message + "\n")
                stream.flush()
            cursor.execute("SELECT pg_advisory_lock(%s)", [key])
        try:
            yield
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


def startup_step(name, stream=None):
    """The start-up lock around one start-up step, saying on STREAM why it waits."""
    return advisory_lock(
        waiting_message=f"{name}: waiting for another process's start-up step (advisory lock)",
        stream=stream,
    )

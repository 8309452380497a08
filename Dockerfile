# The production image: gunicorn serving the app, static files collected at build time.
# Build and run it with docker-compose.yml (README.md, "Deployment").
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_ENV=production \
    PORT=8000

WORKDIR /app

# `pip install .` installs the runtime dependencies (and a copy of the package); the app itself
# runs from /app (first on sys.path for manage.py and gunicorn), where BASE_DIR finds templates/
# and static/ next to it. Templates and static files are copied after the install, so editing
# them does not reinstall the dependencies; editing Python code does.
COPY pyproject.toml README.md ./
COPY engagements ./engagements
RUN pip install .

COPY manage.py gunicorn.conf.py ./
COPY templates ./templates
COPY static ./static
COPY docs ./docs
COPY deploy/entrypoint.sh ./deploy/entrypoint.sh

# Hashed, compressed static files, baked into the image (whitenoise serves them with far-future
# caching). Settings need their variables to load; these placeholders are used for nothing else.
RUN DJANGO_SECRET_KEY=collectstatic-only DJANGO_ALLOWED_HOSTS=localhost \
    DATABASE_URL=postgres://collectstatic@localhost/none \
    python manage.py collectstatic --noinput --verbosity 0

# Run as an unprivileged user that cannot write the code.
RUN useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin app
USER app

EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=2)"]

ENTRYPOINT ["/app/deploy/entrypoint.sh"]
CMD ["gunicorn", "--config", "gunicorn.conf.py"]

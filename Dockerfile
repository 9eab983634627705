# One image for web, worker and beat (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production

RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 foule

WORKDIR /app
COPY pyproject.toml ./
RUN pip install --upgrade pip && pip install .
COPY --chown=foule:foule . .

# Static files are collected into the image and served by WhiteNoise.
RUN DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=localhost \
    DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --no-input -v 0

# Volumes for uploads and exports (docker-compose.yml mounts them), writable by the app.
RUN mkdir -p /data/media /data/private && chown -R foule:foule /data

USER foule
EXPOSE 8000
# config/gunicorn.py: sync workers (FOULE_WEB_WORKERS), each with at most one database
# connection; the same file `make run` uses.
ENV FOULE_HOST=0.0.0.0 FOULE_PORT=8000
CMD ["gunicorn", "-c", "config/gunicorn.py", "--access-logfile", "-"]

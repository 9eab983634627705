"""Settings for `make run`: the production shape on one machine, over plain HTTP on
localhost. gunicorn serves (config/gunicorn.py), DEBUG is off, static files are collected
by `make run` and served by WhiteNoise, emails are printed in the terminal (base's
EMAIL_URL default, consolemail://). Database connections are kept DATABASE_CONN_MAX_AGE
seconds (60 by default): one per gunicorn sync worker and per Celery pool process, so their
number is bounded by the processes, not by the load. `make dev` adds to these
(config/settings/dev.py)."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "0.0.0.0"])  # noqa: S104

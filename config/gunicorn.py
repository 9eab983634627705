"""gunicorn for `make run` (scripts/run.py): `gunicorn -c config/gunicorn.py`.

FOULE_WEB_WORKERS processes of FOULE_WEB_THREADS threads: each thread handles one request at
a time and holds at most one database connection, kept for DATABASE_CONN_MAX_AGE seconds and
reused by its next requests. The connections of the web server are therefore bounded by
workers × threads, whatever the load (Django's development server opens one per request).
Anything here can be overridden with GUNICORN_CMD_ARGS, e.g. GUNICORN_CMD_ARGS="--access-logfile
-" to log every request.
"""

import os

wsgi_app = "config.wsgi:application"
bind = f"{os.environ.get('FOULE_HOST', '127.0.0.1')}:{os.environ.get('FOULE_PORT', '8000')}"
workers = int(os.environ.get("FOULE_WEB_WORKERS", "3"))
# Threads per worker, each with its own database connection (so at most workers × threads
# connections). With more than one, gunicorn's gthread workers keep a client's connection
# open between requests (keep-alive): a sync worker closes it after every request, and
# accepting and closing cost a quarter of a vote's web CPU under load (make bench).
threads = int(os.environ.get("FOULE_WEB_THREADS", "4"))
worker_class = "gthread" if threads > 1 else "sync"
keepalive = 5
# Django is loaded once, before the workers are forked: they start at once and share its
# memory. (Nothing opens a database or Redis connection while Django loads.)
preload_app = True
# A request taking longer is a bug to see, not to wait for.
timeout = 30
# Ctrl-C: requests under way get this long to finish.
graceful_timeout = 10
loglevel = "info"
errorlog = "-"
# gunicorn's control socket lives in the home folder, one path for every gunicorn of the
# account: two checkouts (or `make run` beside `make bench`) would fight over it.
control_socket_disable = True

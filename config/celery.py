import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("foule")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Results (a campaign's whole count) have their own queue, so a large election's
# recomputes never queue up in front of the tally drain and the heartbeat: a worker
# started without -Q consumes both queues in turn, and a deployment may give results
# their own worker (`-Q results`) and the others the default one (`-Q celery`).
app.conf.task_queues = (
    Queue("celery", routing_key="celery"),
    Queue("results", routing_key="results"),
)
app.conf.task_routes = {"voting.tasks.results_*": {"queue": "results"}}
app.autodiscover_tasks()

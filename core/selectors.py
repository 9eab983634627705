import time

from django.db import connection

from core.redis import get_redis, key
from core.tasks import HEARTBEAT_KEY


def health_status(*, details: bool = True) -> dict:
    """Database, broker and worker state; `ok` is false if any part is down. Without
    `details` the tally figures (a few more Redis reads) are left out: the public answer
    only says whether the service is up."""
    status: dict = {"database": "ok", "broker": "ok", "worker_heartbeat_age_seconds": None}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:  # any driver error means the database is unreachable
        status["database"] = f"error: {error.__class__.__name__}"
    try:
        redis = get_redis()
        redis.ping()
        beat = redis.get(key(HEARTBEAT_KEY))
        if beat is not None:
            status["worker_heartbeat_age_seconds"] = round(time.time() - float(beat), 1)
    except Exception as error:  # same: report, never raise from a health check
        status["broker"] = f"error: {error.__class__.__name__}"
    if details and status["broker"] == "ok":
        from voting.selectors import tally_health  # core stays importable without voting

        status["tally"] = tally_health()
    age = status["worker_heartbeat_age_seconds"]
    status["worker"] = "ok" if age is not None and age < 30 else "stale"
    status["ok"] = status["database"] == "ok" and status["broker"] == "ok"
    return status

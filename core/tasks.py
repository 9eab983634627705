import time

from celery import shared_task

from core.redis import get_redis, key

HEARTBEAT_KEY = "worker:heartbeat"


@shared_task(ignore_result=True)
def worker_heartbeat() -> None:
    """Written by a worker every few seconds; /healthz reads its age."""
    get_redis().set(key(HEARTBEAT_KEY), f"{time.time():.3f}", ex=3600)

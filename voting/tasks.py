from celery import shared_task

from voting import tally


@shared_task(ignore_result=True)
def tally_drain_dirty() -> int:
    return tally.tally_drain_dirty()


@shared_task(ignore_result=True)
def tally_reconcile() -> int:
    return tally.tally_reconcile()

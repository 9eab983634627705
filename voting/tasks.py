"""Thin tasks: each loads nothing itself and calls a service; all are safe to run twice."""

from celery import shared_task

from voting import impressions, results, tally


@shared_task(ignore_result=True)
def tally_drain_dirty() -> int:
    return tally.tally_drain_dirty()


@shared_task(ignore_result=True)
def tally_reconcile() -> int:
    return tally.tally_reconcile()


@shared_task(ignore_result=True)
def support_expire_due() -> int:
    return tally.support_expire_due()


@shared_task(ignore_result=True)
def results_drain_dirty() -> int:
    return results.results_drain_dirty()


@shared_task(ignore_result=True)
def results_reconcile() -> int:
    return results.results_reconcile()


@shared_task(ignore_result=True)
def results_finalize_due() -> int:
    return results.results_finalize_due()


@shared_task(ignore_result=True)
def impressions_flush() -> int:
    return impressions.impressions_flush()

"""Thin tasks: each calls a service and is safe to run twice."""

from celery import shared_task

from campaigns.models import Campaign
from insights import stats
from insights.exports import export_build, exports_delete_expired


@shared_task(ignore_result=True)
def campaigns_stats_refresh_due() -> int:
    return stats.campaigns_stats_refresh_due()


@shared_task(ignore_result=True, acks_late=True)
def campaign_stats_refresh(campaign_id: int) -> bool:
    campaign = Campaign.objects.select_related("brand").filter(pk=campaign_id).first()
    if campaign is None:
        return False
    stats.campaign_stats_refresh(campaign=campaign)
    return True


@shared_task(ignore_result=True, acks_late=True)
def campaign_export_build(export_id: int) -> None:
    """Build one export's file (idempotent: a re-delivered task restarts it cleanly, a
    done one is left alone; a failure is recorded on the export, never retried)."""
    export_build(export_id=export_id)


@shared_task(ignore_result=True)
def campaign_exports_delete_expired() -> int:
    return exports_delete_expired()

"""Thin tasks: each calls a service and is safe to run twice."""

from celery import shared_task

from campaigns import lifecycle


@shared_task(ignore_result=True)
def campaigns_advance_due() -> int:
    return lifecycle.campaigns_advance_due()


@shared_task(ignore_result=True)
def campaigns_remind_voting_ending() -> int:
    return lifecycle.campaigns_remind_voting_ending()


@shared_task(ignore_result=True, acks_late=True, max_retries=5, default_retry_delay=10)
def campaign_transition_effects(campaign_id: int, to_state: str) -> int:
    return lifecycle.transition_effects(campaign_id=campaign_id, to_state=to_state)


@shared_task(ignore_result=True, acks_late=True)
def campaign_schedule_changed(campaign_id: int, change_id: int) -> int:
    return lifecycle.schedule_change_effects(campaign_id=campaign_id, change_id=change_id)


@shared_task(ignore_result=True)
def transitions_retry_effects() -> int:
    return lifecycle.transitions_retry_effects()


@shared_task(ignore_result=True)
def campaigns_stats_refresh_due() -> int:
    from campaigns import stats

    return stats.campaigns_stats_refresh_due()


@shared_task(ignore_result=True, acks_late=True)
def campaign_stats_refresh(campaign_id: int) -> bool:
    from campaigns import stats
    from campaigns.models import Campaign

    campaign = Campaign.objects.select_related("brand").filter(pk=campaign_id).first()
    if campaign is None:
        return False
    stats.campaign_stats_refresh(campaign=campaign)
    return True


@shared_task(ignore_result=True, acks_late=True)
def campaign_export_build(export_id: int) -> None:
    """Build one export's file (idempotent: a re-delivered task restarts it cleanly, a
    done one is left alone; a failure is recorded on the export, never retried)."""
    from campaigns.exports import export_build

    export_build(export_id=export_id)


@shared_task(ignore_result=True)
def campaign_exports_delete_expired() -> int:
    from campaigns.exports import exports_delete_expired

    return exports_delete_expired()

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

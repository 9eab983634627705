from celery import shared_task

from ideas import services


@shared_task(ignore_result=True, acks_late=True)
def idea_answer_notify(update_id: int) -> int:
    return services.idea_answer_notify(update_id=update_id)

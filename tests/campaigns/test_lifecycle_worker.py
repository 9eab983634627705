"""The lifecycle on the real components: a Celery worker with its beat opens a launched
campaign on time, once, and tells its followers once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns import lifecycle
from campaigns.models import CampaignFollow, CampaignTransition
from notifications.models import Notification
from tests.factories import (
    BrandMembershipFactory,
    CampaignFactory,
    CampaignTermsFactory,
    UserFactory,
)
from tests.support.worker import wait_for

pytestmark = pytest.mark.worker


def test_beat_opens_the_campaign_on_time_and_tells_followers_once(celery_worker_process):
    opens = timezone.now() + timedelta(seconds=4)
    campaign = CampaignFactory(
        is_published=False,
        submission_opens_at=opens,
        submission_closes_at=opens + timedelta(days=5),
        voting_opens_at=opens + timedelta(days=1),
        voting_closes_at=opens + timedelta(days=9),
    )
    CampaignTermsFactory(campaign=campaign)
    manager = BrandMembershipFactory(brand=campaign.brand).user
    lifecycle.campaign_launch(campaign=campaign, actor=manager)
    follower = UserFactory()
    CampaignFollow.objects.create(campaign=campaign, user=follower)

    opened = wait_for(
        lambda: CampaignTransition.objects.filter(
            campaign=campaign, to_state="submission", effects_done_at__isnull=False
        ).first(),
        timeout=40,
    )
    assert opened is not None, celery_worker_process.output()
    # On time: beat runs every second here (every 15 s by default); the issue asks for
    # within a minute, and a loaded CI machine may queue the task behind the tallies.
    assert opens <= opened.occurred_at < opens + timedelta(seconds=20)
    campaign.refresh_from_db()
    assert campaign.state == "submission"
    assert list(Notification.objects.values_list("recipient_id", "kind")) == [
        (follower.pk, "campaign_opened")
    ]
    # Beat keeps firing: nothing more happens.
    import time

    time.sleep(2.5)
    assert CampaignTransition.objects.filter(campaign=campaign).count() == 2
    assert Notification.objects.count() == 1

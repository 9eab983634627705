import pytest
from django.db.models import ProtectedError

from accounts.models import User
from tests.factories import IdeaFactory, UserFactory
from voting.models import Vote
from voting.services import vote_cast


def test_an_account_with_votes_cannot_be_deleted_so_no_tally_goes_silently_stale(db):
    idea = IdeaFactory()
    voter = UserFactory()
    vote_cast(voter=voter, idea=idea, value=1)

    with pytest.raises(ProtectedError):
        voter.delete()

    assert User.objects.filter(pk=voter.pk).exists()
    assert Vote.objects.filter(voter=voter).count() == 1


def test_the_new_campaign_link_is_shown_to_brand_members_only(client, db):
    from tests.factories import BrandMembershipFactory

    superuser = User.objects.create_superuser(email="root@example.org", password="x" * 12)
    client.force_login(superuser)
    assert "/campaigns/new/" not in client.get("/").content.decode()

    member = BrandMembershipFactory().user
    client.force_login(member)
    assert "/campaigns/new/" in client.get("/").content.decode()

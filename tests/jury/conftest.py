import pytest

from brands.models import BrandMembership
from jury.models import Criterion
from tests.factories import BrandMembershipFactory, CampaignFactory, UserFactory


@pytest.fixture
def manager(db):
    return BrandMembershipFactory(role=BrandMembership.Role.MANAGER).user


@pytest.fixture
def contest(manager):
    """An open contest (ideas and votes) of the manager's brand."""
    brand = manager.brand_memberships.get().brand
    return CampaignFactory(brand=brand, voting_method="contest")


@pytest.fixture
def criteria(contest):
    """Originality 40, fit with the brief 40, feasibility 20."""
    return [
        Criterion.objects.create(campaign=contest, name=name, weight=weight, position=index)
        for index, (name, weight) in enumerate(
            [("Originality", 40), ("Fit with the brief", 40), ("Feasibility", 20)]
        )
    ]


@pytest.fixture
def juror_user(db):
    return UserFactory(display_name="Jules Juror")

from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import User
from brands.models import Brand, BrandMembership
from campaigns.lifecycle import due_state
from campaigns.models import Campaign, CampaignTerms
from core.markdown import render_markdown
from ideas.models import Idea
from voting.list_cache import idea_list_changed
from voting.models import IdeaTally

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Faker("first_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(user, create, extracted, **kwargs):
        """Verified by default; UserFactory(verified=False) for an unconfirmed account."""
        user.save()
        EmailAddress.objects.create(
            user=user, email=user.email, primary=True, verified=extracted is not False
        )


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand

    name = factory.Sequence(lambda n: f"Brand {n}")
    slug = factory.Sequence(lambda n: f"brand-{n}")


class BrandMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BrandMembership

    brand = factory.SubFactory(BrandFactory)
    user = factory.SubFactory(UserFactory)
    role = BrandMembership.Role.MANAGER


class CampaignFactory(factory.django.DjangoModelFactory):
    """A campaign open for both ideas and votes, unless dates are given."""

    class Meta:
        model = Campaign

    brand = factory.SubFactory(BrandFactory)
    title = factory.Sequence(lambda n: f"Campaign {n}")
    slug = factory.Sequence(lambda n: f"campaign-{n}")
    brief = "What should we do **next**?"
    brief_html = factory.LazyAttribute(lambda o: render_markdown(o.brief))
    submission_opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    submission_closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=10))
    voting_opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    voting_closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=20))
    results_at = None
    is_published = True
    # The state the dates say (a launched campaign), unless one is given.
    state = factory.LazyAttribute(
        lambda o: (
            due_state(
                Campaign(
                    submission_opens_at=o.submission_opens_at,
                    submission_closes_at=o.submission_closes_at,
                    voting_opens_at=o.voting_opens_at,
                    voting_closes_at=o.voting_closes_at,
                    results_at=o.results_at,
                )
            )
            if o.is_published
            else Campaign.State.DRAFT
        )
    )


class IdeaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Idea
        skip_postgeneration_save = True

    campaign = factory.SubFactory(CampaignFactory)
    author = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Idea {n}")
    body = "A *good* idea."
    body_html = factory.LazyAttribute(lambda o: render_markdown(o.body))
    content_hash = "0" * 64

    @factory.post_generation
    def tally(idea, create, extracted, **kwargs):
        """What the events of idea_submit do: the idea's empty tally row, and a new
        generation of its campaign's shared lists (voting/receivers.py)."""
        if create:
            IdeaTally.objects.get_or_create(idea=idea, defaults={"campaign": idea.campaign})
            idea_list_changed(campaign_id=idea.campaign_id)


class CampaignTermsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CampaignTerms

    campaign = factory.SubFactory(CampaignFactory)
    version = factory.Sequence(lambda n: n + 1)
    ip_terms = "You keep the copyright; the brand may use the idea."
    confidentiality = "Do not share confidential information."

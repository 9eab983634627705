"""Demo data for `make run`: idempotent, so it runs at every start. Everything is
written through the apps' services, like a brand and its crowd would: the builder's steps
and the launch for campaigns, the ideas', voting's and campaigns' services for the rest.
Two things have no service, as nobody does them on the site: the demo brand and its team
(brands are set up by Foule's staff) and the time travel that puts campaigns at their
dates after their ideas and votes went in."""

from datetime import timedelta

from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import user_create
from brands.models import Brand, BrandMembership
from builder.services import (
    campaign_brief_update,
    campaign_schedule_update,
    campaign_terms_update,
    draft_create,
)
from campaigns.lifecycle import campaign_advance
from campaigns.models import Campaign, CampaignTransition
from campaigns.services import campaign_follow_set
from demo.building import campaign_build
from demo.crowd import crowd_votes, jury_scores
from demo.data import (
    CAMPAIGNS,
    CONFIDENTIALITY,
    CONTRIBUTOR,
    CROWD,
    DEMO_PASSWORD,
    DRAFT_BRIEF,
    DRAFT_TITLE,
    FORMAT_CAMPAIGNS,
    IP_TERMS,
    MANAGER,
    MODERATION_GROUP,
    MODERATOR,
    MODERATOR_PERMISSIONS,
    PRIZES,
    SITE_MODERATORS_GROUP,
    USER_WRITE_PERMISSIONS,
)
from ideas.services import comment_post, idea_answer, idea_submit
from voting.results import results_finalize_due, results_reconcile
from voting.services import vote_cast
from voting.tally import tally_reconcile

# Campaigns seeded with their ideas and votes are first open this wide (days from now).
WIDE_OPEN = 200


class Command(BaseCommand):
    help = "Load the demo brand, campaigns, ideas, votes and the three demo logins."

    def handle(self, *args, **options):
        with transaction.atomic():
            created = self.seed()
        if created:
            # Tallies and results are derived by the same services the workers run.
            tally_reconcile()
            results_reconcile()
            results_finalize_due()  # the closed campaign gets its final result
        self.stdout.write(self.style.SUCCESS(f"\nDemo logins (password for all: {DEMO_PASSWORD})"))
        for role, email in [
            ("brand manager", MANAGER),
            ("brand moderator (/admin/)", MODERATOR),
            ("contributor", CONTRIBUTOR),
        ]:
            self.stdout.write(f"  {role:<30} {email}")

    def user(self, email, display_name, **extra) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = user_create(
                email=email,
                password=DEMO_PASSWORD,
                display_name=display_name,
                verified=True,
                **extra,
            )
        return user

    def seed(self) -> bool:
        manager = self.user(MANAGER, "Manon (Maison Claire)")
        moderator = self.user(MODERATOR, "Moderator Max", is_staff=True)
        contributor = self.user(CONTRIBUTOR, "Camille")
        crowd = [self.user(f"{name}@demo.foule.localhost", name.capitalize()) for name in CROWD]

        self.seed_moderation_group(moderator)
        brand = self.seed_brand(manager=manager, moderator=moderator)
        now = timezone.now()
        authors = [contributor, *crowd]
        existing = set(Campaign.objects.filter(brand=brand).values_list("title", flat=True))
        created = False
        for number, (title, brief, submission, voting, ideas) in enumerate(CAMPAIGNS):
            if title in existing:
                continue
            created = True
            campaign = self.seed_open_then_move(
                manager=manager, brand=brand, crowd=crowd, authors=authors, title=title,
                brief=brief, ideas=ideas, prizes=PRIZES if number == 0 else None, now=now,
                submission=submission, voting=voting,
            )  # fmt: skip
            if number == 0:
                self.seed_closing_the_loop(campaign=campaign, manager=manager, crowd=crowd)
        if DRAFT_TITLE not in existing:
            created = True
            self.seed_draft(manager=manager, brand=brand, now=now)
        for title, brief, options, ideas in FORMAT_CAMPAIGNS:
            if title in existing:
                continue
            created = True
            self.seed_format(
                manager=manager,
                brand=brand,
                crowd=crowd,
                authors=authors,
                title=title,
                brief=brief,
                options=options,
                ideas=ideas,
                now=now,
            )
        return created

    def seed_brand(self, *, manager, moderator) -> Brand:
        """The demo brand and its team (Foule's staff sets brands up: no service)."""
        brand, _ = Brand.objects.get_or_create(
            slug="maison-claire",
            defaults={
                "name": "Maison Claire",
                "description": "A family dairy since 1952.",
                "website": "https://maison-claire.example",
                "time_zone": "Europe/Paris",
            },
        )
        BrandMembership.objects.get_or_create(
            brand=brand, user=manager, defaults={"role": BrandMembership.Role.OWNER}
        )
        BrandMembership.objects.get_or_create(
            brand=brand, user=moderator, defaults={"role": BrandMembership.Role.MODERATOR}
        )
        return brand

    def seed_moderation_group(self, moderator) -> None:
        """The group's permissions are set to exactly MODERATOR_PERMISSIONS at every run."""
        group, _ = Group.objects.get_or_create(name=MODERATION_GROUP)
        permissions = Permission.objects.none()
        for app_label, model, actions in MODERATOR_PERMISSIONS:
            permissions |= Permission.objects.filter(
                content_type__app_label=app_label,
                codename__in=[f"{action}_{model}" for action in actions],
            )
        group.permissions.set(permissions)
        moderator.groups.add(group)
        site_moderators = Group.objects.filter(name=SITE_MODERATORS_GROUP).first()
        if site_moderators is not None:
            moderator.groups.remove(site_moderators)
            site_moderators.permissions.remove(
                *Permission.objects.filter(
                    content_type__app_label="accounts", codename__in=USER_WRITE_PERMISSIONS
                )
            )
        if not moderator.is_staff:
            User.objects.filter(pk=moderator.pk).update(is_staff=True)

    def seed_open_then_move(
        self, *, manager, brand, crowd, authors, title, brief, ideas, prizes, now, submission,
        voting,
    ) -> Campaign:  # fmt: skip
        """Built open (so that ideas and votes go through the services), then moved to its
        real dates (given in days from now)."""
        wide = (now - timedelta(days=WIDE_OPEN), now + timedelta(days=WIDE_OPEN))
        campaign = campaign_build(
            manager=manager, brand=brand, title=title, brief=brief, submission=wide,
            voting=wide, prizes=prizes,
        )  # fmt: skip
        for index, (idea_title, body) in enumerate(ideas):
            idea = idea_submit(
                author=authors[index % len(authors)],
                campaign=campaign,
                title=idea_title,
                body=body,
                accept_terms=True,
            )
            for voter_index, voter in enumerate(crowd[: 8 - 2 * index]):
                if voter != idea.author:
                    vote_cast(voter=voter, idea=idea, value=-1 if voter_index == 5 else 1)
        # Time travel: no service moves a running campaign's past.
        Campaign.objects.filter(pk=campaign.pk).update(
            submission_opens_at=now + timedelta(days=submission[0]),
            submission_closes_at=now + timedelta(days=submission[1]),
            voting_opens_at=now + timedelta(days=voting[0]),
            voting_closes_at=now + timedelta(days=voting[1]),
        )
        self.replay_lifecycle(campaign)
        campaign.refresh_from_db()
        return campaign

    def replay_lifecycle(self, campaign: Campaign) -> None:
        """The campaign's recorded steps are replayed from "scheduled" so that its state
        and history match the dates it was moved to."""
        CampaignTransition.objects.filter(campaign=campaign).exclude(to_state="scheduled").delete()
        Campaign.objects.filter(pk=campaign.pk).update(state=Campaign.State.SCHEDULED)
        campaign_advance(campaign_id=campaign.pk)

    def seed_draft(self, *, manager, brand, now) -> None:
        """A draft the manager can continue in the builder."""
        campaign = draft_create(actor=manager, brand=brand, title=DRAFT_TITLE)
        campaign = campaign_brief_update(campaign=campaign, actor=manager, brief=DRAFT_BRIEF)
        campaign_terms_update(
            campaign=campaign, actor=manager, ip_terms=IP_TERMS,
            confidentiality=CONFIDENTIALITY, is_private=False,
        )  # fmt: skip
        campaign_schedule_update(
            campaign=campaign, actor=manager,
            submission_opens_at=now + timedelta(days=30),
            submission_closes_at=now + timedelta(days=60),
            voting_opens_at=now + timedelta(days=45),
            voting_closes_at=now + timedelta(days=75),
        )  # fmt: skip

    def seed_closing_the_loop(self, *, campaign: Campaign, manager, crowd) -> None:
        """An official answer, comments and a follower on the yoghurt campaign."""
        ideas = list(campaign.ideas.order_by("pk"))
        if ideas:
            idea_answer(
                idea=ideas[0], author=manager, answer="under_review",
                note="Our tasting panel tries it next week. Thank you!",
            )  # fmt: skip
            comment_post(idea=ideas[0], author=crowd[0], body="I would buy this every week.")
            comment_post(idea=ideas[0], author=crowd[1], body="With *less* sugar, please.")
        campaign_follow_set(campaign=campaign, user=crowd[2], following=True)

    def seed_format(self, *, manager, brand, crowd, authors, title, brief, options, ideas, now):
        campaign = campaign_build(
            manager=manager, brand=brand, title=title, brief=brief, options=options,
            submission=(now - timedelta(days=5), now + timedelta(days=10)),
            voting=(now - timedelta(days=5), now + timedelta(days=25)),
        )  # fmt: skip
        created = [
            idea_submit(
                author=authors[index % len(authors)],
                campaign=campaign,
                title=idea_title,
                body=body,
                cost=cost,
                accept_terms=True,
            )
            for index, (idea_title, body, cost) in enumerate(ideas)
        ]
        self.seed_votes(campaign=campaign, crowd=crowd, ideas=created)

    def seed_votes(self, *, campaign: Campaign, crowd, ideas) -> None:
        """Each of the crowd votes the way the campaign's format takes votes
        (demo/crowd.py), and the jury of a contest scores the entries."""
        crowd_votes(campaign=campaign, crowd=crowd, ideas=ideas)
        jury_scores(campaign=campaign, ideas=ideas)

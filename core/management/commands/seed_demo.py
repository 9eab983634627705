"""Demo data for `make run`: idempotent, so it runs at every start."""

from datetime import timedelta

from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import user_create
from brands.models import Brand, BrandMembership
from campaigns.lifecycle import campaign_advance
from campaigns.models import (
    Campaign,
    CampaignFollow,
    CampaignPrize,
    CampaignTerms,
    CampaignTransition,
)
from campaigns.services import campaign_create
from core.markdown import render_markdown
from ideas.services import comment_post, idea_answer, idea_submit
from voting.ballots import ballot_submit
from voting.pairwise import pairwise_answer, pairwise_issue
from voting.results import results_finalize_due, results_reconcile
from voting.services import vote_cast
from voting.tally import tally_reconcile

DEMO_PASSWORD = "foule-demo"  # noqa: S105 - published demo logins, local data only
MANAGER = "manager@demo.foule.localhost"
MODERATOR = "moderator@demo.foule.localhost"
CONTRIBUTOR = "contributor@demo.foule.localhost"
CROWD = ["alice", "bruno", "chloe", "david", "emma", "farid", "gaelle", "hugo"]

# The demo moderator moderates Maison Claire (a brand role) and reaches the admin (is_staff)
# through this group, which holds exactly the model permissions the moderation screens need.
# Which rows they see comes from the brand role (docs/decisions/0010-admin-scope.md); no
# permission on accounts or groups: the right to edit users is the right to become anyone.
MODERATION_GROUP = "Brand moderation"
MODERATOR_PERMISSIONS = [
    ("ideas", "idea", ["view", "change"]),
    ("ideas", "comment", ["view", "change"]),
    ("ideas", "ideastatusupdate", ["view"]),
    ("voting", "vote", ["view"]),
    ("voting", "ideatally", ["view"]),
    ("voting", "ballot", ["view"]),
    ("voting", "pairwiseprompt", ["view"]),
    ("voting", "campaignresult", ["view"]),
    ("campaigns", "campaign", ["view"]),
    ("brands", "brand", ["view"]),
]
# Earlier demo data put the moderator in the site-wide "Moderators" group, which could
# change users: re-seeding takes both away.
SITE_MODERATORS_GROUP = "Moderators"
USER_WRITE_PERMISSIONS = ["add_user", "change_user", "delete_user"]
IP_TERMS = (
    "You keep the authorship of your idea. By submitting it you grant Maison Claire a "
    "free, non-exclusive licence to study, adapt and use it; if we produce it, you are "
    "credited and receive the prize announced for the campaign."
)
CONFIDENTIALITY = "Do not post anything confidential: ideas are public."
DRAFT_TITLE = "Summer festival 2027"

# (title, brief, (submission open, close), (voting open, close) in days from now, ideas)
CAMPAIGNS = [
    (
        "Vote for our next yoghurt flavour",
        "Which flavour should **Maison Claire** launch next spring?\n\n"
        "Submit your flavour idea and vote for your favourites. The three best ideas go to "
        "our tasting panel.",
        (-10, 20),
        (-10, 30),
        [
            ("Salted caramel and hazelnut", "A smooth caramel base with roasted hazelnut bits."),
            ("Rhubarb and strawberry", "Tangy rhubarb softened by summer strawberries."),
            ("Chestnut cream", "A winter classic: *crème de marrons* in a creamy yoghurt."),
            ("Mango and passion fruit", "Tropical, bright and not too sweet."),
        ],
    ),
    (
        "Greener packaging",
        "Our pots are recyclable, but we want to do better. How should we package our "
        "yoghurts by 2028?",
        (-40, -5),
        (-40, 15),
        [
            ("Returnable glass jars", "Deposit of 20 cents, collected in every shop."),
            ("Paper-based pots", "Compostable pots made from certified paper."),
            ("Bulk yoghurt in shops", "Bring your own jar to the dairy counter."),
        ],
    ),
    (
        "Redesign of the factory garden",
        "Our factory garden in Lyon opens to the neighbourhood next year. What should it become?",
        (5, 35),
        (5, 50),
        [],
    ),
    (
        "Winter menu 2025",
        "Which dessert should join our winter menu? Results are in: thank you all!",
        (-120, -70),
        (-120, -60),
        [
            ("Poached pear yoghurt", "Pear poached in spiced syrup on a vanilla yoghurt."),
            ("Gingerbread crumble", "Crunchy gingerbread on a honey yoghurt."),
        ],
    ),
]


# One campaign per other format: (title, brief, options, ideas as (title, body, cost)).
FORMAT_CAMPAIGNS = [
    (
        "Name our new mascot",
        "Rank the names from your favourite down. Counted by the Schulze method.",
        {"voting_method": "ranked"},
        [
            ("Clarette", "A cheerful cow.", None),
            ("Bouboule", "Round and happy.", None),
            ("Mademoiselle Lait", "Elegant.", None),
            ("Yaourtix", "A Gaulish hero.", None),
        ],
    ),
    (
        "Which café idea is better?",
        "Two ideas at a time: pick the better one. Scores by Bradley-Terry.",
        {"voting_method": "pairwise"},
        [
            ("Free refills", "Refill your cup for free.", None),
            ("Reading corner", "Books to borrow.", None),
            ("Kids' menu", "Small portions.", None),
            ("Terrace", "Tables outside in summer.", None),
            ("Vegan options", "Oat milk.", None),
        ],
    ),
    (
        "Neighbourhood budget 2027",
        "Spend 100,000 € across the projects you want most.",
        {"voting_method": "budget", "budget_amount": 100000},
        [
            ("Bike racks", "Twenty racks near the market.", 15000),
            ("Playground", "A new playground in the park.", 60000),
            ("Street trees", "Forty trees on the avenue.", 40000),
            ("Public piano", "A piano in the square.", 5000),
        ],
    ),
    (
        "Bring back a 1980s recipe",
        "Support the recipes you miss: 5 supporters within 30 "
        "days, then 8 within 60, and we review it.",
        {"voting_method": "support", "support_stages": [[5, 30], [8, 60]]},
        [
            ("Vanilla-caramel cup", "The one with the caramel at the bottom.", None),
            ("Strawberry foam", "Light and pink.", None),
        ],
    ),
    (
        "Rate our new desserts",
        "Give each dessert one to five stars.",
        {"voting_method": "star"},
        [
            ("Lemon posset", "Sharp and creamy.", None),
            ("Chocolate mousse", "Dark.", None),
            ("Rice pudding", "With cinnamon.", None),
        ],
    ),
]


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
        now = timezone.now()
        authors = [contributor, *crowd]
        existing = set(Campaign.objects.filter(brand=brand).values_list("title", flat=True))
        created = False
        for title, brief, submission, voting, ideas in CAMPAIGNS:
            if title in existing:
                continue
            created = True
            # Created open so that ideas and votes go through the services, then moved to
            # their real dates.
            campaign = campaign_create(
                created_by=manager,
                brand=brand,
                title=title,
                brief=brief,
                submission_opens_at=now - timedelta(days=200),
                submission_closes_at=now + timedelta(days=200),
                voting_opens_at=now - timedelta(days=200),
                voting_closes_at=now + timedelta(days=200),
            )
            for index, (idea_title, body) in enumerate(ideas):
                idea = idea_submit(
                    author=authors[index % len(authors)],
                    campaign=campaign,
                    title=idea_title,
                    body=body,
                )
                for voter_index, voter in enumerate(crowd[: 8 - 2 * index]):
                    if voter != idea.author:
                        vote_cast(voter=voter, idea=idea, value=-1 if voter_index == 5 else 1)
            Campaign.objects.filter(pk=campaign.pk).update(
                submission_opens_at=now + timedelta(days=submission[0]),
                submission_closes_at=now + timedelta(days=submission[1]),
                voting_opens_at=now + timedelta(days=voting[0]),
                voting_closes_at=now + timedelta(days=voting[1]),
            )
            self.replay_lifecycle(campaign, manager)
        if DRAFT_TITLE not in existing:
            created = True
            self.seed_draft(manager=manager, brand=brand, now=now)
        self.seed_closing_the_loop(manager=manager, brand=brand, crowd=crowd)
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

    def replay_lifecycle(self, campaign: Campaign, manager) -> None:
        """The demo campaign was created open (so that ideas and votes went through the
        services) and then moved to its real dates: its recorded steps are replayed from
        "scheduled" so that its state and history match those dates."""
        CampaignTransition.objects.filter(campaign=campaign).exclude(to_state="scheduled").delete()
        Campaign.objects.filter(pk=campaign.pk).update(state=Campaign.State.SCHEDULED)
        self.terms_for(campaign, manager)
        campaign_advance(campaign_id=campaign.pk)

    def terms_for(self, campaign: Campaign, manager) -> None:
        CampaignTerms.objects.get_or_create(
            campaign=campaign,
            version=1,
            defaults={
                "ip_terms": IP_TERMS, "ip_terms_html": render_markdown(IP_TERMS),
                "confidentiality": CONFIDENTIALITY,
                "confidentiality_html": render_markdown(CONFIDENTIALITY), "created_by": manager,
            },
        )  # fmt: skip

    def seed_draft(self, *, manager, brand, now) -> None:
        """A draft the manager can continue in the builder."""
        campaign = campaign_create(
            created_by=manager,
            brand=brand,
            title=DRAFT_TITLE,
            brief="Which artists and workshops would make our summer festival?",
            submission_opens_at=now + timedelta(days=30),
            submission_closes_at=now + timedelta(days=60),
            voting_opens_at=now + timedelta(days=45),
            voting_closes_at=now + timedelta(days=75),
            is_published=False,
        )
        self.terms_for(campaign, manager)

    def seed_closing_the_loop(self, *, manager, brand, crowd) -> None:
        """Prizes, an official answer, comments and a follower on the yoghurt campaign."""
        campaign = Campaign.objects.filter(brand=brand, title=CAMPAIGNS[0][0]).first()
        if campaign is None or campaign.prizes.exists():
            return
        for rank, title in enumerate(["Your flavour on our shelves", "A year of yoghurt"], 1):
            CampaignPrize.objects.create(campaign=campaign, rank=rank, title=title)
        ideas = list(campaign.ideas.order_by("pk"))
        if ideas:
            idea_answer(
                idea=ideas[0], author=manager, answer="under_review",
                note="Our tasting panel tries it next week. Thank you!",
            )  # fmt: skip
            comment_post(idea=ideas[0], author=crowd[0], body="I would buy this every week.")
            comment_post(idea=ideas[0], author=crowd[1], body="With *less* sugar, please.")
        CampaignFollow.objects.get_or_create(campaign=campaign, user=crowd[2])

    def seed_format(self, *, manager, brand, crowd, authors, title, brief, options, ideas, now):
        campaign = campaign_create(
            created_by=manager,
            brand=brand,
            title=title,
            brief=brief,
            submission_opens_at=now - timedelta(days=5),
            submission_closes_at=now + timedelta(days=10),
            voting_opens_at=now - timedelta(days=5),
            voting_closes_at=now + timedelta(days=25),
            **options,
        )
        self.terms_for(campaign, manager)
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
        ids = [idea.pk for idea in created]
        method = campaign.voting_method
        for number, voter in enumerate(crowd):
            others = [idea for idea in created if idea.author_id != voter.pk]
            if method == "ranked":
                order = ids[number % len(ids) :] + ids[: number % len(ids)]
                ballot_submit(
                    voter=voter,
                    campaign=campaign,
                    choices=[pk for pk in order if pk in {i.pk for i in others}],
                )
            elif method == "budget":
                ballot_submit(
                    voter=voter,
                    campaign=campaign,
                    choices=[ids[number % 2], ids[3]] if number % 3 else [ids[1]],
                )
            elif method == "pairwise":
                for _ in range(3):
                    prompt = pairwise_issue(voter=voter, campaign=campaign)
                    pairwise_answer(
                        voter=voter,
                        token=prompt.token,
                        outcome="left" if prompt.left_id < prompt.right_id else "right",
                    )
            elif method == "support":
                for idea in others[: 1 + number % 2]:
                    vote_cast(voter=voter, idea=idea, value=1)
            elif method == "star":
                for index, idea in enumerate(others):
                    vote_cast(voter=voter, idea=idea, value=1 + (number + index * 2) % 5)

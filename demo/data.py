"""The demo's people, brand and campaigns (`manage.py seed_demo`)."""

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
        "Design our summer pot",
        "Show us the pot you would put on the shelf. A jury scores originality, fit with the "
        "brief and feasibility; your stars count for 30%.",
        {"voting_method": "contest", "jury": True},
        [
            ("Sunflower lid", "A yellow lid that opens like a flower.", None),
            ("Striped glass", "Blue and white stripes, like a beach hut.", None),
            ("Picnic basket", "A wicker pattern printed on recycled card.", None),
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
DRAFT_BRIEF = "Which artists and workshops would make our summer festival?"
# The first campaign's prizes, as (rank, title).
PRIZES = [(1, "Your flavour on our shelves"), (2, "A year of yoghurt")]

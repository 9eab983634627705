"""Hostile values at every door a brand uses (builder, team, schedule, dashboard, exports,
answers, comments): never a 500. Each door's own tests check the messages and that nothing
changed; this one sweeps the same doors with values no form expects."""

import pytest

from tests.factories import (
    BrandMembershipFactory,
    CampaignFactory,
    CampaignTermsFactory,
    IdeaFactory,
)

pytestmark = pytest.mark.django_db
HUGE = "99999999999999999999999"
HOSTILE = [
    HUGE,
    "-1",
    "\x00",
    "x" * 30000,
    "<script>alert(1)</script>",
    "2026-13-45T99:99",
    "../../etc/passwd",
    "",
]
BUILDER_FIELDS = [
    "brand", "title", "brief", "rules", "minimum_account_age_days", "is_invitation_only",
    "invited_participants", "ip_terms", "confidentiality", "is_private",
    "submission_opens_at", "submission_closes_at", "voting_opens_at", "voting_closes_at",
    "results_at", "preset", "voting_method", "ranked_method", "candidates_from",
    "max_votes_per_voter", "budget_amount", "support_stages", "moderation",
    "points_idea_published", "points_idea_first_vote", "points_comment_posted",
    "prizes-TOTAL_FORMS", "prizes-INITIAL_FORMS", "prizes-0-rank", "prizes-0-title",
]  # fmt: skip
STEPS = ["basics", "brief", "rules", "terms", "schedule", "format", "candidates",
         "moderation", "rewards", "preview", "nonsense"]  # fmt: skip


def test_no_hostile_value_gives_a_500(client):
    draft = CampaignFactory(is_published=False, voting_method="single")
    CampaignTermsFactory(campaign=draft)
    running = CampaignFactory(brand=draft.brand)
    idea = IdeaFactory(campaign=running)
    owner = BrandMembershipFactory(brand=draft.brand, role="owner").user
    client.force_login(owner)
    brand = draft.brand.slug

    statuses = []
    for value in HOSTILE:
        everything = dict.fromkeys(BUILDER_FIELDS, value)
        for step in STEPS:
            statuses.append(client.post(f"/campaigns/{draft.slug}/build/{step}/", everything))
            statuses.append(
                client.post(
                    f"/campaigns/{draft.slug}/build/{step}/", everything, HTTP_HX_REQUEST="true"
                )
            )
        requests = [
            ("/campaigns/new/", everything),
            (f"/campaigns/{draft.slug}/build/candidates/add/", {"title": value,
                                                                "description": value}),
            (f"/campaigns/{draft.slug}/build/markdown-preview/?source={value[:50]}",
             {"brief": value}),
            (f"/brands/{brand}/edit/", {"name": value, "website": value, "time_zone": value,
                                        "description": value}),
            (f"/brands/{brand}/team/invite/", {"email": value, "role": value}),
            (f"/invitations/{value[:200] or 'x'}/", {}),
            (f"/campaigns/{running.slug}/schedule/", {"window": value, "action": value,
                                                      "new_end": value, "reason": value}),
            (f"/campaigns/{running.slug}/follow/", {"follow": value}),
            (f"/campaigns/{running.slug}/archive/", {"reason": value}),
            (f"/campaigns/{running.slug}/exports/", {"kind": value, "format": value}),
            (f"/ideas/{idea.pk}/answer/", {"answer": value, "note": value}),
            (f"/ideas/{idea.pk}/comments/", {"body": value}),
            (f"/ideas/{idea.pk}/approve/", {}),
        ]  # fmt: skip
        for url, data in requests:
            statuses.append(client.post(url, data))
        for url in [
            f"/campaigns/{running.slug}/exports/{value[:30] or 0}/download/",
            f"/campaigns/{running.slug}/dashboard/?page={value[:50]}",
            f"/campaigns/{draft.slug}/build/{value[:50] or 'x'}/",
        ]:
            statuses.append(client.get(url))

    server_errors = [
        (response.request["PATH_INFO"], response.status_code)
        for response in statuses
        if response.status_code >= 500
    ]
    assert server_errors == []
    assert len(statuses) == len(HOSTILE) * (2 * len(STEPS) + 13 + 3)

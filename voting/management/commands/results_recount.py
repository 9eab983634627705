"""Recount a campaign from its stored votes and check the published result and digest."""

from django.core.management.base import BaseCommand, CommandError

from campaigns.models import Campaign
from voting.models import CampaignResult
from voting.results import audit_digest, audit_entries, compute_result


class Command(BaseCommand):
    help = "Recount a campaign and check its stored ranking and audit digest."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the campaign's slug")

    def handle(self, *args, slug, **options):
        campaign = Campaign.objects.filter(slug=slug).first()
        if campaign is None:
            raise CommandError(f"No campaign {slug!r}.")
        stored = CampaignResult.objects.filter(campaign=campaign).first()
        if stored is None:
            raise CommandError(f"{slug} has no stored result yet.")
        entries = audit_entries(campaign=campaign)
        ranking, _details, counted = compute_result(campaign=campaign, entries=entries)
        digest = audit_digest(entries)
        self.stdout.write(f"campaign      {campaign.slug} ({campaign.voting_method})")
        self.stdout.write(f"counted       {counted}")
        self.stdout.write(f"digest        {digest}")
        problems = []
        if ranking != stored.ranking:
            problems.append(
                f"ranking differs: stored {stored.ranking[:10]}, recount {ranking[:10]}"
            )
        if stored.is_final and digest != stored.digest:
            problems.append(f"digest differs: stored {stored.digest}")
        if problems:
            for problem in problems:
                self.stderr.write(self.style.ERROR(problem))
            raise CommandError("The recount does not match the stored result.")
        self.stdout.write(self.style.SUCCESS("OK: the recount matches the stored result."))

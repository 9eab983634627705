"""Recount a campaign from its stored votes and check the published result and digest."""

from django.core.management.base import BaseCommand, CommandError

from campaigns.models import Campaign
from voting import audit_store
from voting.models import CampaignResult
from voting.results import result_recount


class Command(BaseCommand):
    help = (
        "Recount a campaign and check its stored ranking, its audit digest and the stored "
        "chunks of its audit list (in bounded memory: the list is streamed)."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the campaign's slug")

    def handle(self, *args, slug, **options):
        campaign = Campaign.objects.filter(slug=slug).first()
        if campaign is None:
            raise CommandError(f"No campaign {slug!r}.")
        stored = CampaignResult.objects.filter(campaign=campaign).first()
        if stored is None:
            raise CommandError(f"{slug} has no stored result yet.")
        ranking, counted, digest, entries = result_recount(campaign=campaign)
        self.stdout.write(f"campaign      {campaign.slug} ({campaign.voting_method})")
        self.stdout.write(f"counted       {counted}")
        self.stdout.write(f"entries       {entries}")
        self.stdout.write(f"digest        {digest}")
        problems = []
        if ranking != stored.ranking:
            problems.append(
                f"ranking differs: stored {stored.ranking[:10]}, recount {ranking[:10]}"
            )
        if stored.is_final and digest != stored.digest:
            problems.append(f"digest differs: stored {stored.digest}")
        if stored.is_final and audit_store.has_chunks(result_id=stored.pk):
            chunks_digest, chunk_entries = audit_store.chunks_digest(result_id=stored.pk)
            self.stdout.write(f"chunks        {chunk_entries} entries, digest {chunks_digest}")
            if (chunks_digest, chunk_entries) != (digest, entries):
                problems.append("the stored chunks of the audit list differ from the recount")
        elif stored.is_final:
            self.stdout.write("chunks        none yet (manage.py audit_chunks_build writes them)")
        if problems:
            for problem in problems:
                self.stderr.write(self.style.ERROR(problem))
            raise CommandError("The recount does not match the stored result.")
        self.stdout.write(self.style.SUCCESS("OK: the recount matches the stored result."))

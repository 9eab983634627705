"""Write the stored audit chunks of final results published before they existed."""

from django.core.management.base import BaseCommand

from voting.results import audit_chunks_build_missing


class Command(BaseCommand):
    help = (
        "Write the audit list chunks of every final result that has none (results "
        "published before the chunks existed). Safe to run twice and beside the workers; "
        "the API also writes a missing one on its first request."
    )

    def handle(self, *args, **options):
        written = audit_chunks_build_missing()
        self.stdout.write(f"{written} audit lists written.")

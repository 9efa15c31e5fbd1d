from django.core.management.base import BaseCommand

from status.services import status_rollup


class Command(BaseCommand):
    help = "Roll up yesterday's and today's status samples and prune samples older than 90 days."

    def handle(self, *args, **options):
        outcome = status_rollup()
        self.stdout.write(
            f"{outcome['rollups']} daily rollup(s) written, {outcome['pruned']} old sample(s) pruned."
        )

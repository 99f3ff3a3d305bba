"""Create or update the region tree from the data file shipped with the app. Safe to run again."""

from django.core.management.base import BaseCommand
from django.db import transaction

from dealers.models import Region
from dealers.regions import load_regions


class Command(BaseCommand):
    help = "Load the Chinese region tree (provinces, cities, districts) from dealers/data/regions.csv."

    def handle(self, *args, **options):
        with transaction.atomic():
            created, updated = load_regions(Region)
        self.stdout.write(self.style.SUCCESS(f"Regions: {created} created, {updated} updated."))

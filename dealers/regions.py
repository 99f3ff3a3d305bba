"""Loading the region tree from ``dealers/data/regions.csv`` (GB/T 2260 codes, names, coordinates)."""

import csv
from decimal import Decimal
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "regions.csv"


def load_regions(region_model, data_file: Path = DATA_FILE) -> tuple[int, int]:
    """Create or update every region in the file, parents before children; returns (created, updated).

    Takes the model class so that a data migration can pass its historical model.
    """
    by_code = {r.code: r for r in region_model.objects.all()}
    created = updated = 0
    with data_file.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            parent = by_code[row["parent_code"]] if row["parent_code"] else None
            values = {
                "parent": parent,
                "level": row["level"],
                "name": row["name"],
                "name_en": row["name_en"],
                "latitude": Decimal(row["latitude"]) if row["latitude"] else None,
                "longitude": Decimal(row["longitude"]) if row["longitude"] else None,
                "path": f"{parent.path if parent else ''}{row['code']}/",
            }
            region = by_code.get(row["code"])
            if region is None:
                region = region_model.objects.create(code=row["code"], **values)
                created += 1
            elif any(getattr(region, k) != v for k, v in values.items()):
                for key, value in values.items():
                    setattr(region, key, value)
                region.save()
                updated += 1
            by_code[region.code] = region
    return created, updated

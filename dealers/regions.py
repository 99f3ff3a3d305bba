"""The region tree: loading it from ``dealers/data/regions.csv`` (GB/T 2260 codes, names, coordinates), and
finding a region by its code or by the names people write."""

import csv
import re
import unicodedata
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.utils.translation import gettext

from dms.errors import RuleViolation
from dms.spreadsheets import norm

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


@cache
def ancestor_paths(path: str) -> tuple[str, ...]:
    """Paths of the region at ``path`` and the regions above it, most specific first: ``CN/330000/330100/`` →
    (``CN/330000/330100/``, ``CN/330000/``, ``CN/``). A few thousand regions: kept for the life of the process."""
    parts = path.strip("/").split("/")
    return tuple("/".join(parts[: i + 1]) + "/" for i in range(len(parts)))[::-1]


def province_code(path: str) -> str:
    """The province a region's tree path lies in: ``CN/330000/330100/`` → ``330000``."""
    parts = [part for part in path.split("/") if part]
    return parts[1] if len(parts) > 1 else (parts[0] if parts else "")


# Region names as people write them ---------------------------------------------------------------

# Chinese names people write without the kind of region (浙江 for 浙江省, 西湖 for 西湖区).
_REGION_SUFFIX = re.compile(r"(?:特别行政区|(?:壮族|回族|维吾尔)?自治区|自治州|地区|省|市|区|县|盟)$")
# English names people write without the kind of region.
_REGION_SUFFIX_EN = re.compile(r"\s+(?:district|city|province|new area|county|prefecture)$")
# The levels a lead names its region by, from the top; each is given in the field of the same name.
NAME_LEVELS = ("province", "city", "district")


class RegionIndex:
    """Every region below the country, loaded once (one query) and looked up by code or by name.

    Names match in Chinese or English, with or without 省/市/区 (or "District"), case- and
    width-insensitively. ``find`` reads one cell that may name a region of any level (the dealer
    import); ``resolve`` reads a code or a province, city and district (lead intake).
    """

    def __init__(self):
        from dealers.models import Region

        regions = list(Region.objects.exclude(level=Region.Level.COUNTRY))
        by_pk = {region.pk: region for region in regions}
        self.parents = {region.pk: by_pk.get(region.parent_id) for region in regions}
        self.by_code = {region.code: region for region in regions}
        self.by_name: dict[tuple[str, str], list] = {}
        self.by_full_name: dict[str, list] = {}
        self.by_any_name: dict[str, list] = {}
        for region in regions:
            for key in {norm(region.name), norm(region.name_en)} - {""}:
                self.by_full_name.setdefault(key, []).append(region)
            for key in self._keys(region):
                self.by_name.setdefault((region.level, key), []).append(region)
                self.by_any_name.setdefault(key, []).append(region)

    @staticmethod
    def _keys(region) -> set[str]:
        keys = {norm(region.name), norm(region.name_en)}
        short = _REGION_SUFFIX.sub("", region.name)
        if len(short) >= 2:
            keys.add(norm(short))
        keys.add(_REGION_SUFFIX_EN.sub("", norm(region.name_en)))
        return keys - {""}

    def named(self, text: str, level: str) -> list:
        key = norm(text)
        found = self.by_name.get((level, key)) or self.by_name.get((level, _REGION_SUFFIX_EN.sub("", key))) or []
        if not found and level == "city":
            # Beijing, Shanghai, Tianjin and Chongqing are provinces; addresses give them as the city too.
            found = self.by_name.get(("province", key), [])
        return found

    def label(self, region) -> str:
        parent = self.parents.get(region.pk)
        return f"{parent.name} {region.name}" if parent else region.name

    def find(self, text: str):
        """The one region ``text`` codes or names, at any level; a full name wins over a short one.
        Raises ValueError with a message for people when there is none or more than one."""
        key = norm(text)
        if key in self.by_code:
            return self.by_code[key]
        matches = self.by_full_name.get(key) or self.by_any_name.get(key) or []
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise ValueError(gettext("No region is called or coded “%(region)s”.") % {"region": text})
        candidates = ", ".join(f"{region.name} {region.code}" for region in matches)
        raise ValueError(
            gettext("“%(region)s” could be %(candidates)s: give the region code.")
            % {"region": text, "candidates": candidates}
        )

    def resolve(self, *, code: str = "", province: str = "", city: str = "", district: str = ""):
        """The most specific region the code or the names give.

        A code wins over names. Names are read from the province down; a name the tree does not hold
        below a known region leaves that region (the tree holds the regions the brand sells in, not
        every district), but a name found elsewhere in the tree is a contradiction.
        """
        code = unicodedata.normalize("NFKC", code or "").strip()
        if code:
            region = self.by_code.get(code.upper())
            if region is None:
                raise RuleViolation(
                    gettext("No region has the code “%(code)s”.") % {"code": code},
                    code="region_unknown",
                    field="region",
                )
            return region
        given = {"province": province, "city": city, "district": district}
        names = [(level, level, given[level].strip()) for level in NAME_LEVELS if (given[level] or "").strip()]
        if not names:
            raise RuleViolation(
                gettext("Give the region code, or the province, city or district."),
                code="region_required",
                field="region",
            )
        found = None
        for field, level, text in names:
            matches = self.named(text, level)
            inside = [r for r in matches if found is None or r.path.startswith(found.path)]
            if found is not None and inside == [found]:
                continue
            inside = [r for r in inside if r != found]
            if len(inside) == 1:
                found = inside[0]
            elif inside:
                raise RuleViolation(
                    gettext("“%(name)s” could be %(candidates)s: give the province too, or the region code.")
                    % {"name": text, "candidates": ", ".join(f"{self.label(r)} ({r.code})" for r in inside)},
                    code="region_ambiguous",
                    field=field,
                )
            elif matches:
                raise RuleViolation(
                    gettext("%(name)s is not in %(region)s.") % {"name": text, "region": found.name},
                    code="region_mismatch",
                    field=field,
                )
            elif found is None:
                raise RuleViolation(
                    gettext("No region is called “%(name)s”.") % {"name": text}, code="region_unknown", field=field
                )
        return found


def region_resolve(*, code: str = "", province: str = "", city: str = "", district: str = ""):
    """The region a lead names by GB/T 2260 code or by province, city and district names (浙江省 / 浙江 /
    Zhejiang, 杭州市 / 杭州, 西湖区). Raises RuleViolation ``region_unknown``, ``region_ambiguous``,
    ``region_mismatch`` or ``region_required`` with the field it is about."""
    return RegionIndex().resolve(code=code, province=province, city=city, district=district)

"""Bulk import of dealers from CSV or Excel: read a file into rows, check every row without writing (the dry run),
then create them all through ``services.dealer_create`` in one transaction, all or nothing."""

from dataclasses import dataclass, field
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dealers import services
from dealers.models import Dealer
from dealers.regions import RegionIndex
from dealers.validators import normalize_phone, normalize_uscc, validate_uscc
from dms.accounts.models import HQ_ROLES, Role, User
from dms.errors import DomainError, PermissionDeniedError
from dms.spreadsheets import Layout, cell_problems, choice_aliases, norm, parse_date, read_rows, whole_number

PREVIEW_ROWS = 20

# The export's columns (dealers.views.hq.EXPORT_COLUMNS, with the same msgids so both share one translation), then the
# primary contact. A test keeps the two lists in step.
COLUMNS = [
    ("code", gettext_lazy("Dealer code")),
    ("name", gettext_lazy("Name")),
    ("legal_name", gettext_lazy("Legal name")),
    ("uscc", gettext_lazy("Unified social credit code")),
    ("status", gettext_lazy("Status")),
    ("tier", gettext_lazy("Tier")),
    ("province", gettext_lazy("Province")),
    ("region", gettext_lazy("Home region")),
    ("owner", gettext_lazy("Owner")),
    ("payment_terms_days", gettext_lazy("Payment terms (days)")),
    ("lead_capacity", gettext_lazy("Capacity for open leads")),
    ("joined_on", gettext_lazy("Joined on")),
    ("contact_name", gettext_lazy("Contact name")),
    ("contact_phone", gettext_lazy("Contact phone")),
    ("contact_title", gettext_lazy("Contact title")),
    ("contact_email", gettext_lazy("Contact email")),
]
COLUMN_LABELS = dict(COLUMNS)
REQUIRED = ("name", "legal_name", "uscc", "region")
# Exported so the sheet reads well; the region already says where the dealer is, so it is not imported.
IGNORED = frozenset({"province"})
TEMPLATE_COLUMNS = [(key, label) for key, label in COLUMNS if key not in IGNORED]
NEW_STATUSES = (Dealer.Status.PROSPECT, Dealer.Status.ONBOARDING, Dealer.Status.ACTIVE)

# Which column a service error is about, by the ``field`` the service names.
_SERVICE_FIELDS = {"phone": "contact_phone", "email": "contact_email"}
_LENGTHS = {"code": 20, "name": 200, "legal_name": 200, "contact_name": 100, "contact_title": 100}


DEALER_LAYOUT = Layout(
    COLUMNS,
    REQUIRED,
    no_rows_message=gettext_lazy("The file has no dealers to import below its header row."),
    ignored=IGNORED,
)


def read(uploaded_file) -> list[dict]:
    """The rows of an uploaded dealer file; raises ``ImportFileError`` for a file that is not such a table."""
    return read_rows(uploaded_file, DEALER_LAYOUT)


class RowError(NamedTuple):
    """One problem: the row as numbered in the spreadsheet (the header is row 1), the column key, the message."""

    row: int
    column: str
    message: str

    @property
    def label(self) -> str:
        return str(COLUMN_LABELS.get(self.column, ""))


@dataclass
class ImportReport:
    """What a dry run (or an import) found: counts, every row error, and a preview of what would be created."""

    rows_total: int
    valid: int = 0
    errors: list[RowError] = field(default_factory=list)
    # The first rows as they would be created, for people to eyeball before confirming.
    preview: list[dict] = field(default_factory=list)
    created: int = 0
    # (row number, dealer_create arguments) of every valid row: what apply_import writes.
    planned: list[tuple[int, dict]] = field(default_factory=list, repr=False)

    @property
    def ok(self) -> bool:
        return not self.errors and self.valid > 0

    @property
    def rows_with_errors(self) -> int:
        return len({error.row for error in self.errors})


# --- Checking -----------------------------------------------------------------------------------------------------


def plan_import(*, actor: User, rows: list[dict]) -> ImportReport:
    """Check every row as ``dealer_create`` would, without writing; a handful of queries whatever the row count."""
    if not (actor and actor.is_authenticated and actor.effective_role in HQ_ROLES):
        raise PermissionDeniedError()
    planner = _Planner(actor, rows)
    report = ImportReport(rows_total=len(rows))
    for index, row in enumerate(rows):
        number = row.get("_row") or index + 2
        values, problems = planner.check(row, number)
        if problems:
            report.errors.extend(RowError(number, column, str(message)) for column, message in problems)
            continue
        report.valid += 1
        report.planned.append((number, values))
        if len(report.preview) < PREVIEW_ROWS:
            report.preview.append(planner.preview(number, values))
    return report


def apply_import(*, actor: User, rows: list[dict]) -> ImportReport:
    """Plan again (the data may have changed since the dry run), then create every dealer or none."""
    report = plan_import(actor=actor, rows=rows)
    if not report.ok:
        return report
    with transaction.atomic():
        for number, values in report.planned:
            # dealer_create runs in its own savepoint, so after a refusal the transaction is still usable and the
            # remaining rows are tried too: people get every problem at once, then nothing is kept.
            try:
                services.dealer_create(actor=actor, **values)
            except DomainError as exc:
                column = _SERVICE_FIELDS.get(exc.field, exc.field or "")
                report.errors.append(RowError(number, column, str(exc.message)))
        if report.errors:
            transaction.set_rollback(True)
            report.valid -= report.rows_with_errors
        else:
            report.created = len(report.planned)
    return report


class _Planner:
    """Everything a row is checked against, loaded once for the whole file."""

    def __init__(self, actor: User, rows: list[dict]):
        self.actor = actor
        self.statuses = choice_aliases(Dealer.Status.choices)
        self.tiers = choice_aliases(Dealer.Tier.choices, split_label=True)
        self.regions = RegionIndex()
        self._load_owners({norm(row["owner"]) for row in rows if row.get("owner")})
        usccs = {normalize_uscc(row["uscc"]) for row in rows if row.get("uscc")}
        self.taken_usccs = set(Dealer.objects.filter(uscc__in=usccs).values_list("uscc", flat=True)) if usccs else set()
        codes = {row["code"].strip() for row in rows if row.get("code")}
        self.taken_codes = set(Dealer.objects.filter(code__in=codes).values_list("code", flat=True)) if codes else set()
        self.territory = _territory(actor)
        self.seen_usccs: dict[str, int] = {}
        self.seen_codes: dict[str, int] = {}

    def _load_owners(self, names: set[str]) -> None:
        self.owners_by_username = {}
        self.owners_by_name: dict[str, list] = {}
        if not names:
            return
        # Head-office users are few; loading them all lets the export's owner column (full names) be read back.
        users = (
            get_user_model()
            .objects.annotate(username_lower=Lower("username"))
            .filter(Q(username_lower__in=names) | Q(dealer__isnull=True))
        )
        for user in users:
            self.owners_by_username[user.username_lower] = user
            self.owners_by_name.setdefault(norm(str(user)), []).append(user)

    def check(self, row: dict, number: int) -> tuple[dict, list[tuple[str, str]]]:
        problems: list[tuple[str, str]] = []

        def text(key: str) -> str:
            value = (row.get(key) or "").strip()
            if key in _LENGTHS and len(value) > _LENGTHS[key]:
                problems.append((key, _("At most %(max)d characters.") % {"max": _LENGTHS[key]}))
            return value

        problems.extend(cell_problems(row))
        for key in REQUIRED:
            if not (row.get(key) or "").strip():
                problems.append((key, _("This column is required.")))
        values = {"name": text("name"), "legal_name": text("legal_name"), "code": text("code")}
        if row.get("uscc"):
            values["uscc"] = self._uscc(row["uscc"], number, problems)
        if values["code"]:
            self._code(values["code"], number, problems)
        if row.get("region"):
            values["region"] = self._resolve(row["region"], "region", self.regions.find, problems)
        values["status"] = self._resolve(row.get("status"), "status", self._status, problems) or Dealer.Status.PROSPECT
        values["tier"] = self._resolve(row.get("tier"), "tier", self._tier, problems) or Dealer.Tier.C
        values["owner"] = self._resolve(row.get("owner"), "owner", self._owner, problems)
        for key, default in (("payment_terms_days", 30), ("lead_capacity", 20)):
            number_value = self._resolve(row.get(key), key, whole_number, problems)
            values[key] = default if number_value is None else number_value
        values["joined_on"] = self._resolve(row.get("joined_on"), "joined_on", parse_date, problems)
        values["contacts"] = self._contacts(row, text, problems)
        if not problems and not self._in_territory(values):
            problems.append(("region", str(services.OutOfTerritory.message)))
        return values, problems

    def _resolve(self, raw, column: str, parse, problems):
        """``parse(text)`` for a non-empty cell; a ValueError's message becomes the column's error."""
        if raw is None or not str(raw).strip():
            return None
        try:
            return parse(str(raw).strip())
        except ValueError as exc:
            problems.append((column, str(exc)))
            return None

    def _uscc(self, raw: str, number: int, problems) -> str:
        uscc = normalize_uscc(raw)
        try:
            validate_uscc(uscc)
        except ValidationError as exc:
            problems.append(("uscc", " ".join(exc.messages)))
            return uscc
        if uscc in self.taken_usccs:
            problems.append(("uscc", str(services.UsccTaken.message)))
        elif uscc in self.seen_usccs:
            problems.append(("uscc", _("Same code as row %(row)d of this file.") % {"row": self.seen_usccs[uscc]}))
        else:
            self.seen_usccs[uscc] = number
        return uscc

    def _code(self, code: str, number: int, problems) -> None:
        if code in self.taken_codes:
            problems.append(("code", str(services.DealerCodeTaken.message)))
        elif code in self.seen_codes:
            problems.append(("code", _("Same code as row %(row)d of this file.") % {"row": self.seen_codes[code]}))
        else:
            self.seen_codes[code] = number

    def _status(self, raw: str) -> str:
        status = self.statuses.get(norm(raw))
        if status is None:
            raise ValueError(_("Unknown status “%(status)s”.") % {"status": raw})
        if status not in NEW_STATUSES:
            raise ValueError(_("A new dealer starts as a prospect, onboarding or active."))
        return status

    def _tier(self, raw: str) -> str:
        tier = self.tiers.get(norm(raw))
        if tier is None:
            raise ValueError(_("Unknown tier “%(tier)s”: use A, B, C or D.") % {"tier": raw})
        return tier

    def _owner(self, raw: str):
        key = norm(raw)
        owner = self.owners_by_username.get(key)
        if owner is None:
            named = self.owners_by_name.get(key, [])
            if len(named) > 1:
                raise ValueError(_("Several users are called “%(owner)s”: give the username.") % {"owner": raw})
            if not named:
                raise ValueError(_("No user has the username “%(owner)s”.") % {"owner": raw})
            owner = named[0]
        if not owner.is_active or owner.effective_role not in HQ_ROLES:
            raise ValueError(str(services.InvalidOwner.message))
        return owner

    def _contacts(self, row: dict, text, problems) -> list[dict]:
        contact = {key: text(f"contact_{key}") for key in ("name", "phone", "title", "email")}
        if not any(contact.values()):
            return []
        if not contact["name"]:
            problems.append(("contact_name", _("A contact needs a name.")))
        if not contact["phone"]:
            problems.append(("contact_phone", _("A contact needs a phone number.")))
        else:
            try:
                contact["phone"] = normalize_phone(contact["phone"])
            except ValidationError as exc:
                problems.append(("contact_phone", " ".join(exc.messages)))
        if contact["email"]:
            try:
                validate_email(contact["email"])
            except ValidationError as exc:
                problems.append(("contact_email", " ".join(exc.messages)))
            else:
                if len(contact["email"]) > 254:
                    problems.append(("contact_email", _("At most %(max)d characters.") % {"max": 254}))
        return [{**contact, "is_primary": True}]

    def _owner_of(self, values: dict):
        """The owner dealer_create will set: a rep or staff member owns what they add without naming an owner."""
        if values["owner"] is None and self.actor.effective_role != Role.HQ_ADMIN:
            return self.actor
        return values["owner"]

    def _in_territory(self, values: dict) -> bool:
        """``dms.scoping.visible_dealers`` for a dealer not saved yet. The service checks again after saving, so a
        drift between the two costs a rolled-back import, never a dealer outside someone's scope."""
        if self.territory is None:
            return True
        owner = self._owner_of(values)
        return (owner is not None and owner.pk == self.actor.pk) or values["region"].path.startswith(self.territory)

    def preview(self, number: int, values: dict) -> dict:
        region = values["region"]
        parent = self.regions.parents.get(region.pk)
        owner = self._owner_of(values)
        contact = values["contacts"][0] if values["contacts"] else None
        return {
            "row": number,
            "code": values["code"],
            "name": values["name"],
            "legal_name": values["legal_name"],
            "uscc": values["uscc"],
            "status": values["status"],
            "get_status_display": Dealer.Status(values["status"]).label,
            "tier": values["tier"],
            "tier_label": Dealer.Tier(values["tier"]).label,
            "region": f"{parent.name} · {region.name}" if parent and region.level != "province" else region.name,
            "owner": str(owner) if owner else "",
            "payment_terms_days": values["payment_terms_days"],
            "lead_capacity": values["lead_capacity"],
            "joined_on": values["joined_on"],
            "contact": f"{contact['name']} {contact['phone']}" if contact else "",
        }


def _territory(actor: User) -> tuple[str, ...] | None:
    """The region paths the actor covers, or None when they may place a dealer anywhere."""
    if actor.effective_role == Role.HQ_ADMIN:
        return None
    paths = actor.region_paths()
    if not paths and actor.sees_all_without_regions:
        return None
    return paths

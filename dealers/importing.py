"""Bulk import of dealers from CSV or Excel: read a file into rows, check every row without writing (the dry run),
then create them all through ``services.dealer_create`` in one transaction, all or nothing."""

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dealers import services
from dealers.models import Dealer, Region
from dealers.validators import normalize_phone, normalize_uscc, validate_uscc
from dms.accounts.models import HQ_ROLES, Role
from dms.errors import DomainError, PermissionDeniedError, RuleViolation

MAX_BYTES = 5 * 1024 * 1024
# Each row goes through dealer_create (about 12 queries); 5,000 rows take ~26 s on 2 cores, inside
# the web server's 60 s timeout. Larger files are split by the user.
MAX_ROWS = 5_000
# An .xlsx is compressed: a small upload can unpack into gigabytes of XML (a "zip bomb").
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
PREVIEW_ROWS = 20
SMALLINT_MAX = 32767

# The export's columns (dealers.views.EXPORT_COLUMNS, with the same msgids so both share one translation), then the
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
HEADER_LANGUAGES = ("zh-hans", "en")
NEW_STATUSES = (Dealer.Status.PROSPECT, Dealer.Status.ONBOARDING, Dealer.Status.ACTIVE)

# Which column a service error is about, by the ``field`` the service names.
_SERVICE_FIELDS = {"phone": "contact_phone", "email": "contact_email"}
_LENGTHS = {"code": 20, "name": 200, "legal_name": 200, "contact_name": 100, "contact_title": 100}
_XLS_SIGNATURE = b"\xd0\xcf\x11\xe0"  # the old binary .xls (OLE2) format
_REGION_SUFFIX = re.compile(r"(?:特别行政区|(?:壮族|回族|维吾尔)?自治区|自治州|地区|省|市|区|县|盟)$")
_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
# Excel counts a 1900-02-29 that never was, so from March 1900 on, serial n is this date plus n days.
_EXCEL_EPOCH = date(1899, 12, 30)


class Layout(NamedTuple):
    """The columns a kind of file may have, so other imports read files the same way as this one."""

    columns: list  # (key, label) pairs; a header matches a key, or its label in Chinese or English
    required: tuple
    ignored: frozenset = frozenset()
    # More header titles per key, such as the names a bank or warehouse system gives its columns.
    aliases: tuple = ()
    no_rows_message: str = gettext_lazy("The file has no dealers to import below its header row.")


DEALER_LAYOUT = Layout(COLUMNS, REQUIRED, IGNORED)


class ImportFileError(RuleViolation):
    code = "import_file_invalid"
    message = gettext_lazy("This file cannot be read.")

    def __init__(self, message=None):
        super().__init__(message, field="file")


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


# --- Reading ------------------------------------------------------------------------------------------------------


def read_rows(uploaded_file, layout: Layout = DEALER_LAYOUT) -> list[dict]:
    """The data rows of a CSV or .xlsx file as dicts keyed by column key, plus ``_row``, the spreadsheet row number.

    Only non-empty cells are kept, as text, so the rows can wait in the session as JSON. The format is told by
    content, not by the file name. Raises ImportFileError for anything that is not a readable table with the
    columns of ``layout`` (dealers unless told otherwise).
    """
    too_large = ImportFileError(_("The file is larger than %(size)d MB.") % {"size": MAX_BYTES // (1024 * 1024)})
    if (getattr(uploaded_file, "size", None) or 0) > MAX_BYTES:
        raise too_large
    data = uploaded_file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise too_large
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    if data.startswith(b"PK"):  # an .xlsx is a zip archive
        return _xlsx_rows(data, layout)
    if data.startswith(_XLS_SIGNATURE):
        raise ImportFileError(_("Old .xls workbooks cannot be read: save the file as .xlsx or CSV (UTF-8)."))
    return _csv_rows(data, layout)


def _xlsx_rows(data: bytes, layout: Layout) -> list[dict]:
    from openpyxl import load_workbook

    not_a_workbook = ImportFileError(_("The file is neither a CSV file nor a valid Excel (.xlsx) workbook."))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise not_a_workbook from exc
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportFileError(_("The workbook is too large once unpacked; split it into smaller files."))
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # a damaged workbook raises anything from KeyError to openpyxl's own errors
        raise not_a_workbook from exc
    try:
        sheet = workbook.active or workbook.worksheets[0]
        # Read-only sheets yield empty tuples for missing rows, so the position is the spreadsheet row number.
        return _to_dicts(enumerate(sheet.iter_rows(values_only=True), start=1), layout)
    except ImportFileError:
        raise
    except Exception as exc:  # the sheet XML is parsed while iterating, so damage can surface only here
        raise not_a_workbook from exc
    finally:
        workbook.close()


def _csv_rows(data: bytes, layout: Layout) -> list[dict]:
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max(",\t;", key=first_line.count)
    try:
        # One record is one spreadsheet row, even when a quoted cell spans several lines of the file.
        return _to_dicts(enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1), layout)
    except csv.Error as exc:
        raise ImportFileError(_("The CSV file is malformed: %(error)s") % {"error": exc}) from exc


def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)  # Excel's "Unicode text" export
    elif data.startswith(codecs.BOM_UTF8):
        encodings = ("utf-8-sig",)
    else:
        # Excel on a Chinese Windows saves "CSV" in the ANSI code page, GBK, which GB18030 extends.
        encodings = ("utf-8", "gb18030")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_("The CSV file is neither UTF-8 nor GB18030 text; save it as CSV UTF-8."))


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _to_dicts(table, layout: Layout) -> list[dict]:
    columns = None
    rows = []
    for number, cells in table:
        values = [_cell_text(cell) for cell in cells]
        if not any(values):
            continue
        if columns is None:
            columns = _header_keys(values, layout)
            continue
        if len(rows) == MAX_ROWS:
            raise ImportFileError(
                _("The file has more than %(max)d rows; split it into smaller files.") % {"max": MAX_ROWS}
            )
        row = {"_row": number}
        row.update((key, value) for key, value in zip(columns, values, strict=False) if key and value)
        rows.append(row)
    if not rows:
        raise ImportFileError(str(layout.no_rows_message))
    return rows


def _norm(text: str) -> str:
    """Compare case-, width- and space-insensitively: what Excel and Chinese input methods vary."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _header_aliases(layout: Layout) -> dict[str, str]:
    aliases = {}
    for key, label in layout.columns:
        aliases[_norm(key)] = key
        for language in HEADER_LANGUAGES:
            with translation.override(language):
                aliases[_norm(str(label))] = key
    for key, titles in layout.aliases:
        aliases.update((_norm(title), key) for title in titles)
    return aliases


def _header_keys(header: list[str], layout: Layout) -> list[str | None]:
    aliases = _header_aliases(layout)
    keys, unknown, seen = [], [], set()
    for title in header:
        key = aliases.get(_norm(title).rstrip("* "))
        if title and key is None:
            unknown.append(title)
        if key in seen:
            raise ImportFileError(_("The column “%(column)s” appears twice.") % {"column": title})
        if key:
            seen.add(key)
        keys.append(None if key in layout.ignored else key)
    if unknown:
        raise ImportFileError(
            _("Unknown columns: %(columns)s. Use the column names of the template.") % {"columns": ", ".join(unknown)}
        )
    labels = dict(layout.columns)
    missing = [str(labels[key]) for key in layout.required if key not in seen]
    if missing:
        raise ImportFileError(_("Required columns are missing: %(columns)s.") % {"columns": ", ".join(missing)})
    return keys


# --- Checking -----------------------------------------------------------------------------------------------------


def plan_import(*, actor, rows: list[dict]) -> ImportReport:
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


def apply_import(*, actor, rows: list[dict]) -> ImportReport:
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

    def __init__(self, actor, rows: list[dict]):
        self.actor = actor
        self.statuses = _choice_aliases(Dealer.Status.choices)
        self.tiers = _choice_aliases(Dealer.Tier.choices, split_label=True)
        self._load_regions()
        self._load_owners({_norm(row["owner"]) for row in rows if row.get("owner")})
        usccs = {normalize_uscc(row["uscc"]) for row in rows if row.get("uscc")}
        self.taken_usccs = set(Dealer.objects.filter(uscc__in=usccs).values_list("uscc", flat=True)) if usccs else set()
        codes = {row["code"].strip() for row in rows if row.get("code")}
        self.taken_codes = set(Dealer.objects.filter(code__in=codes).values_list("code", flat=True)) if codes else set()
        self.territory = _territory(actor)
        self.seen_usccs: dict[str, int] = {}
        self.seen_codes: dict[str, int] = {}

    def _load_regions(self) -> None:
        regions = list(Region.objects.exclude(level=Region.Level.COUNTRY).only("code", "name", "name_en", "parent"))
        by_pk = {region.pk: region for region in regions}
        self.region_parents = {region.pk: by_pk.get(region.parent_id) for region in regions}
        self.regions_by_code = {region.code: region for region in regions}
        self.regions_by_name: dict[str, list[Region]] = {}
        self.regions_by_short_name: dict[str, list[Region]] = {}
        for region in regions:
            for name in {_norm(region.name), _norm(region.name_en)} - {""}:
                self.regions_by_name.setdefault(name, []).append(region)
            short = _REGION_SUFFIX.sub("", region.name)
            if len(short) >= 2 and short != region.name:
                self.regions_by_short_name.setdefault(_norm(short), []).append(region)

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
            self.owners_by_name.setdefault(_norm(str(user)), []).append(user)

    def check(self, row: dict, number: int) -> tuple[dict, list[tuple[str, str]]]:
        problems: list[tuple[str, str]] = []

        def text(key: str) -> str:
            value = (row.get(key) or "").strip()
            if key in _LENGTHS and len(value) > _LENGTHS[key]:
                problems.append((key, _("At most %(max)d characters.") % {"max": _LENGTHS[key]}))
            return value

        for key in REQUIRED:
            if not (row.get(key) or "").strip():
                problems.append((key, _("This column is required.")))
        values = {"name": text("name"), "legal_name": text("legal_name"), "code": text("code")}
        if row.get("uscc"):
            values["uscc"] = self._uscc(row["uscc"], number, problems)
        if values["code"]:
            self._code(values["code"], number, problems)
        if row.get("region"):
            values["region"] = self._resolve(row["region"], "region", self._region, problems)
        values["status"] = self._resolve(row.get("status"), "status", self._status, problems) or Dealer.Status.PROSPECT
        values["tier"] = self._resolve(row.get("tier"), "tier", self._tier, problems) or Dealer.Tier.C
        values["owner"] = self._resolve(row.get("owner"), "owner", self._owner, problems)
        for key, default in (("payment_terms_days", 30), ("lead_capacity", 20)):
            number_value = self._resolve(row.get(key), key, _whole_number, problems)
            values[key] = default if number_value is None else number_value
        values["joined_on"] = self._resolve(row.get("joined_on"), "joined_on", _date, problems)
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

    def _region(self, raw: str) -> Region:
        key = _norm(raw)
        if key in self.regions_by_code:
            return self.regions_by_code[key]
        matches = self.regions_by_name.get(key) or self.regions_by_short_name.get(key) or []
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise ValueError(_("No region is called or coded “%(region)s”.") % {"region": raw})
        candidates = ", ".join(f"{region.name} {region.code}" for region in matches)
        raise ValueError(
            _("“%(region)s” could be %(candidates)s: give the region code.") % {"region": raw, "candidates": candidates}
        )

    def _status(self, raw: str) -> str:
        status = self.statuses.get(_norm(raw))
        if status is None:
            raise ValueError(_("Unknown status “%(status)s”.") % {"status": raw})
        if status not in NEW_STATUSES:
            raise ValueError(_("A new dealer starts as a prospect, onboarding or active."))
        return status

    def _tier(self, raw: str) -> str:
        tier = self.tiers.get(_norm(raw))
        if tier is None:
            raise ValueError(_("Unknown tier “%(tier)s”: use A, B, C or D.") % {"tier": raw})
        return tier

    def _owner(self, raw: str):
        key = _norm(raw)
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
        parent = self.region_parents.get(region.pk)
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


def _territory(actor) -> tuple[str, ...] | None:
    """The region paths the actor covers, or None when they may place a dealer anywhere."""
    if actor.effective_role == Role.HQ_ADMIN:
        return None
    paths = tuple(actor.regions.values_list("path", flat=True))
    if not paths and actor.sees_all_without_regions:
        return None
    return paths


def _choice_aliases(choices, *, split_label: bool = False) -> dict[str, str]:
    """Codes and labels in every language people may type, all pointing at the code."""
    aliases = {}
    for value, label in choices:
        aliases[_norm(value)] = value
        for language in HEADER_LANGUAGES:
            with translation.override(language):
                text = _norm(str(label))
            aliases[text] = value
            if split_label and "·" in text:  # "A · Strategic": "Strategic" alone is also clear
                aliases[text.split("·", 1)[1].strip()] = value
    return aliases


def _whole_number(raw: str) -> int:
    text = unicodedata.normalize("NFKC", raw).strip()
    try:
        number = float(text)
    except ValueError:
        number = None
    if number is None or not number.is_integer() or not 0 <= number <= SMALLINT_MAX:
        raise ValueError(_("Enter a whole number from 0 to %(max)d.") % {"max": SMALLINT_MAX})
    return int(number)


def _date(raw: str) -> date:
    text = unicodedata.normalize("NFKC", raw).strip()
    match = _DATE.fullmatch(text.split(" ", 1)[0])
    try:
        if match:
            return date(*(int(part) for part in match.groups()))
        # A date cell that reached a CSV as its Excel serial number, such as 45292 for 2024-01-01.
        if text.isdigit() and len(text) == 5:
            return _EXCEL_EPOCH + timedelta(days=int(text))
    except ValueError:
        pass
    raise ValueError(_("Enter a date as YYYY-MM-DD."))

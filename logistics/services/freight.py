"""What carriers actually charge for the shipments they carry: recorded one at a time (the shipment's page, the
API), or imported from a carrier's bill (CSV or .xlsx) whose rows are all checked first and then all written,
or none. The charge sits beside the quote the rate card gave when the shipment was planned."""

import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dealers.importing import ImportReport
from dms import events
from dms.accounts.models import User
from dms.errors import PermissionDeniedError, RuleViolation
from dms.money import CENT, ZERO
from dms.scoping import signed_in
from dms.spreadsheets import Layout, cell_problems, parse_date, read_rows
from logistics import selectors, verbs
from logistics.models import Carrier, Shipment
from logistics.services.common import lock_shipment, require_shipper
from orders import services as orders

St = Shipment.Status

# A carrier bills for what it carried: a shipment on its way, held up or delivered.
CHARGEABLE = frozenset({St.IN_TRANSIT, St.EXCEPTION, St.DELIVERED})
MAX_AMOUNT = Decimal("999999999999.99")
REFERENCE_LENGTH = 100
PREVIEW_ROWS = 20

FREIGHT_LAYOUT = Layout(
    columns=[
        ("carrier", gettext_lazy("Carrier code")),
        ("shipment", gettext_lazy("Shipment number")),
        ("tracking_number", gettext_lazy("Tracking number")),
        ("amount", gettext_lazy("Amount charged")),
        ("reference", gettext_lazy("Carrier's invoice number")),
        ("invoiced_on", gettext_lazy("Invoice date")),
    ],
    required=("carrier", "amount"),
    # Carriers' bills name the columns in their own words; the first title of each is the template's.
    aliases=(
        ("carrier", ("承运商编码", "承运商代码", "物流公司编码", "快递公司编码", "承运商")),
        ("shipment", ("发货单号", "发货单编号", "发运单号")),
        ("tracking_number", ("运单号", "快递单号", "物流单号", "运单编号")),
        ("amount", ("运费", "实际运费", "应付运费", "结算金额", "费用合计", "金额")),
        ("reference", ("账单号", "对账单号", "结算单号", "发票号")),
        ("invoiced_on", ("账单日期", "结算日期", "开票日期", "日期")),
    ),
    no_rows_message=gettext_lazy("The file has no charges below its header row."),
)
FREIGHT_TEMPLATE = [titles[0] for _key, titles in FREIGHT_LAYOUT.aliases]


class InvalidCharge(RuleViolation):
    code = "invalid_amount"
    message = gettext_lazy("Enter the amount charged in yuan, above zero with at most two decimals, such as 1280.50.")

    def __init__(self, message=None):
        super().__init__(message, field="amount")


class NotByCarrier(RuleViolation):
    code = "not_by_carrier"
    message = gettext_lazy("Only a shipment by carrier has a carrier's charge: this one goes by own fleet or pickup.")


class NotCarried(RuleViolation):
    code = "not_dispatched"
    message = gettext_lazy("A carrier charges for a shipment once it has left: this one is planned or cancelled.")


def charge_amount(value) -> Decimal:
    """``value`` as a charge in yuan: a Decimal, a whole number or text as bills write it ("¥1,280.50", "1280.5元").
    Above zero and to the cent; a float is refused, as binary fractions are not money."""
    amount = None
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int) and not isinstance(value, bool):
        amount = Decimal(value)
    elif isinstance(value, str):
        text = unicodedata.normalize("NFKC", value)
        for noise in (",", "¥", "元", " "):
            text = text.replace(noise, "")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            amount = None
    if amount is None or not amount.is_finite() or not ZERO < amount <= MAX_AMOUNT or amount != amount.quantize(CENT):
        raise InvalidCharge()
    return amount.quantize(CENT)


def _reference(value) -> str:
    reference = unicodedata.normalize("NFKC", value or "").strip()
    if len(reference) > REFERENCE_LENGTH:
        raise RuleViolation(
            _("At most %(max)d characters.") % {"max": REFERENCE_LENGTH}, code="invalid_reference", field="reference"
        )
    return reference


def _invoiced_on(value: date | None) -> date | None:
    if value is not None and value > timezone.localdate():
        raise RuleViolation(_("An invoice date cannot be in the future."), code="invalid_date", field="invoiced_on")
    return value


def _check_chargeable(shipment: Shipment) -> None:
    if shipment.mode != Shipment.Mode.CARRIER:
        raise NotByCarrier()
    if shipment.status not in CHARGEABLE:
        raise NotCarried()


def _event(actor: User | None, *, shipment: Shipment, amount: Decimal, reference: str, invoiced_on) -> dict:
    """``events.record``'s arguments for a charge; the bill's reference and date live in the event. What the brand
    pays its carriers is head office's: the event concerns no dealer, so dealer users never see it."""
    previous = shipment.freight_charge
    return {
        "actor": actor,
        "verb": verbs.FREIGHT_CHARGED.code,
        "target": shipment,
        "dealer_id": None,
        "data": {
            "amount": str(amount),
            "previous": None if previous is None else str(previous),
            "quote": None if shipment.freight_quote is None else str(shipment.freight_quote),
            "carrier": shipment.carrier.code,
            "reference": reference,
            "invoiced_on": invoiced_on.isoformat() if invoiced_on else "",
        },
    }


def freight_charge_record(
    *, actor: User | None, shipment: Shipment, amount, reference: str = "", invoiced_on: date | None = None
) -> Shipment:
    """Record what the carrier charged for a shipment it carried, with the reference and date of its bill. A new
    charge replaces the one before (the event keeps both); the same amount again changes nothing. For those who
    ship orders, on a dealer in their scope."""
    require_shipper(actor, shipment.dealer_id)
    amount = charge_amount(amount)
    reference = _reference(reference)
    invoiced_on = _invoiced_on(invoiced_on)
    with transaction.atomic():
        locked = lock_shipment(shipment)
        _check_chargeable(locked)
        if locked.freight_charge != amount:
            events.record(**_event(actor, shipment=locked, amount=amount, reference=reference, invoiced_on=invoiced_on))
            locked.freight_charge = amount
            locked.save(update_fields=["freight_charge"])
    return locked


@dataclass(frozen=True)
class ChargeDifference:
    """How far a carrier's charge is from its quote: in yuan, and in per cent of the quote."""

    amount: Decimal
    percent: Decimal | None


def charge_difference(shipment: Shipment) -> ChargeDifference | None:
    """The charge less the quote, when the shipment has both."""
    if shipment.freight_charge is None or shipment.freight_quote is None:
        return None
    amount = shipment.freight_charge - shipment.freight_quote
    percent = (amount * 100 / shipment.freight_quote).quantize(Decimal("0.1")) if shipment.freight_quote else None
    return ChargeDifference(amount=amount, percent=percent)


# --- Importing a carrier's bill -----------------------------------------------------------------------------------


class FreightRowError(NamedTuple):
    """A problem of one row: its spreadsheet row number (the header is row 1), the column key, a stable code for
    machines and a message for people."""

    row: int
    column: str
    code: str
    message: str

    @property
    def label(self) -> str:
        return str(dict(FREIGHT_LAYOUT.columns).get(self.column, ""))

    def as_data(self) -> dict:
        return {"row": self.row, "column": self.column, "code": self.code, "message": self.message}


@dataclass
class FreightReport(ImportReport):
    """A freight-charge dry run or import: the sum of the charges, and how many differ from what is recorded."""

    amount: Decimal = ZERO
    changed: int = 0


def _text(row: dict, key: str) -> str:
    return unicodedata.normalize("NFKC", row.get(key) or "").strip()


class _Matcher:
    """The carriers and the shipments in the actor's scope that a bill's rows name, read in two queries."""

    def __init__(self, actor: User, rows: list[dict], *, lock: bool):
        codes = {_text(row, "carrier").upper() for row in rows} - {""}
        self.carriers = {
            carrier.code.upper(): carrier
            for carrier in Carrier.objects.annotate(code_upper=Upper("code")).filter(code_upper__in=codes)
        }
        numbers = {_text(row, "shipment").upper() for row in rows} - {""}
        tracking = {_text(row, "tracking_number").upper() for row in rows} - {""}
        shipments = (
            selectors.shipments_in_scope(user=actor)
            .select_related("carrier")
            .annotate(tracking_upper=Upper("tracking_number"))
            .filter(Q(number__in=numbers) | Q(tracking_upper__in=tracking))
            .order_by("pk")
        )
        if lock:
            # Rows are locked in the order of their keys, so two imports of overlapping bills cannot deadlock.
            shipments = shipments.select_for_update(of=("self",))
        self.by_number: dict[str, Shipment] = {}
        self.by_tracking: dict[str, list[Shipment]] = {}
        for shipment in shipments:
            self.by_number[shipment.number.upper()] = shipment
            if shipment.tracking_upper:
                self.by_tracking.setdefault(shipment.tracking_upper, []).append(shipment)

    def shipment(self, carrier: Carrier | None, number: str, tracking: str) -> tuple[Shipment | None, tuple | None]:
        """The one shipment a row names, or (None, (column, code, message)) saying why there is none."""
        if number:
            shipment = self.by_number.get(number.upper())
            if shipment is None:
                message = _("No shipment you can see has the number “%(number)s”.") % {"number": number}
                return None, ("shipment", "unknown_shipment", message)
            if tracking and shipment.tracking_number.upper() != tracking.upper():
                message = _("The shipment %(number)s has the tracking number “%(tracking)s”.") % {
                    "number": shipment.number,
                    "tracking": shipment.tracking_number or "—",
                }
                return None, ("tracking_number", "tracking_mismatch", message)
            return shipment, None
        found = self.by_tracking.get(tracking.upper(), [])
        if carrier is not None and any(s.carrier_id == carrier.pk for s in found):
            found = [s for s in found if s.carrier_id == carrier.pk]
        if not found:
            message = _("No shipment you can see has the tracking number “%(tracking)s”.") % {"tracking": tracking}
            return None, ("tracking_number", "unknown_shipment", message)
        if len(found) > 1:
            message = _("Several shipments have the tracking number “%(tracking)s”: give the shipment number.") % {
                "tracking": tracking
            }
            return None, ("tracking_number", "ambiguous_tracking", message)
        return found[0], None


def _check_row(row: dict, matcher: _Matcher) -> tuple[dict, list[tuple[str, str, str]]]:
    """A row's values and its problems as (column, code, message)."""
    problems = [(column, "invalid_text", message) for column, message in cell_problems(row)]
    for key in FREIGHT_LAYOUT.required:
        if not _text(row, key):
            problems.append((key, "required", _("This column is required.")))
    number, tracking = _text(row, "shipment"), _text(row, "tracking_number")
    if not (number or tracking):
        problems.append(("shipment", "required", _("Give the shipment number or the carrier's tracking number.")))
    values = {}
    code = _text(row, "carrier")
    carrier = matcher.carriers.get(code.upper()) if code else None
    if code and carrier is None:
        problems.append(("carrier", "unknown_carrier", _("No carrier has the code “%(code)s”.") % {"code": code}))
    if number or tracking:
        shipment, problem = matcher.shipment(carrier, number, tracking)
        if problem:
            problems.append(problem)
        elif shipment.mode != Shipment.Mode.CARRIER:
            problems.append(("shipment", NotByCarrier.code, str(NotByCarrier.message)))
        elif carrier is not None and shipment.carrier_id != carrier.pk:
            message = _("The shipment %(number)s goes by %(carrier)s.") % {
                "number": shipment.number,
                "carrier": f"{shipment.carrier.code} {shipment.carrier.name}",
            }
            problems.append(("carrier", "wrong_carrier", message))
        elif shipment.status not in CHARGEABLE:
            problems.append(("shipment", NotCarried.code, str(NotCarried.message)))
        else:
            values["shipment"] = shipment
    if _text(row, "amount"):
        try:
            values["amount"] = charge_amount(_text(row, "amount"))
        except InvalidCharge as exc:
            problems.append(("amount", exc.code, str(exc.message)))
    try:
        values["reference"] = _reference(_text(row, "reference"))
    except RuleViolation as exc:
        problems.append(("reference", exc.code, str(exc.message)))
    values["invoiced_on"] = None
    if _text(row, "invoiced_on"):
        try:
            values["invoiced_on"] = _invoiced_on(parse_date(_text(row, "invoiced_on")))
        except ValueError as exc:
            problems.append(("invoiced_on", "invalid_date", str(exc)))
        except RuleViolation as exc:
            problems.append(("invoiced_on", exc.code, str(exc.message)))
    return values, problems


def _require_importer(actor: User | None) -> None:
    """A bill names shipments of many dealers: it is matched against the shipments in a person's scope."""
    if not (signed_in(actor) and orders.can(actor, "ship_order")):
        raise PermissionDeniedError()


def freight_charges_check(*, actor: User, rows: list[dict], lock: bool = False) -> FreightReport:
    """Check every row of a carrier's bill (``dms.spreadsheets.read_rows`` with ``FREIGHT_LAYOUT``) without
    writing: its carrier, the one shipment of that carrier in the actor's scope it names by shipment or tracking
    number (a shipment outside the scope is unknown), the amount, and no shipment twice. Two queries whatever
    the number of rows; ``lock`` locks the shipments found, for the import to write what it checked."""
    _require_importer(actor)
    matcher = _Matcher(actor, rows, lock=lock)
    report = FreightReport(rows_total=len(rows))
    seen: dict[int, int] = {}
    for index, row in enumerate(rows):
        number = row.get("_row") or index + 2
        values, problems = _check_row(row, matcher)
        shipment = values.get("shipment")
        if shipment is not None:
            if shipment.pk in seen:
                message = _("The same shipment as row %(row)d of this file.") % {"row": seen[shipment.pk]}
                problems.append(("shipment", "duplicate_row", message))
            else:
                seen[shipment.pk] = number
        if problems:
            report.errors.extend(FreightRowError(number, *problem) for problem in problems)
            continue
        report.valid += 1
        report.amount += values["amount"]
        report.changed += shipment.freight_charge != values["amount"]
        report.planned.append((number, values))
        if len(report.preview) < PREVIEW_ROWS:
            quote = shipment.freight_quote
            difference = None if quote is None else values["amount"] - quote
            report.preview.append(
                {"row": number, **values, "current": shipment.freight_charge, "difference": difference}
            )
    return report


def freight_charges_apply(*, actor: User, rows: list[dict]) -> FreightReport:
    """Check the rows again with their shipments locked (one may have been cancelled or charged since the dry
    run), then record every charge or none: one UPDATE of the shipments and one INSERT of their events, whatever
    the number of rows. A charge equal to the one recorded is left as it is, so the same bill imports twice
    to the same result."""
    with transaction.atomic():
        report = freight_charges_check(actor=actor, rows=rows, lock=True)
        if not report.ok:
            return report
        changed = [
            values for _number, values in report.planned if values["shipment"].freight_charge != values["amount"]
        ]
        records = [_event(actor, **values) for values in changed]
        for values in changed:
            values["shipment"].freight_charge = values["amount"]
        Shipment.objects.bulk_update([values["shipment"] for values in changed], ["freight_charge"])
        events.record_many(records)
        report.created = len(report.planned)
    return report


def freight_charges_import(*, actor: User, uploaded_file) -> FreightReport:
    """Import a carrier's bill in one step (the API's door): read, check, and record every charge or none.
    Raises ``ImportFileError`` for a file that is not such a table; row problems are in the report."""
    _require_importer(actor)
    return freight_charges_apply(actor=actor, rows=read_rows(uploaded_file, FREIGHT_LAYOUT))

"""Lead imports from CSV or Excel: the columns, the template, and each row read into ``lead_create``'s
arguments. Files are read as the other imports read them (``dms.spreadsheets.read_rows``); the worker
takes the rows in (``leads.services.lead_import_process``), each row on its own.
"""

import unicodedata
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dealers.regions import RegionIndex
from dms.errors import RuleViolation
from dms.spreadsheets import MAX_BYTES, MAX_ROWS, Layout, cell_problems, norm, read_rows
from orders.models import ProductLine

MAX_VALUE = Decimal("999999999999.99")

LAYOUT = Layout(
    columns=[
        ("contact_name", gettext_lazy("Contact name")),
        ("phone", gettext_lazy("Phone")),
        ("email", gettext_lazy("Email")),
        ("company", gettext_lazy("Company")),
        ("province", gettext_lazy("Province")),
        ("city", gettext_lazy("City")),
        ("district", gettext_lazy("District")),
        ("region_code", gettext_lazy("Region code")),
        ("address", gettext_lazy("Address")),
        ("product_line", gettext_lazy("Product line")),
        ("estimated_value", gettext_lazy("Estimated value")),
        ("message", gettext_lazy("Message")),
        ("consent", gettext_lazy("Consents to be contacted")),
        ("consent_purpose", gettext_lazy("Purpose of contact")),
    ],
    required=("contact_name", "product_line"),
    aliases=(
        ("contact_name", ("联系人", "姓名", "客户姓名", "联系人姓名")),
        ("phone", ("电话", "手机", "手机号", "手机号码", "联系电话")),
        ("email", ("邮箱", "电子邮箱", "电子邮件")),
        ("company", ("公司", "公司名称", "单位", "客户公司")),
        ("province", ("省", "省份")),
        ("city", ("市", "城市")),
        ("district", ("区县", "区", "县")),
        ("region_code", ("区域编码", "行政区划代码", "地区编码")),
        ("address", ("地址", "详细地址")),
        ("product_line", ("产品线", "品类", "意向产品线")),
        ("estimated_value", ("预计金额", "预估金额", "意向金额")),
        ("message", ("留言", "需求", "备注")),
        ("consent", ("同意联系", "是否同意联系")),
        ("consent_purpose", ("联系目的", "同意内容")),
    ),
    no_rows_message=gettext_lazy("The file has no leads below its header row."),
)
LABELS = dict(LAYOUT.columns)
# The model's limits, so a long cell is a row error rather than a database error.
LENGTHS = {
    "contact_name": 100,
    "phone": 32,
    "email": 254,
    "company": 200,
    "address": 300,
    "message": 2000,
    "consent_purpose": 200,
    "province": 50,
    "city": 50,
    "district": 50,
    "region_code": 12,
}
# Which column a service error is about, by the ``field`` the service names.
SERVICE_FIELDS = {"region": "region_code"}
YES = frozenset({"1", "y", "yes", "true", "是", "同意", "√", "✓"})
NO = frozenset({"0", "n", "no", "false", "否", "不同意", "×"})


def read(uploaded_file) -> list[dict]:
    """The data rows of a CSV or .xlsx file (``_row`` is the spreadsheet row number). Raises
    ``ImportFileError`` beyond ``MAX_BYTES`` or ``MAX_ROWS``, or for a file that is not such a table."""
    return read_rows(uploaded_file, LAYOUT)


def limits() -> dict:
    """The largest file taken, for the page and the form."""
    return {"rows": MAX_ROWS, "megabytes": MAX_BYTES // (1024 * 1024)}


def template_header() -> list[str]:
    """The column titles of the template, in the active language."""
    return [str(label) for _key, label in LAYOUT.columns]


def template_example() -> list[str]:
    """One filled-in row, with a product line that exists when there is one."""
    line = ProductLine.objects.filter(is_active=True).order_by("position", "code").first()
    example = {
        "contact_name": "王先生",
        "phone": "13800138000",
        "email": "wang@example.com",
        "company": "杭州美居装饰有限公司",
        "province": "浙江省",
        "city": "杭州市",
        "district": "西湖区",
        "region_code": "",
        "address": "文三路 100 号",
        "product_line": line.code if line else "ac",
        "estimated_value": "50000",
        "message": _("Wants a quote for 20 units."),
        "consent": _("yes"),
        "consent_purpose": _("Agreed at the exhibition to be contacted about the quote."),
    }
    return [example[key] for key, _label in LAYOUT.columns]


def column_help() -> list[tuple[str, bool, list[str]]]:
    """(label, required, the other titles accepted) of each column, for the import page."""
    titles = dict(LAYOUT.aliases)
    return [(str(label), key in LAYOUT.required, list(titles.get(key, ()))) for key, label in LAYOUT.columns]


class RowParser:
    """Reads one row into ``lead_create``'s arguments; the product lines and regions are loaded once."""

    def __init__(self):
        self.regions = RegionIndex()
        self.lines: dict[str, ProductLine] = {}
        for line in ProductLine.objects.filter(is_active=True):
            for key in {norm(line.code), norm(line.name), norm(line.name_en)} - {""}:
                self.lines.setdefault(key, line)

    @staticmethod
    def label(field: str | None) -> str:
        """The column a service's ``field`` is about, as people read it."""
        return str(LABELS.get(SERVICE_FIELDS.get(field or "", field or ""), ""))

    def parse(self, row: dict) -> dict:
        """``lead_create`` arguments from the row; raises RuleViolation naming the column of the first problem."""
        problems = cell_problems(row)
        if problems:
            key, message = problems[0]
            raise RuleViolation(message, code="unprintable_character", field=key)
        text = {key: unicodedata.normalize("NFKC", row.get(key) or "").strip() for key, _label in LAYOUT.columns}
        for key, most in LENGTHS.items():
            if len(text[key]) > most:
                raise RuleViolation(_("At most %(max)d characters.") % {"max": most}, code="too_long", field=key)
        for key in LAYOUT.required:
            if not text[key]:
                raise RuleViolation(_("This column is required."), code="required", field=key)
        if text["email"]:
            try:
                validate_email(text["email"])
            except ValidationError as exc:
                raise RuleViolation(" ".join(exc.messages), code="email_invalid", field="email") from exc
        line = self.lines.get(norm(text["product_line"]))
        if line is None:
            raise RuleViolation(
                _("No active product line has the code or name “%(line)s”.") % {"line": text["product_line"]},
                code="product_line_unknown",
                field="product_line",
            )
        region = self.regions.resolve(
            code=text["region_code"], province=text["province"], city=text["city"], district=text["district"]
        )
        consent = self._consent(text["consent"])
        return {
            "contact_name": text["contact_name"],
            "phone": text["phone"],
            "email": text["email"],
            "company": text["company"],
            "region": region,
            "address": text["address"],
            "product_line": line,
            "estimated_value": self._value(text["estimated_value"]),
            "message": text["message"],
            "consent": consent,
            "consent_purpose": text["consent_purpose"] if consent else "",
        }

    @staticmethod
    def _value(raw: str) -> Decimal | None:
        if not raw:
            return None
        cleaned = raw.replace(",", "").replace("¥", "").replace("￥", "").replace("元", "").strip()
        try:
            value = Decimal(cleaned)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite() or value < 0 or value > MAX_VALUE or -value.as_tuple().exponent > 2:
            raise RuleViolation(
                _("Enter an amount in yuan with at most two decimals, such as 50000 or 12800.50."),
                code="invalid_amount",
                field="estimated_value",
            )
        return value

    @staticmethod
    def _consent(raw: str) -> bool:
        answer = norm(raw)
        if not answer or answer in NO:
            return False
        if answer in YES or answer == norm(_("yes")):
            return True
        raise RuleViolation(_("Answer yes or no."), code="invalid_consent", field="consent")

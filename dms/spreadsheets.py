"""Reading the spreadsheets people upload (CSV or .xlsx) into rows, the same way for every import.

A ``Layout`` names the columns a kind of file may have; ``read_rows`` turns a file into dicts keyed by
column key. ``norm`` is how cells and headers are compared, ``choice_aliases`` lets people type a
choice's code or its label in either language, ``parse_date`` reads the dates Excel and people write.
"""

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from datetime import date, datetime, timedelta
from typing import NamedTuple

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dms.errors import RuleViolation
from dms.validators import text_problem

MAX_BYTES = 5 * 1024 * 1024
# Each dealer row goes through dealer_create (about 12 queries); 5,000 rows take ~26 s on 2 cores, inside
# the web server's 60 s timeout. Larger files are split by the user.
MAX_ROWS = 5_000
# An .xlsx is compressed: a small upload can unpack into gigabytes of XML (a "zip bomb").
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
SMALLINT_MAX = 32767
# Header titles and choice labels are recognised in both languages, whichever the uploader reads.
HEADER_LANGUAGES = ("zh-hans", "en")
_XLS_SIGNATURE = b"\xd0\xcf\x11\xe0"  # the old binary .xls (OLE2) format
_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
# Excel counts a 1900-02-29 that never was, so from March 1900 on, serial n is this date plus n days.
_EXCEL_EPOCH = date(1899, 12, 30)


class Layout(NamedTuple):
    """The columns a kind of file may have."""

    columns: list  # (key, label) pairs; a header matches a key, or its label in Chinese or English
    required: tuple
    no_rows_message: str  # what to say of a file with a header and nothing under it
    ignored: frozenset = frozenset()
    # More header titles per key, such as the names a bank or warehouse system gives its columns.
    aliases: tuple = ()


class ImportFileError(RuleViolation):
    code = "import_file_invalid"
    message = gettext_lazy("This file cannot be read.")

    def __init__(self, message=None):
        super().__init__(message, field="file")


def read_rows(uploaded_file, layout: Layout) -> list[dict]:
    """The data rows of a CSV or .xlsx file as dicts keyed by column key, plus ``_row``, the spreadsheet row number.

    Only non-empty cells are kept, as text, so the rows can wait in the session as JSON. The format is told by
    content, not by the file name. Raises ImportFileError for anything that is not a readable table with the
    columns of ``layout``.
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


def cell_problems(row: dict) -> list[tuple[str, str]]:
    """``(column key, message)`` for each cell of ``row`` holding a character no stored text may (a control or
    private-use character); a cell keeps its tabs and line breaks."""
    problems = []
    for key, value in row.items():
        problem = text_problem(value, multiline=True) if isinstance(value, str) else None
        if problem is not None:
            problems.append((key, problem.messages[0]))
    return problems


def norm(text: str) -> str:
    """Compare case-, width- and space-insensitively: what Excel and Chinese input methods vary."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def header_aliases(layout: Layout) -> dict[str, str]:
    aliases = {}
    for key, label in layout.columns:
        aliases[norm(key)] = key
        for language in HEADER_LANGUAGES:
            with translation.override(language):
                aliases[norm(str(label))] = key
    for key, titles in layout.aliases:
        aliases.update((norm(title), key) for title in titles)
    return aliases


def _header_keys(header: list[str], layout: Layout) -> list[str | None]:
    aliases = header_aliases(layout)
    keys, unknown, seen = [], [], set()
    for title in header:
        key = aliases.get(norm(title).rstrip("* "))
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


def choice_aliases(choices, *, split_label: bool = False) -> dict[str, str]:
    """Codes and labels in every language people may type, all pointing at the code."""
    aliases = {}
    for value, label in choices:
        aliases[norm(value)] = value
        for language in HEADER_LANGUAGES:
            with translation.override(language):
                text = norm(str(label))
            aliases[text] = value
            if split_label and "·" in text:  # "A · Strategic": "Strategic" alone is also clear
                aliases[text.split("·", 1)[1].strip()] = value
    return aliases


def whole_number(raw: str) -> int:
    text = unicodedata.normalize("NFKC", raw).strip()
    try:
        number = float(text)
    except ValueError:
        number = None
    if number is None or not number.is_integer() or not 0 <= number <= SMALLINT_MAX:
        raise ValueError(_("Enter a whole number from 0 to %(max)d.") % {"max": SMALLINT_MAX})
    return int(number)


def parse_date(raw: str) -> date:
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

"""What every door accepts as a code or as free text.

Codes (dealer, SKU, product line, warehouse, region, lead source) are ASCII letters, digits, ``-``, ``_`` and
``.``, starting with a letter or digit: they appear in URLs, file names, spreadsheets and on paper.

Free text refuses what no one types and what breaks spreadsheets, e-mails and terminals: control characters
(Unicode category Cc; multi-line text keeps tab, newline and the carriage return of a CRLF line break),
lone surrogates (Cs) and private-use characters (Co), which show as empty boxes.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*\Z"

validate_code = RegexValidator(
    CODE_PATTERN,
    message=_(
        "A code may use only letters A-Z, digits, “-”, “_” and “.”, must start with a letter or digit "
        "and may not contain spaces."
    ),
    code="invalid_code",
)

# Tab, newline and the CR of a CRLF are the layout of multi-line text; a CR alone is not.
_MULTILINE_LAYOUT = re.compile(r"\r\n|\t|\n")


def text_problem(value: str, *, multiline: bool) -> ValidationError | None:
    """The error for the first character of ``value`` that free text may not hold, or ``None``."""
    if not isinstance(value, str):
        return None
    if multiline:
        value = _MULTILINE_LAYOUT.sub("", value)
    for char in value:
        category = unicodedata.category(char)
        if category == "Cc":
            if multiline:
                message = _("Remove the control character %(char)s; only tabs and line breaks are allowed here.")
            else:
                message = _("Remove the control character %(char)s; this field takes a single line of text.")
            return ValidationError(message, code="control_character", params={"char": f"U+{ord(char):04X}"})
        if category in ("Cs", "Co"):
            return ValidationError(
                _("Remove the character %(char)s; it is not a printable character."),
                code="unprintable_character",
                params={"char": f"U+{ord(char):04X}"},
            )
    return None


def validate_single_line_text(value: str) -> None:
    """Django validator: text without control, surrogate or private-use characters (no tabs or line breaks)."""
    problem = text_problem(value, multiline=False)
    if problem is not None:
        raise problem


def validate_multiline_text(value: str) -> None:
    """Django validator: like ``validate_single_line_text``, but tabs and line breaks (LF or CRLF) are allowed."""
    problem = text_problem(value, multiline=True)
    if problem is not None:
        raise problem

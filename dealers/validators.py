"""Validators for Chinese business identifiers: unified social credit codes and phone numbers.

Unified Social Credit Code (统一社会信用代码, GB 32100-2015)
    18 characters drawn from the 31-character alphabet ``0123456789ABCDEFGHJKLMNPQRTUWXY`` (I, O, Z, S and V are
    never used):

    * position 1 -- registration authority (登记管理部门), one of ``123456789ANY``;
    * position 2 -- organisation type (机构类别), any character of the alphabet;
    * positions 3-8 -- the 6-digit administrative division code (登记管理机关行政区划码);
    * positions 9-17 -- the organisation's body identifier (主体标识码);
    * position 18 -- the check character.

    The check character is ``(31 - sum(value(c_i) * w_i) mod 31) mod 31`` over positions 1-17, with
    ``w_i = 3 ** (i - 1) mod 31`` and ``value(c)`` the index of ``c`` in the alphabet. Because 31 is prime and no weight
    is zero, any single wrong character and any swap of two different adjacent characters is caught.

Phone numbers
    Mobile numbers are 11 digits starting ``1[3-9]``; an optional ``+86``, ``86`` or ``0086`` country prefix and
    spaces, dashes or parentheses are accepted and dropped, leaving the 11 digits.

    Landlines need their area code: ``010`` and ``020``-``029`` are the only 3-digit codes and are followed by an
    8-digit number; every other area code has 4 digits (``0[3-9]XX``) and a 7- or 8-digit number. Because the two
    kinds of area code never share a prefix, the split is unambiguous even when the separator is missing. The area
    code may be written in parentheses, and an extension may follow ``-``, ``转`` or ``ext``. Landlines normalise to
    ``0AA-NNNNNNNN`` or ``0AAA-NNNNNNN[N]``, plus ``-EXT`` when there is an extension.

Input is NFKC-normalised first, so full-width digits, letters and parentheses typed with a Chinese IME are accepted.

The ``normalize_*``, ``uscc_check_char`` and ``is_valid_uscc`` functions are pure; ``validate_uscc`` and
``validate_phone`` are Django validators raising :class:`~django.core.exceptions.ValidationError` with a stable
``code``.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

__all__ = [
    "USCC_ALPHABET",
    "USCC_AUTHORITIES",
    "USCC_LENGTH",
    "USCC_WEIGHTS",
    "is_valid_uscc",
    "normalize_phone",
    "normalize_uscc",
    "uscc_check_char",
    "validate_phone",
    "validate_uscc",
]

# --- Unified Social Credit Code ----------------------------------------------------------------------------------

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_LENGTH = 18
USCC_AUTHORITIES = "123456789ANY"
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(USCC_LENGTH - 1))  # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, ...

_USCC_VALUES = {char: index for index, char in enumerate(USCC_ALPHABET)}
_USCC_REGION_RE = re.compile(r"[0-9]{6}")

USCC_MESSAGES = {
    "uscc_length": _("A unified social credit code must be 18 characters; this one has %(length)s."),
    "uscc_charset": _(
        "The unified social credit code contains characters a USCC never uses (I, O, Z, S, V or symbols)."
    ),
    "uscc_authority": _(
        "The first character of a unified social credit code (registration authority) must be one of %(allowed)s."
    ),
    "uscc_region": _(
        "Characters 3 to 8 of a unified social credit code must be the 6-digit administrative division code."
    ),
    "uscc_check": _("The check character of the unified social credit code is wrong; expected %(expected)s."),
}


def normalize_uscc(value: str) -> str:
    """Return ``value`` without any whitespace, NFKC-normalised and upper-cased (``None`` becomes ``""``)."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return "".join(text.split()).upper()


def uscc_check_char(first17: str) -> str:
    """Return the GB 32100-2015 check character for the first 17 characters of a code.

    Raises :class:`ValueError` unless ``first17`` is exactly 17 characters of the USCC alphabet (already normalised).
    """
    if len(first17) != USCC_LENGTH - 1 or any(char not in _USCC_VALUES for char in first17):
        raise ValueError(f"expected 17 characters of {USCC_ALPHABET!r}, got {first17!r}")
    total = sum(_USCC_VALUES[char] * weight for char, weight in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def _uscc_problem(code: str) -> tuple[str, dict[str, object]] | None:
    """Return ``(error code, message params)`` for the first rule a normalised code breaks, or ``None``."""
    if len(code) != USCC_LENGTH:
        return "uscc_length", {"length": len(code)}
    if any(char not in _USCC_VALUES for char in code):
        return "uscc_charset", {}
    if code[0] not in USCC_AUTHORITIES:
        return "uscc_authority", {"allowed": ", ".join(USCC_AUTHORITIES)}
    if not _USCC_REGION_RE.fullmatch(code[2:8]):
        return "uscc_region", {}
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        return "uscc_check", {"expected": expected}
    return None


def is_valid_uscc(value: str) -> bool:
    """Whether ``value`` (normalised first) is a structurally valid USCC with a correct check character."""
    return _uscc_problem(normalize_uscc(value)) is None


def validate_uscc(value: str) -> None:
    """Django validator for unified social credit codes.

    Error codes: ``uscc_length``, ``uscc_charset``, ``uscc_authority``, ``uscc_region`` and ``uscc_check`` (whose
    ``params["expected"]`` is the correct check character).
    """
    problem = _uscc_problem(normalize_uscc(value))
    if problem is not None:
        code, params = problem
        raise ValidationError(USCC_MESSAGES[code], code=code, params=params)


# --- Phone numbers -----------------------------------------------------------------------------------------------

PHONE_MESSAGE = _(
    "Enter a mainland China mobile number (11 digits starting with 13-19) "
    "or a landline with its area code, such as 010-12345678 or 0571-8888888."
)

_MOBILE_RE = re.compile(r"(?:\+86|0086|86)?(?P<number>1[3-9][0-9]{9})")
_MOBILE_STRIP_RE = re.compile(r"[\s\-()]")
# 010 and 02X are the only 3-digit area codes; all others are 0[3-9]XX, so the alternatives never overlap.
_AREA = r"0(?:10|2[0-9]|[3-9][0-9]{2})"
_LANDLINE_RE = re.compile(
    rf"""
    (?:\((?P<area_paren>{_AREA})\)-?|(?P<area>{_AREA})-?)  # area code, optionally in parentheses
    (?P<number>[1-9][0-9]{{6,7}})                         # local number
    (?:(?:-|转|ext\.?)(?P<ext>[0-9]{{1,6}}))?              # optional extension
    """,
    re.VERBOSE | re.IGNORECASE,
)


def _phone_error() -> ValidationError:
    return ValidationError(PHONE_MESSAGE, code="phone_invalid")


def normalize_phone(value: str) -> str:
    """Return the normalised form of a Chinese mobile or landline number; raise ``ValidationError`` otherwise.

    Mobiles become their 11 digits (``13812345678``); landlines become ``0AA-NNNNNNNN`` or ``0AAA-NNNNNNN[N]`` with
    ``-EXT`` appended when an extension was given. The error code is ``phone_invalid``.
    """
    if not isinstance(value, str):
        raise _phone_error()
    text = unicodedata.normalize("NFKC", value).strip()
    if not text:
        raise _phone_error()

    mobile = _MOBILE_RE.fullmatch(_MOBILE_STRIP_RE.sub("", text))
    if mobile:
        return mobile["number"]

    landline = _LANDLINE_RE.fullmatch("".join(text.split()))
    if landline:
        area = landline["area_paren"] or landline["area"]
        number = landline["number"]
        if len(area) == 3 and len(number) != 8:  # 010 and 02X numbers are always 8 digits
            raise _phone_error()
        normalised = f"{area}-{number}"
        if landline["ext"]:
            normalised += f"-{landline['ext']}"
        return normalised

    raise _phone_error()


def validate_phone(value: str) -> None:
    """Django validator for Chinese mobile and landline numbers (error code ``phone_invalid``)."""
    normalize_phone(value)

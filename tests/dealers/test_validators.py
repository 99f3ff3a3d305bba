"""Unified social credit code and phone validators (pure functions; no database)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from dealers.validators import (
    USCC_ALPHABET,
    USCC_WEIGHTS,
    is_valid_uscc,
    normalize_phone,
    normalize_uscc,
    uscc_check_char,
    validate_phone,
    validate_uscc,
)

# Widely published codes; each one also passes the check computed by hand from GB 32100-2015.
PUBLISHED_USCCS = [
    "91350100M000100Y43",  # the example most often quoted in USCC documentation
    "9144030071526726XG",  # Shenzhen Tencent Computer Systems Co., Ltd.
    "914403001922038216",  # Huawei Technologies Co., Ltd.
    "91110108551385082Q",  # Beijing Xiaomi Technology Co., Ltd.
]

# Built with the algorithm to cover other authorities, a check character of 0 and a letter check character.
CONSTRUCTED_USCCS = [
    "12100000400000624D",  # 1: public institution (事业单位)
    "531100005000000005",  # 5: civil affairs (社会团体)
    "Y1440300MA5D00000C",  # Y: other registration authorities
    "N2330100MA2B00001P",
    "A1110000MA00ABCDEA",
    "91110108MA00000070",  # check character 0: the weighted sum is a multiple of 31
    "91110108MA0000026Y",  # check character Y: the last letter of the alphabet
]


def _full_width(text: str) -> str:
    """What a Chinese IME in full-width mode types for ``text`` (ASCII U+0021-U+007E shifted to U+FF01-U+FF5E)."""
    return "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in text)


def _error(validator, value) -> ValidationError:
    with pytest.raises(ValidationError) as excinfo:
        validator(value)
    return excinfo.value


# --- Unified Social Credit Code ----------------------------------------------------------------------------------


def test_alphabet_has_31_characters_without_i_o_z_s_v():
    assert len(USCC_ALPHABET) == len(set(USCC_ALPHABET)) == 31
    assert not set("IOZSV") & set(USCC_ALPHABET)


def test_weights_are_powers_of_three_mod_31():
    assert USCC_WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def test_check_char_by_hand_for_the_published_example():
    # 9 1 3 5 0 1 0 0 M(21) 0 0 0 1 0 0 Y(30): weighted sum 1640 = 52 * 31 + 28, (31 - 28) % 31 = 3.
    assert uscc_check_char("91350100M000100Y4") == "3"


@pytest.mark.parametrize("code", PUBLISHED_USCCS + CONSTRUCTED_USCCS)
def test_valid_codes_pass(code):
    assert uscc_check_char(code[:17]) == code[17]
    assert is_valid_uscc(code)
    validate_uscc(code)


@pytest.mark.parametrize(
    "first17",
    ["91350100M000100Y", "91350100M000100Y43", "91350100M000100I4", "91350100m000100Y4", "91350100M 00100Y4"],
)
def test_check_char_refuses_anything_but_17_alphabet_characters(first17):
    with pytest.raises(ValueError, match="17 characters"):
        uscc_check_char(first17)


def test_lowercase_input_is_normalised():
    assert normalize_uscc("91350100m000100y43") == "91350100M000100Y43"
    assert is_valid_uscc("91350100m000100y43")
    validate_uscc("9144030071526726xg")


def test_spaces_are_stripped():
    assert normalize_uscc(" 9135 0100 M000 100Y 43\t") == "91350100M000100Y43"
    assert is_valid_uscc(" 9135 0100 M000 100Y 43 ")
    validate_uscc("9144 0300 7152 6726 XG")


def test_full_width_input_is_normalised():
    assert normalize_uscc(_full_width("91350100M000100Y43")) == "91350100M000100Y43"
    assert is_valid_uscc(_full_width("91350100m000100y43"))


def test_none_normalises_to_empty():
    assert normalize_uscc(None) == ""
    assert _error(validate_uscc, None).code == "uscc_length"


@pytest.mark.parametrize("value", ["", "91350100M000100Y4", "91350100M000100Y433", "9135"])
def test_wrong_length(value):
    error = _error(validate_uscc, value)
    assert error.code == "uscc_length"
    assert error.params == {"length": len(value)}
    assert not is_valid_uscc(value)
    with translation.override("en"):
        assert "must be 18 characters" in error.messages[0]


@pytest.mark.parametrize("letter", list("IOZSV"))
def test_forbidden_letters(letter):
    value = f"91350100M000100{letter}43"
    error = _error(validate_uscc, value)
    assert error.code == "uscc_charset"
    assert not is_valid_uscc(value)
    with translation.override("en"):
        assert "I, O, Z, S, V" in error.messages[0]


@pytest.mark.parametrize("value", ["91350100M000100-43", "91350100M000100Y4*", "91350100M000100Ä43"])
def test_symbols_are_a_charset_error(value):
    assert _error(validate_uscc, value).code == "uscc_charset"


@pytest.mark.parametrize("authority", list("0BCHXW"))
def test_unknown_registration_authority(authority):
    first17 = f"{authority}1350100M000100Y4"
    value = first17 + uscc_check_char(first17)  # correct check character, so only the authority is wrong
    error = _error(validate_uscc, value)
    assert error.code == "uscc_authority"
    assert not is_valid_uscc(value)


@pytest.mark.parametrize("region", ["3501A0", "M50100", "35010Y", "ABCDEF"])
def test_region_must_be_six_digits(region):
    first17 = f"91{region}M000100Y4"
    value = first17 + uscc_check_char(first17)
    error = _error(validate_uscc, value)
    assert error.code == "uscc_region"
    assert not is_valid_uscc(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("91350100M000100Y44", "3"),
        ("9144030071526726XH", "G"),
        ("914403001922038210", "6"),
        ("91110108MA0000007Y", "0"),
    ],
)
def test_wrong_check_character_names_the_expected_one(value, expected):
    error = _error(validate_uscc, value)
    assert error.code == "uscc_check"
    assert error.params == {"expected": expected}
    assert not is_valid_uscc(value)
    with translation.override("en"):
        assert error.messages == [
            f"The check character of the unified social credit code is wrong; expected {expected}."
        ]


def test_wrong_check_character_after_normalisation():
    error = _error(validate_uscc, " 91350100m000100y4g ")
    assert error.code == "uscc_check"
    assert error.params == {"expected": "3"}


def test_every_single_character_substitution_is_caught():
    code = "91350100M000100Y43"
    for position in range(17):
        for char in USCC_ALPHABET:
            if char == code[position]:
                continue
            first17 = code[:position] + char + code[position + 1 : 17]
            assert uscc_check_char(first17) != code[17], first17


def test_every_adjacent_transposition_is_caught():
    code = "91110108551385082Q"
    for position in range(16):
        a, b = code[position], code[position + 1]
        if a != b:
            swapped = code[:position] + b + a + code[position + 2 :]
            assert not is_valid_uscc(swapped), swapped


# --- Phone numbers -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13812345678", "13812345678"),
        ("19912345678", "19912345678"),
        ("+8613812345678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("+86-138-1234-5678", "13812345678"),
        ("(+86) 138 1234 5678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("0086 13812345678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        (" 138 1234 5678 ", "13812345678"),
        (_full_width("13812345678"), "13812345678"),
    ],
)
def test_valid_mobiles_normalise_to_eleven_digits(value, expected):
    assert normalize_phone(value) == expected
    validate_phone(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("010-12345678", "010-12345678"),
        ("01012345678", "010-12345678"),
        ("010 1234 5678", "010-12345678"),
        ("0571-8888888", "0571-8888888"),
        ("0571-88888888", "0571-88888888"),
        ("057188888888", "0571-88888888"),
        ("(021)62345678", "021-62345678"),
        ("(021) 6234 5678", "021-62345678"),
        (_full_width("(021)62345678"), "021-62345678"),
        ("(0755)-88888888", "0755-88888888"),
        ("010-12345678-8001", "010-12345678-8001"),
        ("0571-8888888转123", "0571-8888888-123"),
        ("0571-8888888 转 123", "0571-8888888-123"),
        ("021-62345678 ext 55", "021-62345678-55"),
        ("021-62345678 EXT. 55", "021-62345678-55"),
        ("02162345678ext55", "021-62345678-55"),
    ],
)
def test_valid_landlines_normalise(value, expected):
    assert normalize_phone(value) == expected
    validate_phone(value)


@pytest.mark.parametrize(
    "value",
    [
        "1381234567",  # 10-digit mobile
        "138123456789",  # 12-digit mobile
        "12812345678",  # no mobile prefix starts 12
        "10812345678",
        "1381234567a",  # letters
        "abc",
        "138 1234 567O",
        "+1 13812345678",  # another country code
        "+87 13812345678",
        "87 13812345678",
        "12345678",  # landline without its area code
        "62345678",
        "8888888",
        "021-1234567",  # 3-digit area codes take 8-digit numbers
        "0101234567",
        "021-123456789",  # too long
        "0571-888888",  # too short
        "0571-888888888",
        "010-02345678",  # local numbers never start with 0
        "031-12345678",  # 03X is not an area code on its own
        "0571-8888888-",  # dangling extension separator
        "0571-8888888转",
        "0571-8888888-1234567",  # extension too long
        "0571-8888888x12",  # unsupported extension marker
        "(021-62345678",  # unbalanced parenthesis
        "",
        "   ",
        "+86",
    ],
)
def test_invalid_numbers(value):
    with pytest.raises(ValidationError) as excinfo:
        normalize_phone(value)
    assert excinfo.value.code == "phone_invalid"
    assert _error(validate_phone, value).code == "phone_invalid"


@pytest.mark.parametrize("value", [None, 13812345678])
def test_non_strings_are_invalid(value):
    assert _error(validate_phone, value).code == "phone_invalid"


def test_phone_message_is_translatable_text():
    error = _error(validate_phone, "12345")
    with translation.override("en"):
        assert "010-12345678" in error.messages[0]

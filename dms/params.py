"""Whole numbers read from a query string or a posted field. ``str.isdigit`` is true for "²" and "１",
which ``int`` refuses or reads as another number: only plain ASCII digits count here."""

import re

_WHOLE = re.compile(r"[0-9]{1,18}")


def parse_id(raw) -> int | None:
    """The positive whole number ``raw`` spells in at most 18 ASCII digits (it fits a bigint), else ``None``."""
    raw = raw.strip() if isinstance(raw, str) else ""
    if not _WHOLE.fullmatch(raw):
        return None
    return int(raw) or None

"""Mask personal data before a text is published: e-mail addresses, phone numbers, BSN-like
numbers, and the names of people who did not agree to be named."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

EMAIL_MASK = "[e-mailadres]"
PHONE_MASK = "[telefoonnummer]"
NUMBER_MASK = "[nummer]"
NAME_MASK = "[naam]"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Dutch numbers: 06-12345678, 06 1234 5678, +31 6 12345678, 0031 20 123 4567, 020-1234567, (010) 123 45 67.
_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)31[\s.-]?(?:\(0\))?[\s.-]?|0)"
    r"(?:\(?\d{1,3}\)?[\s.-]?)(?:\d[\s.-]?){6,8}\d?(?!\w)"
)
# Nine digits, possibly grouped as 123.456.789 or 123 45 6789: anything shaped like a BSN.
_NINE = re.compile(r"(?<![\w.-])\d{3}[\s.-]?\d{2,3}[\s.-]?\d{3,4}(?![\w-])")


def _digits(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def mask(text: str, names: Iterable[str] = ()) -> str:
    """Return the text with personal data replaced by a mark saying what was there."""
    if not text:
        return text
    masked = _EMAIL.sub(EMAIL_MASK, text)
    masked = _PHONE.sub(lambda m: PHONE_MASK if 9 <= _digits(m.group()) <= 12 else m.group(), masked)
    masked = _NINE.sub(lambda m: NUMBER_MASK if _digits(m.group()) == 9 else m.group(), masked)
    whole, parts = _name_patterns(frozenset(n.strip() for n in names if n and len(n.strip()) > 1))
    if whole is not None:
        masked = whole.sub(NAME_MASK, masked)
    if parts is not None:
        masked = parts.sub(NAME_MASK, masked)
    return masked


@lru_cache(maxsize=64)
def _name_patterns(names: frozenset[str]) -> tuple[re.Pattern | None, re.Pattern | None]:
    """Return one pattern for the whole names (any case) and one for their parts of four letters
    or more that start with a capital (a first name alone, a surname alone); longest first, so a
    longer name wins over a shorter one it contains. Made once per set of names: a summary masks
    many texts with the same names."""
    if not names:
        return None, None
    by_length = sorted(names, key=lambda name: (-len(name), name))
    whole = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in by_length) + r")(?!\w)", re.IGNORECASE)
    found = {part for name in names for part in name.split() if len(part) >= 4 and part[0].isupper()}
    if not found:
        return whole, None
    ordered = sorted(found, key=lambda part: (-len(part), part))
    return whole, re.compile(r"(?<!\w)(?:" + "|".join(re.escape(p) for p in ordered) + r")(?!\w)")

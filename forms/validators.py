"""Validators shared by several forms."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

#: Eight ASCII digits, nothing before or after (not even a newline; no other scripts' digits).
_EIGHT_DIGITS = re.compile(r"[0-9]{8}")
_POSTCODE = re.compile(r"[1-9][0-9]{3} ?[A-Z]{2}")


def normalise_digits(value: str | None) -> str | None:
    """Strip spaces and dots people type in numbers such as a KvK number."""
    if value is None:
        return None
    cleaned = re.sub(r"[\s.]", "", value)
    return cleaned or None


def is_kvk_number(value: str) -> bool:
    """Tell whether value is a KvK number: exactly eight digits."""
    return bool(_EIGHT_DIGITS.fullmatch(value or ""))


def is_agb_code(value: str) -> bool:
    """Tell whether value is an AGB code: exactly eight digits."""
    return bool(_EIGHT_DIGITS.fullmatch(value or ""))


def normalise_postcode(value: str | None) -> str | None:
    """Write a Dutch postcode as "1234 AB"."""
    if not value:
        return value
    compact = re.sub(r"\s", "", value).upper()
    if len(compact) == 6:
        return f"{compact[:4]} {compact[4:]}"
    return value.strip().upper()


def kvk_number(form, field) -> None:
    """Require a KvK number of eight digits."""
    if field.data and not is_kvk_number(field.data):
        raise ValidationError(_l("A KvK number has exactly 8 digits."))


def agb_code(form, field) -> None:
    """Require an AGB code of eight digits when one is given."""
    if field.data and not is_agb_code(field.data):
        raise ValidationError(_l("An AGB code has exactly 8 digits."))


def postcode(form, field) -> None:
    """Require a Dutch postcode such as 1234 AB."""
    if field.data and not _POSTCODE.fullmatch(field.data):
        raise ValidationError(_l("Enter a postcode like 1234 AB."))


class StrongPassword:
    """Require a password long enough to resist guessing (NCSC: length over complexity)."""

    def __init__(self, minimum: int = 12):
        self.minimum = minimum

    def __call__(self, form, field) -> None:
        value = field.data or ""
        if len(value) < self.minimum:
            raise ValidationError(
                _l("Use at least %(n)d characters.", n=self.minimum)
            )
        if value.strip().lower() in {"wachtwoord12345", "password12345", "welkom123456"}:
            raise ValidationError(_l("This password is too easy to guess."))

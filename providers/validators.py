"""Validators for provider data: the NPI check digit and IANA time zones."""

import zoneinfo

from django.core.exceptions import ValidationError


def luhn_check_digit(digits: str) -> int:
    """The Luhn check digit to append to `digits`."""
    total = 0
    # Walk from the right: the digit next to the (future) check digit is doubled.
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return (10 - total % 10) % 10


def npi_check_digit(first_nine: str) -> int:
    """CMS: the NPI check digit is the Luhn digit of the nine digits prefixed with 80840."""
    return luhn_check_digit("80840" + first_nine)


def npi_is_valid(npi: str) -> bool:
    return (
        len(npi) == 10
        and npi.isascii()
        and npi.isdigit()
        and int(npi[9]) == npi_check_digit(npi[:9])
    )


def validate_npi(value: str) -> None:
    if not npi_is_valid(value or ""):
        raise ValidationError(
            "Enter a valid 10-digit NPI (its last digit is a check digit).", code="invalid_npi"
        )


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            "Enter an IANA time zone such as America/New_York.", code="invalid_time_zone"
        ) from None

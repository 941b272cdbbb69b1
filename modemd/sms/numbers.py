"""Destination numbers: E.164 via phonenumbers, or a clear refusal saying why."""

from __future__ import annotations

from modemd.errors import InvalidInputError

# by phonenumbers.ValidationResult name: phonenumbers is imported only when a number is
# checked (about 40 ms, which the commands that only read never pay)
_REASONS = {
    "INVALID_COUNTRY_CODE": "its country code does not exist",
    "TOO_SHORT": "it is too short",
    "TOO_LONG": "it is too long",
    "INVALID_LENGTH": "its length fits no number of that country",
}


def to_e164(number: str, default_region: str | None = None) -> str:
    """'+1 201-555-0123' -> '+12015550123'. A number without '+' needs default_region."""
    import phonenumbers  # noqa: PLC0415  (see _REASONS)

    text = number.strip()
    if not text.startswith("+") and not default_region:
        raise InvalidInputError(
            f"{number!r} has no country code: write it as +<country><number>, or set "
            "default_region (e.g. \"US\") in the configuration")
    try:
        parsed = phonenumbers.parse(text, None if text.startswith("+") else default_region)
    except phonenumbers.NumberParseException as error:
        raise InvalidInputError(f"{number!r} is not a phone number: {error}") from error
    if not phonenumbers.is_valid_number(parsed):
        result = phonenumbers.is_possible_number_with_reason(parsed)
        reason = next((said for name, said in _REASONS.items()
                       if getattr(phonenumbers.ValidationResult, name) == result),
                      "no such number range is in use")
        raise InvalidInputError(f"{number!r} cannot be a valid number: {reason}. Check it")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)

"""Turn one raw field value into the dictionary's type, or say precisely why it cannot be.

Readers hand over whatever their format produced: ints and floats from `json`, `Decimal` from `ijson`,
strings from CSV and XML. Each converter accepts all of those and rejects anything that would silently
change meaning (booleans, NaN, a float that overflowed, a date-time with no zone).
"""

from __future__ import annotations

import math
import numbers
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import SupportsInt, cast

MAX_TIMESTAMP = 253_402_300_799
"""9999-12-31T23:59:59Z: the last second an ISO-8601 date-time (and Python's datetime) can express."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_SECOND = timedelta(seconds=1)
_DECIMAL_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_MAX_TIMESTAMP_DIGITS = len(str(MAX_TIMESTAMP))


class InvalidValue(ValueError):
    """Why one value does not fit its field; the caller adds the field name."""


def to_timestamp(value: object) -> int:
    """Unix seconds from an integral number, an integral numeric string, or an ISO-8601 string with a zone.

    A digits-only string is read as Unix seconds, never as an ISO basic-format date. A date-time without a
    zone is rejected: the dictionary says UTC, but a zone-less string may have been written in local time.
    """
    if isinstance(value, bool):
        raise InvalidValue("a boolean is not a timestamp")
    if value is None:
        raise InvalidValue("null is not a timestamp")
    if isinstance(value, int):
        seconds = value
    elif isinstance(value, Decimal | numbers.Real):
        seconds = _integral_seconds(value)
    elif isinstance(value, str):
        seconds = _seconds_from_text(value)
    else:
        raise InvalidValue(f"expected Unix seconds or an ISO-8601 UTC string, got {type(value).__name__}")
    if not 0 <= seconds <= MAX_TIMESTAMP:
        raise InvalidValue(f"out of range: must be between 0 (1970) and {MAX_TIMESTAMP} (year 9999)")
    return seconds


# Complexity C (radon) kept on purpose: one branch per kind of input and per way a number is not finite, each with
# its own message; flat reads better than helpers that each raise one error.
def to_float(value: object) -> float:
    """A finite float from a number or a plain decimal string ("1.5", "-2e3"; not "NaN", "inf" or "1_0")."""
    if isinstance(value, bool):
        raise InvalidValue("a boolean is not a number")
    if value is None:
        raise InvalidValue("null is not a number")
    if isinstance(value, str):
        text = value.strip()
        if not _DECIMAL_NUMBER.fullmatch(text):
            raise InvalidValue("not a number")
        source_is_finite = True
        number = float(text)
    elif isinstance(value, Decimal | numbers.Real):
        source_is_finite = _is_finite_source(value)
        try:
            number = float(value)
        except OverflowError:
            raise InvalidValue("too large for a float") from None
        except ValueError:
            raise InvalidValue("not a finite number") from None
    else:
        raise InvalidValue(f"expected a number, got {type(value).__name__}")
    if math.isnan(number):
        raise InvalidValue("NaN is not a number")
    if math.isinf(number):
        raise InvalidValue("too large for a float" if source_is_finite else "not a finite number")
    return number


def _is_finite_source(value: Decimal | numbers.Real) -> bool:
    if isinstance(value, Decimal):
        return value.is_finite()
    if isinstance(value, int):
        return True
    return math.isfinite(value)


def _integral_seconds(value: Decimal | numbers.Real) -> int:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidValue("not a finite number")
        if value.adjusted() >= _MAX_TIMESTAMP_DIGITS:
            # Checked before int(): int(Decimal("1e999999999")) would build a billion-digit integer.
            raise InvalidValue(f"out of range: must be between 0 (1970) and {MAX_TIMESTAMP} (year 9999)")
    try:
        # typeshed's numbers.Real declares no __int__, though float, Fraction and numpy's floats all define one.
        seconds = int(cast(SupportsInt, value))
    except (OverflowError, ValueError):
        raise InvalidValue("not a finite number") from None
    if seconds != value:
        raise InvalidValue("has a fractional part: Unix time is whole seconds")
    return seconds


def _seconds_from_text(text: str) -> int:
    stripped = text.strip()
    if _DECIMAL_NUMBER.fullmatch(stripped):
        return _integral_seconds(Decimal(stripped))
    try:
        moment = datetime.fromisoformat(stripped)
    except ValueError:
        raise InvalidValue("neither Unix seconds nor an ISO-8601 date-time") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidValue("ISO-8601 date-time without a zone is ambiguous: add 'Z' for UTC")
    if moment.microsecond:
        raise InvalidValue("has fractional seconds: Unix time is whole seconds")
    return (moment - _EPOCH) // _ONE_SECOND

"""The validated record: exactly the dictionary's eight fields, already converted to their types."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from ingest.errors import RecordValidationError
from ingest.records.conversions import InvalidValue, to_float, to_timestamp
from ingest.records.fields import FIELD_SPECS, FIELDS, FieldType

_CONVERTERS: dict[FieldType, Callable[[object], int | float]] = {"timestamp": to_timestamp, "float": to_float}


@dataclass(frozen=True, slots=True)
class PriceRecord:
    """One 5-minute USDT/ETH interval. Attribute names are the dictionary's, so no mapping can drift."""

    date: int
    high: float
    low: float
    open: float
    close: float
    volume: float
    quoteVolume: float  # camelCase: the data dictionary's name
    weightedAverage: float  # camelCase: the data dictionary's name

    def as_dict(self) -> dict[str, int | float]:
        """The eight fields under their dictionary names, in dictionary order."""
        return {name: getattr(self, name) for name in FIELDS}


def validate_record(value: object) -> PriceRecord:
    """Check one raw record against the data dictionary and convert its fields.

    Fields are checked in dictionary order and the first bad one is reported, so the error always names
    one field. Fields the dictionary does not define are left out of the result rather than rejected:
    producers may add columns without breaking ingestion.
    """
    if not isinstance(value, Mapping):
        raise RecordValidationError(None, value, f"expected an object with the fields {', '.join(FIELDS)}")
    converted: dict[str, int | float] = {}
    for spec in FIELD_SPECS:
        if spec.name not in value:
            raise RecordValidationError(spec.name, value, "missing from the record")
        raw = value[spec.name]
        try:
            converted[spec.name] = _CONVERTERS[spec.type](raw)
        except InvalidValue as exc:
            raise RecordValidationError(spec.name, raw, str(exc)) from None
    # Whether a value is an int or a float depends on its field's spec, which mypy cannot tie to an attribute.
    return PriceRecord(**cast(dict[str, Any], converted))

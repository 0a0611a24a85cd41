"""The validated record: exactly the dictionary's fields, already converted to their types.

`PriceRecord` is a frozen dataclass built from `FIELD_SPECS` when the package is imported, so its attributes
are the schema's fields in the schema's order and a new field needs no edit here. For type checkers it is
declared by hand with the same interface (attribute access and `as_dict`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import make_dataclass
from typing import TYPE_CHECKING, Any

from ingest.errors import RecordValidationError
from ingest.records.conversions import InvalidValue, to_float, to_timestamp
from ingest.records.fields import FIELD_SPECS, FIELDS, FieldType

_CONVERTERS: dict[FieldType, Callable[[object], int | float]] = {"timestamp": to_timestamp, "float": to_float}
_PYTHON_TYPES: dict[FieldType, type] = {"timestamp": int, "float": float}


def _as_dict(self: Any) -> dict[str, int | float]:
    """The fields under their dictionary names, in dictionary order."""
    return {name: getattr(self, name) for name in FIELDS}


if TYPE_CHECKING:

    class PriceRecord:
        """One 5-minute USDT/ETH interval; attribute names are the dictionary's, so no mapping can drift."""

        def __init__(self, **fields: int | float) -> None: ...
        def __getattr__(self, name: str) -> int | float: ...
        def as_dict(self) -> dict[str, int | float]: ...

else:
    PriceRecord = make_dataclass(
        "PriceRecord",
        [(spec.name, _PYTHON_TYPES[spec.type]) for spec in FIELD_SPECS],
        namespace={
            "__module__": __name__,
            "as_dict": _as_dict,
            "__doc__": "One 5-minute USDT/ETH interval; attribute names are the dictionary's, so no mapping can drift.",
        },
        frozen=True,
        slots=True,
    )


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
    return PriceRecord(**converted)

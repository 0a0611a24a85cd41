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
from ingest.records.conversions import MAX_TIMESTAMP, InvalidValue, to_float, to_timestamp
from ingest.records.fields import FIELD_SPECS, FIELDS, FieldSpec, FieldType

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


PLAIN_FLOAT_RANGE = (1e-4, 1e16)
"""Magnitudes whose shortest form Python writes without an exponent; msgspec then writes the same digits, so a
record whose floats are all here (or zero) encodes to the same bytes either way (`ingest.records.encoding`)."""


def _plain_values_source(specs: tuple[FieldSpec, ...]) -> str:
    """Python source of `plain_values` for these fields: one straight-line check, no loop or call per field."""
    names = [f"v{position}" for position in range(len(specs))]
    fetch = "; ".join(f"{name} = value[{spec.name!r}]" for name, spec in zip(names, specs, strict=True))
    low, high = PLAIN_FLOAT_RANGE
    checks = []
    for name, spec in zip(names, specs, strict=True):
        if spec.type == "timestamp":
            checks.append(f"type({name}) is int and 0 <= {name} <= {MAX_TIMESTAMP}")
        else:
            checks.append(f"type({name}) is float and ({low!r} <= {name} < {high!r} or {name} == 0.0)")
    return (
        "def plain_values(value):\n"
        "    if type(value) is not dict:\n"
        "        return None\n"
        "    try:\n"
        f"        {fetch}\n"
        "    except KeyError:\n"
        "        return None\n"
        f"    if {' and '.join(checks)}:\n"
        f"        return ({', '.join(names)},)\n"
        "    return None\n"
    )


def _compile_plain_values(specs: tuple[FieldSpec, ...]) -> Callable[[object], tuple[int | float, ...] | None]:
    namespace: dict[str, Any] = {}
    exec(compile(_plain_values_source(specs), f"<plain_values of {__name__}>", "exec"), namespace)
    function: Callable[[object], tuple[int | float, ...] | None] = namespace["plain_values"]
    return function


plain_values = _compile_plain_values(FIELD_SPECS)
"""The dictionary's values, in its order, of a record that needs no conversion: a dict holding every field with
exactly its type (int timestamps in range, floats in `PLAIN_FLOAT_RANGE` or zero). None for any other record,
which `validate_record` then converts or rejects: this is its fast path, compiled once from the schema, and
accepts nothing it would not (tests/records compare the two)."""


def record_values(value: object) -> tuple[int | float, ...]:
    """The validated values of a raw record in dictionary order; raises RecordValidationError as
    `validate_record` does."""
    values = plain_values(value)
    if values is not None:
        return values
    record = validate_record(value)
    return tuple(getattr(record, name) for name in FIELDS)

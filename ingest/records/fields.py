"""The data dictionary, in one place.

Everything else (the record type, validation, encoding, tests) derives field names and kinds from
`FIELD_SPECS`, so turning the dictionary into a JSON Schema file later is a change to this module only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FieldType = Literal["timestamp", "float"]


@dataclass(frozen=True)
class FieldSpec:
    """One column of the data dictionary, with its type spelled as the dictionary spells it."""

    name: str
    type: FieldType
    description: str


FIELD_SPECS: tuple[FieldSpec, ...] = (
    FieldSpec("date", "timestamp", "UTC timestamp of the start of the 5 minute interval, in Unix seconds"),
    FieldSpec("high", "float", "the highest price for this period"),
    FieldSpec("low", "float", "the lowest price for this period"),
    FieldSpec("open", "float", "opening price for this period"),
    FieldSpec("close", "float", "closing price for this period"),
    FieldSpec("volume", "float", "volume of the first currency of the pair (USDT)"),
    FieldSpec("quoteVolume", "float", "volume of the second currency of the pair (ETH)"),
    FieldSpec("weightedAverage", "float", "weighted average price of the trades in this period"),
)

FIELDS: tuple[str, ...] = tuple(spec.name for spec in FIELD_SPECS)

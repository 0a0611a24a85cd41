"""Records of the data dictionary: validation of raw values, and the bytes each published record becomes."""

from ingest.records.encoding import (
    PROVENANCE_KEY,
    Provenance,
    RecordDecodeError,
    decode_record,
    encode_record,
)
from ingest.records.fields import FIELD_SPECS, FIELDS, FieldSpec
from ingest.records.model import PriceRecord, validate_record

__all__ = [
    "FIELDS",
    "FIELD_SPECS",
    "PROVENANCE_KEY",
    "FieldSpec",
    "PriceRecord",
    "Provenance",
    "RecordDecodeError",
    "decode_record",
    "encode_record",
    "validate_record",
]

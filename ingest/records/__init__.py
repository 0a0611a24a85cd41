"""Stage layer of `ingest`, the record (beside sources, formats, publishing, sample): records of the data
dictionary, validation of raw values, and the bytes each published record becomes.

The dictionary itself is one JSON Schema file in the Pulumi-free core (`components.core.data_dictionary`); the
field list, the record type and the validation are derived from it.
"""

from ingest.records.encoding import (
    PROVENANCE_KEY,
    Provenance,
    RecordDecodeError,
    RecordEncoder,
    decode_record,
    encode_record,
)
from ingest.records.fields import FIELD_SPECS, FIELDS, RECORD_SCHEMA, FieldSpec
from ingest.records.model import PriceRecord, plain_values, record_values, validate_record

__all__ = [
    "FIELDS",
    "FIELD_SPECS",
    "PROVENANCE_KEY",
    "RECORD_SCHEMA",
    "FieldSpec",
    "PriceRecord",
    "Provenance",
    "RecordDecodeError",
    "RecordEncoder",
    "decode_record",
    "encode_record",
    "plain_values",
    "record_values",
    "validate_record",
]

"""Records of the data dictionary: validation of raw values, and the bytes each published record becomes.

The dictionary itself is one JSON Schema file (`ingest/records/schema/price_record.schema.json`, see
`ingest.records.schema`); the field list, the record type and the validation are derived from it.
"""

from ingest.records.encoding import (
    PROVENANCE_KEY,
    Provenance,
    RecordDecodeError,
    RecordEncoder,
    decode_record,
    encode_record,
)
from ingest.records.fields import FIELD_SPECS, FIELDS, FieldSpec
from ingest.records.model import PriceRecord, plain_values, record_values, validate_record
from ingest.records.schema import RECORD_SCHEMA, SCHEMA_PATH, SchemaError

__all__ = [
    "FIELDS",
    "FIELD_SPECS",
    "PROVENANCE_KEY",
    "RECORD_SCHEMA",
    "SCHEMA_PATH",
    "FieldSpec",
    "PriceRecord",
    "Provenance",
    "RecordDecodeError",
    "RecordEncoder",
    "SchemaError",
    "decode_record",
    "encode_record",
    "plain_values",
    "record_values",
    "validate_record",
]

"""XML records: child elements are fields; DTDs, entity bombs and external entities are refused."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from ingest.errors import FormatError
from ingest.formats import MalformedRecord, RawRecord
from ingest.formats.xml_format import read_xml

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<records><record><high>&lol3;</high></record></records>
"""


def _read(data: bytes) -> list:
    return list(read_xml(io.BytesIO(data)))


def test_child_elements_are_the_fields() -> None:
    data = b"<records>\n <record><date>1514764800</date><high> 755.5 </high><low/></record>\n</records>"
    assert _read(data) == [RawRecord(0, "record 1", {"date": "1514764800", "high": "755.5", "low": ""})]


def test_namespaces_do_not_change_field_names() -> None:
    data = b'<r:records xmlns:r="urn:x"><r:record><r:high>1</r:high></r:record></r:records>'
    assert _read(data)[0].value == {"high": "1"}


def test_a_repeated_field_makes_the_record_malformed() -> None:
    read = _read(b"<records><record><high>1</high><high>2</high></record><record><high>3</high></record></records>")
    assert read[0] == MalformedRecord(
        0, "record 1", "<record><high>1</high><high>2</high></record>", "duplicate field 'high'"
    )
    assert read[1] == RawRecord(1, "record 2", {"high": "3"})


def test_an_entity_expansion_bomb_is_refused() -> None:
    with pytest.raises(FormatError, match=r"XML refused \(DTDForbidden\)"):
        _read(BILLION_LAUGHS)


def test_an_external_entity_is_refused_before_it_is_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    data = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
        "<records><record><high>&xxe;</high></record></records>"
    ).encode()
    with pytest.raises(FormatError, match="XML refused") as caught:
        _read(data)
    assert "TOP-SECRET" not in str(caught.value)


def test_malformed_xml_keeps_the_earlier_records() -> None:
    read: list = []
    with pytest.raises(FormatError, match=r"invalid XML: mismatched tag: line 1, column \d+ \(1 records read\)"):
        read.extend(read_xml(io.BytesIO(b"<records><record><a>1</a></record><record><a>2</b></record></records>")))
    assert [record.value for record in read] == [{"a": "1"}]


def test_bytes_that_are_not_in_the_declared_encoding_stop_the_object() -> None:
    with pytest.raises(FormatError, match="invalid XML: not well-formed"):
        _read(b'<?xml version="1.0" encoding="UTF-8"?><records><record><a>caf\xe9</a></record></records>')


def test_the_declared_encoding_is_honoured() -> None:
    data = '<?xml version="1.0" encoding="UTF-16"?><records><record><a>café</a></record></records>'
    assert _read(data.encode("utf-16"))[0].value == {"a": "café"}
    latin = '<?xml version="1.0" encoding="ISO-8859-1"?><records><record><a>café</a></record></records>'
    assert _read(latin.encode("latin-1"))[0].value == {"a": "café"}


def test_a_bom_and_crlf_are_accepted() -> None:
    assert _read(b"\xef\xbb\xbf<records>\r\n<record><a>1</a></record>\r\n</records>\r\n")[0].value == {"a": "1"}


def test_a_nul_byte_stops_the_object() -> None:
    with pytest.raises(FormatError, match="invalid XML"):
        _read(b"<records><record><a>1\x00</a></record></records>")


@pytest.mark.parametrize("data", [b"", b"   "])
def test_an_empty_object_is_invalid_xml(data: bytes) -> None:
    with pytest.raises(FormatError, match="invalid XML: no element found"):
        _read(data)


def test_a_root_without_records_has_none() -> None:
    assert _read(b"<records/>") == []

"""XML (`.xml`): the root's child elements are the records and their child elements the fields.

    <records><record><date>1514764800</date><high>755.0</high>...</record>...</records>

Parsed incrementally with defusedxml: any DTD is refused, which rules out entity-expansion bombs and
external entities before they are read. Each record element is dropped from the tree once yielded, so memory
holds one record. Field values are the elements' stripped text (validation converts numbers); a field that
appears twice makes the record a MalformedRecord, as a duplicate JSON key does. The encoding is whatever
the XML declaration says (UTF-8 by default); bytes that do not fit it reject the rest of the object.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from ingest.errors import FormatError
from ingest.formats.base import DEFAULT_CHUNK_SIZE, MalformedRecord, RawRecord
from ingest.formats.limits import preview
from ingest.formats.registry import register_format


def read_xml(stream: BinaryIO, *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> Iterator[RawRecord | MalformedRecord]:
    """`chunk_size` is accepted for the reader protocol; the parser pulls 16 KiB at a time on its own."""
    events = iterparse(stream, events=("start", "end"), forbid_dtd=True)
    depth = 0
    index = 0
    root: Element | None = None
    try:
        for event, element in events:
            if event == "start":
                depth += 1
                if root is None:
                    root = element
                continue
            depth -= 1
            if depth == 1 and root is not None:
                yield _record(index, element)
                index += 1
                root.clear()
    except DefusedXmlException as exc:
        refused = type(exc).__name__
        raise FormatError(f"XML refused ({refused}): DTDs, entities and external references are not allowed") from exc
    except ParseError as exc:
        raise FormatError(f"invalid XML: {exc} ({index} records read)") from exc


def _record(index: int, element: Element) -> RawRecord | MalformedRecord:
    position = f"record {index + 1}"
    fields: dict[str, str] = {}
    for child in element:
        name = _local_name(child.tag)
        if name in fields:
            raw = preview(tostring(element, encoding="unicode"))
            return MalformedRecord(index, position, raw, f"duplicate field {name!r}")
        fields[name] = (child.text or "").strip()
    return RawRecord(index, position, fields)


def _local_name(tag: str) -> str:
    """`{namespace}high` -> `high`: a namespace does not change which field an element is."""
    return tag.rsplit("}", 1)[-1]


register_format("xml", read_xml, extensions=(".xml",), content_types=("application/xml", "text/xml"))

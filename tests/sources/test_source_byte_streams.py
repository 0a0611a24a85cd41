"""Transport errors raised while a body is read become SourceError naming the object."""

from __future__ import annotations

import pytest
import urllib3

from ingest.errors import SourceError
from ingest.sources.byte_streams import guarded_stream


class ResetAfter:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self, size: int = -1) -> bytes:
        if not self.data:
            raise urllib3.exceptions.ProtocolError("Connection reset by peer")
        data, self.data = self.data[:size], self.data[size:]
        return data


def test_a_reset_mid_body_is_a_source_error_naming_the_object() -> None:
    stream = guarded_stream(ResetAfter(b"[1, 2"), "s3://bucket/key.json", (urllib3.exceptions.HTTPError,))
    with pytest.raises(SourceError, match=r"reading s3://bucket/key.json failed: Connection reset by peer"):
        stream.read()


def test_unlisted_errors_are_not_disguised() -> None:
    stream = guarded_stream(ResetAfter(b""), "s3://bucket/key.json", (OSError,))
    with pytest.raises(urllib3.exceptions.ProtocolError):
        stream.read()

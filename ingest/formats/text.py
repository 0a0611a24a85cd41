"""Plain text (`.txt`, `text/plain`) holding one JSON object per line: decoded exactly like JSON Lines.

It is a separate name so that `.txt` objects are recognised and `--format text` reads as users expect; the
line rules (blank lines skipped, a bad line rejected alone) are those of `ingest.formats.jsonl`.
"""

from __future__ import annotations

from ingest.formats.jsonl import read_json_lines
from ingest.formats.registry import register_format

register_format("text", read_json_lines, extensions=(".txt",), content_types=("text/plain",))

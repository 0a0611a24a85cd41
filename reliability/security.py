"""The security checks, and the two small ones of them: defused XML and bounded decompression. The IAM lint lives
in tests/components/test_iam_lint.py; `iam_lint()` runs it so that its result is in the table too."""

from __future__ import annotations

import ast
import io
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from ingest.errors import FormatError
from ingest.formats import DEFAULT_LIMITS, read_object
from ingest.sources.base import SourceObject
from reliability import REPOSITORY
from reliability.generated import BOMB_BYTES, gzip_bomb
from reliability.results import Outcome
from reliability.secrets import secrets_stay_out
from reliability.timeouts import PACKAGE, network_timeouts

MIB = 1024 * 1024

_XML_PARSERS = re.compile(r"^(xml\.(sax|dom|parsers)|lxml|xml\.etree)")
_SAFE_FROM_ETREE = {"Element", "ParseError", "tostring"}


def xml_defused(workdir: Path) -> Outcome:
    """An external entity naming a local file: the file's content appears nowhere; no stdlib parser is used."""
    workdir.mkdir(parents=True, exist_ok=True)
    marker = "RELIABILITY-XXE-MARKER-7f3a"
    secret = workdir / "secret.txt"
    secret.write_text(marker, encoding="utf-8")
    document = (
        f'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "{secret.as_uri()}">]>\n'
        "<records><record><date>1514764800</date><high>&x;</high></record></records>\n"
    ).encode()
    problems = []
    records = []
    try:
        records = list(read_object(io.BytesIO(document), SourceObject(uri="file:///x.xml", key="x.xml")))
    except FormatError as exc:
        reason = str(exc)
    else:
        reason = "read without error"
        problems.append("a document with a DTD was read")
    if marker in repr(records) or marker in reason:
        problems.append("the external entity was resolved")
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and _XML_PARSERS.match(node.module):
                unsafe = {alias.name for alias in node.names} - _SAFE_FROM_ETREE
                if unsafe:
                    problems.append(f"{path.relative_to(REPOSITORY)} imports {sorted(unsafe)} from {node.module}")
            if isinstance(node, ast.Import) and any(_XML_PARSERS.match(alias.name) for alias in node.names):
                problems.append(f"{path.relative_to(REPOSITORY)} imports a stdlib/lxml XML parser")
    return Outcome(
        "security",
        "xml-defused",
        "an external entity naming a local file; every XML import in ingest/ read",
        f"refused: {reason}; only defusedxml parses, the stdlib's ElementTree only builds and prints elements",
        None,
        problems,
    )


def decompression_bounded(workdir: Path) -> Outcome:
    """The gzip bomb read directly: refused once the expansion passes the limits, long before its full size."""
    workdir.mkdir(parents=True, exist_ok=True)
    bomb = workdir / "bomb.json.gz"
    gzip_bomb(bomb)
    problems = []
    with bomb.open("rb") as stream:
        try:
            read = sum(1 for _ in read_object(stream, SourceObject(uri=bomb.as_uri(), key=bomb.name)))
            reason = f"read {read} records without error"
            problems.append("the bomb was not refused")
        except FormatError as exc:
            reason = str(exc)
    produced = re.search(r"expand to more than (\d+)", reason)
    limit = 2 * DEFAULT_LIMITS.ratio_applies_after
    if produced is None or int(produced[1]) > limit:
        problems.append(f"decompression went past {limit} bytes: {reason}")
    size = bomb.stat().st_size
    stopped = int(produced[1]) / MIB if produced else float("nan")
    return Outcome(
        "security",
        "decompression-bounded",
        f"a {size // 1024} KiB gzip object expanding to {BOMB_BYTES // MIB} MiB",
        f"refused after {stopped:.0f} MiB decompressed: {reason}",
        None,
        problems,
    )


def iam_lint() -> Outcome:
    """Runs tests/components/test_iam_lint.py (parliament on every IAM document, no wildcard) and reports it here."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/components/test_iam_lint.py"],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr.strip()[-200:]
    problems = [] if done.returncode == 0 else [f"pytest exited {done.returncode}: {summary}"]
    return Outcome(
        "security",
        "iam-lint",
        "tests/components/test_iam_lint.py: every IAM document of the component through parliament, no wildcard",
        summary,
        None,
        problems,
    )


SECURITY: dict[str, Callable[[Path], Outcome]] = {
    "no-secret-in-outputs": secrets_stay_out,
    "network-timeouts": network_timeouts,
    "xml-defused": xml_defused,
    "decompression-bounded": decompression_bounded,
}

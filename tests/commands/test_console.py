"""The commands' one mapping from an expected error to an exit status and its line on stderr."""

from __future__ import annotations

import pytest

from ingest.commands.console import fail_on_error
from ingest.errors import ConfigurationError, FormatError, IngestError, UnknownSourceError


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (ConfigurationError("no such bucket"), 2),
        (UnknownSourceError("ftp://x", ["local"]), 2),
        (FormatError("not UTF-8"), 1),
        (IngestError("the run broke"), 1),
    ],
    ids=["configuration", "configuration-subclass", "format", "ingest"],
)
def test_a_configuration_error_exits_2_and_any_other_1_with_one_line(error, status, capsys):
    assert fail_on_error("verify", error) == status
    assert capsys.readouterr().err == f"ingest verify: {error}\n"

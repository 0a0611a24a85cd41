"""What the command line loads before it has work to do: printing the usage must not pay for boto3 (botocore alone
takes a tenth of a second), and nothing in the tool loads Pulumi. Timings live in `python -m bench --only
import-cost`; this checks the cause, which does not depend on the machine."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
FORBIDDEN_FOR_HELP = ("boto3", "botocore", "pulumi", "pulumi_aws", "requests", "tqdm", "moto")

HELP = (
    "import contextlib, io, runpy, sys\n"
    "sys.argv = ['ingest', *ARGS]\n"
    "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
    "    runpy.run_module('ingest', run_name='__main__')\n"
)


def _loaded_after(code: str) -> set[str]:
    report = "\nimport json, sys\nprint(json.dumps(sorted({name.partition('.')[0] for name in sys.modules})))\n"
    done = subprocess.run(
        [sys.executable, "-c", code + report], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=120, check=True
    )
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("args", [["--help"], ["publish", "--help"], ["verify", "--help"], ["send", "--help"]])
def test_printing_the_usage_loads_neither_boto3_nor_pulumi(args):
    loaded = _loaded_after(HELP.replace("ARGS", repr(args)[1:-1]))
    assert "ingest" in loaded and "argparse" in loaded, "the probe did not run the command line"
    assert loaded.isdisjoint(FORBIDDEN_FOR_HELP), sorted(loaded & set(FORBIDDEN_FOR_HELP))


def test_importing_the_run_package_loads_no_pulumi():
    loaded = _loaded_after("import ingest.run\n")
    assert "ingest" in loaded
    assert loaded.isdisjoint({"pulumi", "pulumi_aws"})

"""Nothing under tests/ or policy/tests reads outside the repository: the suite runs from a checkout alone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.paths import PULUMI_PROJECT_SCHEMA, TESTS_DIR

PROJECT_DIR = TESTS_DIR.parent
SCANNED = (TESTS_DIR, PROJECT_DIR / "policy" / "tests")
# A path into the workspace's shared folder, however it is spelled: a relative one, a "shared" path part joined
# with `/`, or an absolute one. This file is not scanned: its examples below spell each of them on purpose.
OUTSIDE = re.compile(r"""\.\./shared\b|['"]shared['"]|/work/shared\b""")


def outside_references(text: str) -> list[str]:
    return [match.group(0) for match in OUTSIDE.finditer(text)]


def test_no_test_file_reads_the_shared_folder_outside_the_repository():
    offenders = {
        str(path.relative_to(PROJECT_DIR)): found
        for directory in SCANNED
        for path in sorted(directory.rglob("*"))
        if path.is_file() and path.suffix in {".py", ".json", ".yaml", ".yml", ".md", ".txt", ".cfg", ".toml"}
        if path != Path(__file__).resolve()
        if (found := outside_references(path.read_text(errors="replace")))
    }
    assert offenders == {}, "read it from tests/ instead (tests/paths.py): " + repr(offenders)


@pytest.mark.parametrize(
    "line",
    [
        'SCHEMA = PROJECT_DIR.parent / "shared" / "schemas" / "pulumi-project.schema.json"',
        "SCHEMA = Path('shared') / 'schemas'",
        'schema = json.load(open("../shared/schemas/pulumi-project.schema.json"))',
        'SCHEMA = Path("/work/shared/schemas/pulumi-project.schema.json")',
    ],
)
def test_the_scan_catches_each_spelling_of_a_path_outside(line):
    assert outside_references(line)


def test_a_shared_word_that_is_no_path_passes():
    assert outside_references("def test_each_aggregate_has_one_partition_key_shared_by_its_records(): ...") == []


def test_the_vendored_schema_is_inside_the_repository_and_is_pulumis():
    assert PULUMI_PROJECT_SCHEMA.is_relative_to(PROJECT_DIR)
    assert PULUMI_PROJECT_SCHEMA.is_file()
    assert '"$id": "https://github.com/pulumi/pulumi/blob/master/sdk/go/common/workspace/project.json"' in (
        PULUMI_PROJECT_SCHEMA.read_text()
    )
    assert (PULUMI_PROJECT_SCHEMA.parent / "README.md").is_file()


def test_paths_module_is_where_the_schema_is_named():
    users = [
        path.relative_to(PROJECT_DIR).as_posix()
        for path in sorted(TESTS_DIR.rglob("*.py"))
        if "pulumi-project.schema.json" in path.read_text() and path.name not in {"paths.py", Path(__file__).name}
    ]
    assert users == [], f"name the schema through tests.paths.PULUMI_PROJECT_SCHEMA, not again in {users}"

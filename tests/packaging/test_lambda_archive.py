"""The ingest job's Lambda archive as `make lambda` builds it: the handlers inside and importable on their own,
no Pulumi and no test code, under Lambda's limits, and the same bytes every build."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from components import lambda_archive
from components.core.job import JOB_LIMITS, PLANNER_HANDLER, WORKER_HANDLER

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built from the sources as they are now, with the wheels `make lambda` cached (`make test` builds it first,
    so this takes seconds; without the cache it downloads them)."""
    return lambda_archive.build_archive(tmp_path_factory.mktemp("lambda") / "ingest-job.zip").path


@pytest.fixture(scope="module")
def names(archive: Path) -> list[str]:
    with zipfile.ZipFile(archive) as opened:
        return opened.namelist()


def _module_file(handler: str) -> str:
    return handler.rpartition(".")[0].replace(".", "/") + ".py"


def test_the_handlers_are_in_the_archive(names):
    assert {_module_file(PLANNER_HANDLER), _module_file(WORKER_HANDLER)} <= set(names)
    assert "components/core/job.py" in names and "components/core/price_record.schema.json" in names


def test_no_pulumi_tests_bench_or_bytecode_inside(names):
    tops = {name.split("/")[0] for name in names}
    assert not tops & {"pulumi", "pulumi_aws", "tests", "bench", "policy", "reliability", "moto", "duckdb", "pyarrow"}
    assert not any("__pycache__" in name or name.endswith(".pyc") for name in names)
    assert not any(
        name.startswith("components/") and name.endswith(("tracking_pipeline.py", "ingest_job.py")) for name in names
    )
    assert not any(name.startswith(("ingest/sample/", "ingest/local/", "ingest/commands/")) for name in names)


def test_under_lambdas_size_limits(archive):
    with zipfile.ZipFile(archive) as opened:
        unzipped = sum(info.file_size for info in opened.infolist())
    assert archive.stat().st_size <= JOB_LIMITS.max_zipped_upload_bytes
    assert unzipped <= JOB_LIMITS.max_unzipped_package_bytes


def test_entries_are_sorted_with_fixed_times_and_modes(archive):
    with zipfile.ZipFile(archive) as opened:
        infos = opened.infolist()
    assert [info.filename for info in infos] == sorted(info.filename for info in infos)
    assert {info.date_time for info in infos} == {lambda_archive.FIXED_TIME}
    assert {info.external_attr for info in infos} == {lambda_archive.FILE_MODE}


def test_two_builds_are_byte_identical(archive, tmp_path):
    again = lambda_archive.build_archive(tmp_path / "again.zip").path
    assert again.read_bytes() == archive.read_bytes()


def test_a_changed_source_changes_the_archive(tmp_path):
    entries = {"ingest/job/handlers.py": tmp_path / "a.py"}
    entries["ingest/job/handlers.py"].write_text("one = 1\n")
    first = lambda_archive.write_archive(entries, tmp_path / "first.zip")
    entries["ingest/job/handlers.py"].write_text("one = 2\n")
    second = lambda_archive.write_archive(entries, tmp_path / "second.zip")
    assert first.sha256 != second.sha256


def test_the_handlers_import_from_the_archive_alone_without_pulumi(archive, tmp_path):
    """Isolated (-I -S: no site-packages, no working directory): only what the archive holds. This machine runs
    the archive's Python on the archive's platform, so its compiled wheels load here as on Lambda."""
    with zipfile.ZipFile(archive) as opened:
        opened.extractall(tmp_path)
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        f"import {PLANNER_HANDLER.rpartition('.')[0]} as handlers;"
        "from ingest.formats import format_names; from ingest.sources import source_kinds;"
        "print(sorted(format_names()), sorted(source_kinds()));"
        "assert callable(handlers.plan) and callable(handlers.work);"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('pulumi', 'pulumi_aws', 'moto', 'pytest'));"
        "assert not loaded, loaded"
    )
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", script, str(tmp_path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "json" in done.stdout and "s3" in done.stdout


def test_a_too_large_archive_is_refused(tmp_path):
    info = lambda_archive.ArchiveInfo(tmp_path / "big.zip", 60_000_000, 10, 1, "x")
    with pytest.raises(lambda_archive.ArchiveError, match="50 MB"):
        lambda_archive.check_limits(info)

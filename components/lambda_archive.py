"""`python -m components.lambda_archive`: the ingest job's Lambda archive, byte for byte the same from the same
sources, so `pulumi preview` shows a code change only when the code changed.

What goes in: the wheels of requirements-lambda.txt (the lock `make lock` resolves for Lambda's platform, every
package pinned with its hashes, checked on download and on install), installed for the Lambda platform and Python
(pip's cross-platform install:
`--platform manylinux2014_x86_64 --implementation cp --python-version 3.11 --only-binary=:all:`,
https://docs.aws.amazon.com/lambda/latest/dg/python-package.html#python-package-native-libraries), and the
project's Pulumi-free modules the handlers import: `components/__init__.py`, of `components/core/` the contract,
the schema and the limits, and of `ingest/` the job, the publish path and its sources and formats. Never Pulumi,
tests, bench or the policy pack, nor the command line, the demo's emulator and stand-ins, the sample dataset, the
read side (verify, query, smoke) or the core's infrastructure-only parts (IAM documents, names, the endpoint's
templates, the named queries).

How it stays reproducible: the wheels are downloaded once into build/lambda/wheels (again only when the
requirements change) and installed with `--no-deps` from there; files that pip writes per install (RECORD,
INSTALLER, direct_url.json, scripts with this machine's interpreter path) and bytecode are left out; entries are
written sorted, with a fixed timestamp (1980-01-01, the zip format's earliest), fixed permissions and one
compression level.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from components.core.job import JOB_LIMITS, LAMBDA_ARCHITECTURE, LAMBDA_ARCHIVE, LAMBDA_RUNTIME

PROJECT_ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = PROJECT_ROOT / "requirements-lambda.txt"
BUILD_DIR = PROJECT_ROOT / "build" / "lambda"
PLATFORMS = {"x86_64": "manylinux2014_x86_64", "arm64": "manylinux2014_aarch64"}
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o644 << 16
COMPRESS_LEVEL = 9
PROJECT_FILES = ("components/__init__.py", "components/core", "ingest")
LEFT_OUT_PARTS = frozenset({"__pycache__", "bin"})
LEFT_OUT_NAMES = frozenset({"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"})
LEFT_OUT_SUFFIXES = (".pyc", ".pyo")
LEFT_OUT_PROJECT_PATHS = (
    "components/core/api_models.py",
    "components/core/endpoint.py",
    "components/core/iam.py",
    "components/core/named_queries.py",
    "components/core/naming.py",
    "components/core/openapi.py",
    "components/core/queries/",
    "components/core/stack_config.py",
    "components/core/stack_outputs.py",
    "ingest/__main__.py",
    "ingest/cli.py",
    "ingest/commands/",
    "ingest/endpoint/",
    "ingest/job/operations.py",
    "ingest/local/",
    "ingest/parquet/",
    "ingest/publishing/deaggregation.py",
    "ingest/query/",
    "ingest/records/table.py",
    "ingest/sample/",
    "ingest/smoke/",
    "ingest/verify/",
    "ingest/wording.py",
)
"""What the handlers never import, so a Lambda never carries it: tests/packaging compares this with the import
graph from the handlers (and the formats and sources they load by name), both ways."""


class ArchiveError(RuntimeError):
    """The archive cannot be built or breaks a Lambda limit."""


@dataclass(frozen=True)
class ArchiveInfo:
    path: Path
    zipped_bytes: int
    unzipped_bytes: int
    entries: int
    sha256: str


def python_version() -> str:
    """ "python3.11" -> "3.11": the runtime the archive is built for."""
    return LAMBDA_RUNTIME.removeprefix("python")


def download_wheels(requirements: Path, wheels: Path) -> None:
    """Fetch the wheels once per requirements file: a stamp with its hash says the folder is complete."""
    stamp = wheels / ".requirements.sha256"
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()
    if stamp.is_file() and stamp.read_text() == digest:
        return
    shutil.rmtree(wheels, ignore_errors=True)
    wheels.mkdir(parents=True)
    _pip("download", "--dest", str(wheels), *_platform_flags(), "-r", str(requirements))
    stamp.write_text(digest)


def install_wheels(requirements: Path, wheels: Path, staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)
    _pip(
        "install",
        "--no-index",
        "--find-links",
        str(wheels),
        "--target",
        str(staging),
        "--no-compile",
        *_platform_flags(),
        "-r",
        str(requirements),
    )


def _platform_flags() -> list[str]:
    return [
        "--platform",
        PLATFORMS[LAMBDA_ARCHITECTURE],
        "--implementation",
        "cp",
        "--python-version",
        python_version(),
        "--only-binary=:all:",
        "--no-deps",
        "--require-hashes",
    ]


def _pip(*arguments: str) -> None:
    command = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet", *arguments]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ArchiveError(f"pip {arguments[0]} failed:\n{done.stderr.strip() or done.stdout.strip()}")


def archive_entries(staging: Path, project: Path = PROJECT_ROOT) -> dict[str, Path]:
    """Archive name -> file, for the installed wheels and the project's own packages (project files win)."""
    entries = {name: path for name, path in _files(staging, staging)}
    for item in PROJECT_FILES:
        source = project / item
        for name, path in _files(source, project) if source.is_dir() else [(item, source)]:
            if not name.startswith(LEFT_OUT_PROJECT_PATHS):
                entries[name] = path
    return entries


def _files(folder: Path, root: Path) -> Iterator[tuple[str, Path]]:
    for path in folder.rglob("*"):
        relative = path.relative_to(root)
        if not path.is_file() or LEFT_OUT_PARTS & set(relative.parts):
            continue
        if path.name in LEFT_OUT_NAMES or path.name.endswith(LEFT_OUT_SUFFIXES):
            continue
        yield relative.as_posix(), path


def write_archive(entries: dict[str, Path], output: Path) -> ArchiveInfo:
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_suffix(".zip.partial")
    unzipped = 0
    with zipfile.ZipFile(partial, "w") as archive:
        for name in sorted(entries):
            entry = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            entry.external_attr = FILE_MODE
            entry.compress_type = zipfile.ZIP_DEFLATED
            data = entries[name].read_bytes()
            unzipped += len(data)
            archive.writestr(entry, data, compresslevel=COMPRESS_LEVEL)
    partial.replace(output)
    content = output.read_bytes()
    info = ArchiveInfo(output, len(content), unzipped, len(entries), hashlib.sha256(content).hexdigest())
    check_limits(info)
    return info


def check_limits(info: ArchiveInfo) -> None:
    """Lambda refuses a direct upload over 50 MB zipped and any function over 250 MB unzipped
    (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html)."""
    if info.zipped_bytes > JOB_LIMITS.max_zipped_upload_bytes:
        raise ArchiveError(f"{info.path} is {info.zipped_bytes:,} bytes zipped: Lambda takes at most 50 MB")
    if info.unzipped_bytes > JOB_LIMITS.max_unzipped_package_bytes:
        raise ArchiveError(f"{info.path} unzips to {info.unzipped_bytes:,} bytes: Lambda takes at most 250 MB")


def build_archive(output: Path, *, requirements: Path = REQUIREMENTS, build_dir: Path = BUILD_DIR) -> ArchiveInfo:
    wheels, staging = build_dir / "wheels", build_dir / "site"
    download_wheels(requirements, wheels)
    install_wheels(requirements, wheels, staging)
    return write_archive(archive_entries(staging), output)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m components.lambda_archive", description=__doc__.split("\n")[0])
    parser.add_argument("--output", type=Path, default=PROJECT_ROOT / LAMBDA_ARCHIVE, help="where to write the zip")
    args = parser.parse_args(argv)
    try:
        info = build_archive(args.output)
    except ArchiveError as exc:
        print(f"lambda archive: {exc}", file=sys.stderr)
        return 1
    print(
        f"{info.path}: {info.entries} files, {info.zipped_bytes / 1e6:.1f} MB zipped, "
        f"{info.unzipped_bytes / 1e6:.1f} MB unzipped, sha256 {info.sha256}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

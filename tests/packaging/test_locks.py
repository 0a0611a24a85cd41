"""The locks (`make lock`): each one current with the short list it is compiled from, every package pinned with its
hashes, the locks agreeing wherever they share a package, and the environment the tests run in being exactly the
lock, so the code that is tested is the code that is shipped (issue 21: a fresh machine took a newer botocore than
the one the tests had passed with)."""

from __future__ import annotations

import re
import shlex
import sysconfig
import zipfile
from dataclasses import dataclass, field
from importlib import metadata
from itertools import combinations
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from components.core.job import LAMBDA_ARCHITECTURE, LAMBDA_ARCHIVE, LAMBDA_RUNTIME
from tests.workflows.rules import Makefile

PROJECT_DIR = Path(__file__).resolve().parents[2]
LOCKS = {
    "program": "requirements.txt",
    "build": "requirements-build.txt",
    "dev": "requirements-dev.txt",
    "lambda": "requirements-lambda.txt",
    "policy": "policy/requirements.txt",
}
"""Each environment's lock, compiled from the `.in` file beside it."""

ALLOWED_DIFFERENCES = {
    ("policy", "protobuf"): "pulumi-policy 1.21.0 requires protobuf~=5.29.5; the program's pulumi resolves protobuf 6",
    ("policy", "googleapis-common-protos"): "1.76.0, the program's, requires protobuf>=6.33.5 (see protobuf)",
}
"""The only packages a lock may pin at another version than the others, each with the constraint that forces it."""

LAMBDA_PLATFORMS = {"x86_64": "x86_64-manylinux2014", "arm64": "aarch64-manylinux2014"}

_PIN = re.compile(
    r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==(?P<version>[^\s;\\]+)\s*(?:;(?P<marker>[^\\]*))?"
)
_HASH = re.compile(r"--hash=sha256:([0-9a-f]{64})")
_INCLUDE = re.compile(r"^-([rc])\s+(\S+)$")


@dataclass
class Pin:
    name: str
    version: str
    marker: Marker | None
    hashes: set[str] = field(default_factory=set)
    via: set[str] = field(default_factory=set)

    def applies_here(self) -> bool:
        """Whether pip installs this line on the interpreter running the tests (CPython 3.11 on Linux, as CI and
        Lambda): a universal lock holds lines for other platforms and Pythons too."""
        return self.marker is None or self.marker.evaluate()


@dataclass
class Lock:
    path: Path
    command: list[str]
    pins: list[Pin]

    def here(self) -> dict[str, Pin]:
        return {pin.name: pin for pin in self.pins if pin.applies_here()}


def parse_lock(path: Path) -> Lock:
    """A lock as uv writes it: the command in the header, then `name==version ; marker` lines, their hashes on
    continuation lines, and `# via` annotations naming what asked for each package."""
    lines = path.read_text().splitlines()
    command = shlex.split(lines[1].lstrip("# ")) if len(lines) > 1 else []
    pins: list[Pin] = []
    for line in lines:
        if match := _PIN.match(line):
            marker = match["marker"].strip() if match["marker"] else None
            pins.append(Pin(canonicalize_name(match["name"]), match["version"], Marker(marker) if marker else None))
        elif pins and (found := _HASH.search(line)):
            pins[-1].hashes.add(found.group(1))
        elif pins and line.lstrip().startswith("#"):
            text = line.lstrip("# ").removeprefix("via").strip()
            if text:
                pins[-1].via.add(text)
    return Lock(path, command, pins)


def read_inputs(path: Path) -> tuple[list[Requirement], set[str]]:
    """The requirements a `.in` file lists, those of the files it includes with `-r` too, and the names of the
    files it reads (`-r` and `-c`), as uv's `# via` annotations name them."""
    requirements: list[Requirement] = []
    sources = {f"-r {path.relative_to(PROJECT_DIR)}"}
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if include := _INCLUDE.match(line):
            flag, name = include.groups()
            sources.add(f"-{flag} {(path.parent / name).relative_to(PROJECT_DIR)}")
            if flag == "r":
                included, _ = read_inputs(path.parent / name)
                requirements += included
            continue
        requirements.append(Requirement(line))
    return requirements, sources


def source_of(lock_path: str) -> Path:
    return (PROJECT_DIR / lock_path).with_suffix(".in")


@pytest.fixture(scope="module")
def locks() -> dict[str, Lock]:
    return {name: parse_lock(PROJECT_DIR / path) for name, path in LOCKS.items()}


@pytest.mark.parametrize("name", list(LOCKS))
def test_every_package_is_pinned_with_its_hashes(locks, name):
    lock = locks[name]
    assert lock.pins, f"{lock.path.name} pins nothing"
    assert [pin.name for pin in lock.pins if not pin.hashes] == []


@pytest.mark.parametrize("name", list(LOCKS))
def test_the_lock_holds_every_listed_requirement_at_a_version_the_list_allows(locks, name):
    requirements, _ = read_inputs(source_of(LOCKS[name]))
    assert requirements, f"{source_of(LOCKS[name]).name} lists nothing"
    pinned = {(pin.name, pin.version) for pin in locks[name].pins}
    stale = [
        str(requirement)
        for requirement in requirements
        if not any(
            canonicalize_name(requirement.name) == pin_name
            and requirement.specifier.contains(version, prereleases=True)
            for pin_name, version in pinned
        )
    ]
    assert stale == [], f"{LOCKS[name]} is stale against {source_of(LOCKS[name]).name}: run `make lock`"


@pytest.mark.parametrize("name", list(LOCKS))
def test_the_lock_holds_nothing_its_list_no_longer_asks_for(locks, name):
    """A requirement dropped from the list leaves its pin behind until the lock is compiled again: every pin must be
    asked for by a requirement still listed, or by another package of the lock."""
    requirements, sources = read_inputs(source_of(LOCKS[name]))
    listed = {canonicalize_name(requirement.name) for requirement in requirements}
    in_lock = {pin.name for pin in locks[name].pins}
    orphans = [
        pin.name
        for pin in locks[name].pins
        if not (pin.name in listed and pin.via & sources)
        and not any(canonicalize_name(asker) in in_lock for asker in pin.via if not asker.startswith("-"))
    ]
    assert orphans == [], f"{LOCKS[name]} is stale against {source_of(LOCKS[name]).name}: run `make lock`"


def _makefile_lock_commands() -> dict[str, list[str]]:
    """Output file -> the arguments `make lock` passes to `uv pip compile` for it, as make expands them (less
    --quiet, which uv leaves out of the header)."""
    makefile = Makefile.parse((PROJECT_DIR / "Makefile").read_text())
    commands = {}
    for line in makefile.rules["lock"].recipe:
        arguments = shlex.split(makefile.expand(line))
        arguments = [flag for flag in arguments[arguments.index("compile") + 1 :] if flag != "--quiet"]
        commands[arguments[arguments.index("-o") + 1]] = arguments
    return commands


@pytest.mark.parametrize("name", list(LOCKS))
def test_each_lock_was_written_by_make_lock(locks, name):
    header = locks[name].command
    assert header[:3] == ["uv", "pip", "compile"], f"{LOCKS[name]}: not written by `uv pip compile`"
    assert sorted(header[3:]) == sorted(_makefile_lock_commands()[LOCKS[name]])
    assert "--generate-hashes" in header


def test_the_lambda_lock_is_resolved_for_the_functions_platform_and_python(locks):
    header = locks["lambda"].command
    assert header[header.index("--python-platform") + 1] == LAMBDA_PLATFORMS[LAMBDA_ARCHITECTURE]
    assert header[header.index("--python-version") + 1] == LAMBDA_RUNTIME.removeprefix("python")
    assert "--only-binary" in header


def _differences(first: Lock, second: Lock) -> dict[str, tuple[str, str]]:
    ours, theirs = first.here(), second.here()
    return {
        package: (ours[package].version, theirs[package].version)
        for package in ours.keys() & theirs.keys()
        if ours[package].version != theirs[package].version
    }


@pytest.mark.parametrize("pair", list(combinations(LOCKS, 2)), ids="-".join)
def test_two_locks_pin_a_shared_package_at_the_same_version(locks, pair):
    first, second = pair
    unexplained = {
        package: versions
        for package, versions in _differences(locks[first], locks[second]).items()
        if (first, package) not in ALLOWED_DIFFERENCES and (second, package) not in ALLOWED_DIFFERENCES
    }
    assert unexplained == {}, f"{LOCKS[first]} and {LOCKS[second]} disagree: `make lock` with --upgrade-package"


def test_every_allowed_difference_is_still_a_difference(locks):
    still_differ = {
        (lock, package)
        for lock, package in ALLOWED_DIFFERENCES
        for other in LOCKS
        if other != lock and package in _differences(locks[lock], locks[other])
    }
    assert still_differ == set(ALLOWED_DIFFERENCES)


def test_the_environment_running_the_tests_is_exactly_the_dev_lock(locks):
    """`make venv` installs the dev lock with --no-deps: what is installed here is what the lock says, no more."""
    wanted = {name: pin.version for name, pin in locks["dev"].here().items()}
    # Only the environment's own site-packages: setuptools puts its vendored copies (packaging, wheel) on sys.path.
    site_packages = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    installed = {
        canonicalize_name(dist.metadata["Name"]): dist.version
        for dist in metadata.distributions(path=sorted(site_packages))
    }
    tools = {"pip", "setuptools", *locks["build"].here()}
    assert {name: installed.get(name) for name in wanted} == wanted
    assert sorted(installed.keys() - wanted.keys() - tools) == []


def test_the_lambda_archive_ships_the_files_the_tests_import(locks):
    """The same versions, and the same files: every hash the Lambda lock accepts is one the dev lock accepts."""
    lambda_pins, dev_pins = locks["lambda"].here(), locks["dev"].here()
    assert lambda_pins.keys() <= dev_pins.keys()
    assert {name: pin.version for name, pin in lambda_pins.items()} == {
        name: dev_pins[name].version for name in lambda_pins
    }
    assert [name for name, pin in lambda_pins.items() if not pin.hashes <= dev_pins[name].hashes] == []


def test_the_built_archive_holds_exactly_the_lambda_lock():
    archive = PROJECT_DIR / LAMBDA_ARCHIVE
    assert archive.is_file(), f"{LAMBDA_ARCHIVE} is missing: `make test` builds it first (make lambda)"
    with zipfile.ZipFile(archive) as opened:
        shipped = {
            canonicalize_name(name.split("/")[0].removesuffix(".dist-info").rsplit("-", 1)[0]): name.split("/")[0]
            .removesuffix(".dist-info")
            .rsplit("-", 1)[1]
            for name in opened.namelist()
            if name.split("/")[0].endswith(".dist-info")
        }
    locked = parse_lock(PROJECT_DIR / LOCKS["lambda"]).here()
    assert shipped == {name: pin.version for name, pin in locked.items()}

"""The README stays a short entry point, and every relative link in the documentation leads somewhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.aws_env import REPOSITORY

README_LIMIT_BYTES = 16_000
"""Past this the README stops being something a newcomer reads first: details belong in docs/."""
PAGES = sorted([REPOSITORY / "README.md", REPOSITORY / "policy" / "README.md", *(REPOSITORY / "docs").glob("*.md")])
_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
_EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def _prose(text: str) -> str:
    """The page without its fenced code blocks, whose brackets and '#' lines are not links or headings."""
    kept, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced:
            kept.append(line)
    return "\n".join(kept)


def _anchors(page: Path) -> set[str]:
    """GitHub's heading ids: lower case, punctuation other than '-' dropped, spaces to '-', repeats numbered."""
    anchors: set[str] = set()
    for heading in re.findall(r"^#{1,6} +(.+?) *#*$", _prose(page.read_text(encoding="utf-8")), re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        candidate, repeat = slug, 0
        while candidate in anchors:
            repeat += 1
            candidate = f"{slug}-{repeat}"
        anchors.add(candidate)
    return anchors


def _relative_links(page: Path) -> list[str]:
    links = _LINK.findall(_prose(page.read_text(encoding="utf-8")))
    return [link for link in links if not _EXTERNAL.match(link)]


def test_the_readme_stays_short():
    size = (REPOSITORY / "README.md").stat().st_size
    assert size < README_LIMIT_BYTES, f"README.md is {size} bytes; move details to a page under docs/"


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(REPOSITORY)))
def test_every_relative_link_leads_to_a_file_and_heading_that_exist(page):
    broken = []
    for link in _relative_links(page):
        target, _, fragment = link.partition("#")
        path = (page.parent / target).resolve() if target else page
        if not path.exists():
            broken.append(f"{link}: no such file")
        elif fragment and path.suffix == ".md" and fragment not in _anchors(path):
            broken.append(f"{link}: no heading #{fragment} in {path.relative_to(REPOSITORY)}")
    assert not broken, f"{page.relative_to(REPOSITORY)}: " + "; ".join(broken)


def test_the_link_check_sees_links_and_headings():
    readme = REPOSITORY / "README.md"
    assert "docs/ingest.md" in _relative_links(readme)
    assert "the-run-report---report" in _anchors(REPOSITORY / "docs" / "ingest.md")

"""Supply-chain and token rules every workflow obeys, whatever it does: pinned actions, no persisted git
credentials, the least token permissions, stacks that exist on a fresh backend, and Dependabot keeping it so.

Like rules.py, each rule returns problems instead of asserting, so the tests run it over the real files (no
problems) and over deliberately broken copies (some problems): a rule that cannot fail is caught too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .rules import AWS_CREDENTIALS, CHECKOUT, PULUMI, REQUIRED_MAJORS, Workflow, action_of, inputs, is_true, steps

COMMIT_SHA = re.compile(r"^[0-9a-f]{40}$")
IMAGE_DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")
# `vX.Y.Z`, the comment Dependabot rewrites when it moves a SHA pin (a bare `v4` names no release).
RELEASE = re.compile(r"^v(?P<major>\d+)\.\d+\.\d+$")
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<value>.*?)\s*$")
# The only defaults a workflow may give its jobs' GITHUB_TOKEN; every job then names what it needs.
WORKFLOW_DEFAULTS: tuple[dict[str, str], ...] = ({}, {"contents": "read"})
STACK_COMMANDS = {"up", "update", "preview", "refresh", "destroy"}


@dataclass(frozen=True)
class ActionRef:
    """One `uses:` line: what it names (`actions/checkout`), the ref after `@`, and its trailing comment."""

    line: int
    target: str
    ref: str
    comment: str

    @property
    def local(self) -> bool:
        return self.target.startswith("./")

    @property
    def docker(self) -> bool:
        return self.target.startswith("docker://")


def action_refs(workflow: Workflow) -> list[ActionRef]:
    """Every `uses:` of the file, read from its text: YAML drops comments, and the pinned version lives in one."""
    found = []
    for number, line in enumerate(workflow.text.splitlines(), start=1):
        match = USES_LINE.match(line)
        if not match:
            continue
        value, _, comment = match["value"].partition("#")
        value = value.strip().strip("\"'")
        target, _, ref = value.partition("@") if not value.startswith("docker://") else (value, "", "")
        found.append(ActionRef(number, target, ref, comment.strip()))
    return found


def _parsed_uses(workflow: Workflow) -> list[str]:
    """The `uses:` values YAML sees, in steps and as job-level reusable workflows."""
    return [str(job["uses"]) for job in workflow.jobs.values() if "uses" in job] + [
        str(step["uses"]) for job in workflow.jobs.values() for step in steps(job) if "uses" in step
    ]


def pin_problems(workflow: Workflow) -> list[str]:
    """Every action outside the repository runs the exact commit reviewed, with its release named next to it."""
    name = workflow.name
    refs = action_refs(workflow)
    problems = []
    if len(refs) != len(_parsed_uses(workflow)):
        problems.append(
            f"{name}: {len(_parsed_uses(workflow))} `uses:` in the YAML but {len(refs)} `uses:` lines; write each "
            "as `uses: owner/repo@<sha> # vX.Y.Z` on its own line so its pin can be checked"
        )
    for ref in refs:
        where = f"{name}:{ref.line}"
        if ref.local:
            continue
        if ref.docker:
            if not IMAGE_DIGEST.search(ref.target):
                problems.append(f"{where}: {ref.target} is not pinned to an image digest (@sha256:...)")
            continue
        if not COMMIT_SHA.match(ref.ref):
            problems.append(f"{where}: {ref.target}@{ref.ref} is not pinned to a full 40-hex commit SHA")
        release = RELEASE.match(ref.comment)
        if not release:
            problems.append(
                f"{where}: {ref.target} needs its release as a trailing version comment (`# vX.Y.Z`), "
                f"found {ref.comment!r}"
            )
        elif ref.target in REQUIRED_MAJORS and f"v{release['major']}" != REQUIRED_MAJORS[ref.target]:
            problems.append(
                f"{where}: {ref.target} is pinned to {ref.comment}, expected {REQUIRED_MAJORS[ref.target]}.x "
                "(the major the workflows are written for)"
            )
    return problems + inconsistent_pins({name: refs})


def inconsistent_pins(refs_by_file: Mapping[str, Iterable[ActionRef]]) -> list[str]:
    """One action, one pin: two SHAs (or two versions) of the same action mean one of them was missed."""
    seen: dict[str, set[tuple[str, str]]] = {}
    for refs in refs_by_file.values():
        for ref in refs:
            if not ref.local and not ref.docker:
                seen.setdefault(ref.target, set()).add((ref.ref, ref.comment))
    return [
        f"{sorted(refs_by_file)}: {target} is pinned {len(pins)} ways ({sorted(pins)}); use one pin everywhere"
        for target, pins in sorted(seen.items())
        if len(pins) > 1
    ]


def checkout_problems(workflow: Workflow) -> list[str]:
    """actions/checkout writes the job's token into .git/config unless told not to; no step here needs it."""
    return [
        f"{workflow.name}: job {job_id} checks out with the token left in .git/config (set persist-credentials: false)"
        for job_id, job in workflow.jobs.items()
        for step in steps(job)
        if action_of(step) == CHECKOUT and not _is_false(inputs(step).get("persist-credentials"))
    ]


def _is_false(value: object) -> bool:
    return value is False or str(value).lower() == "false"


@dataclass(frozen=True)
class Grant:
    scope: str
    level: str
    why: str
    required: bool = True


def allowed_grants(job: Mapping[str, Any]) -> list[Grant]:
    """What a job may ask of its GITHUB_TOKEN, from what its steps do: read the code; an OIDC token only where a
    step assumes an AWS role; pull-request writes only where a step comments on the pull request."""
    checks_out = any(action_of(step) == CHECKOUT for step in steps(job))
    grants = [Grant("contents", "read", "check out the code", required=checks_out)]
    if any(action_of(step) == AWS_CREDENTIALS for step in steps(job)):
        grants.append(Grant("id-token", "write", "assume the AWS role through OIDC"))
    if any(action_of(step) == PULUMI and is_true(inputs(step).get("comment-on-pr")) for step in steps(job)):
        grants.append(Grant("pull-requests", "write", "comment on the pull request"))
    return grants


def permission_problems(workflow: Workflow) -> list[str]:
    name = workflow.name
    problems = []
    if "permissions" not in workflow.document or workflow.document["permissions"] not in WORKFLOW_DEFAULTS:
        problems.append(
            f"{name}: the workflow's default token permissions must be `{{}}` or `contents: read`, "
            f"found {workflow.document.get('permissions', '<unset: the repository default, possibly write-all>')!r}"
        )
    for job_id, job in workflow.jobs.items():
        declared = job.get("permissions")
        if not isinstance(declared, dict):
            problems.append(f"{name}: job {job_id} must declare its own `permissions:` mapping, found {declared!r}")
            continue
        allowed = {grant.scope: grant for grant in allowed_grants(job)}
        for scope, level in declared.items():
            if level == "none" or (scope in allowed and level == allowed[scope].level):
                continue
            problems.append(
                f"{name}: job {job_id} may {level} {scope}; it may ask only for "
                + ", ".join(f"`{grant.scope}: {grant.level}`" for grant in allowed.values())
            )
        for grant in allowed.values():
            if grant.required and declared.get(grant.scope) != grant.level:
                problems.append(f"{name}: job {job_id} needs `{grant.scope}: {grant.level}` to {grant.why}")
    return problems


def upsert_problems(workflow: Workflow) -> list[str]:
    """pulumi/actions only selects an existing stack unless `upsert: true`; on a fresh backend that fails."""
    return [
        f"{workflow.name}: job {job_id} runs pulumi {inputs(step).get('command')} without `upsert: true`: on a fresh "
        "backend the stack does not exist yet and the step fails"
        for job_id, job in workflow.jobs.items()
        for step in steps(job)
        if action_of(step) == PULUMI
        and inputs(step).get("command") in STACK_COMMANDS
        and not is_true(inputs(step).get("upsert"))
    ]


def hardening_problems(workflow: Workflow) -> list[str]:
    return (
        pin_problems(workflow) + checkout_problems(workflow) + permission_problems(workflow) + upsert_problems(workflow)
    )


# --- .github/dependabot.yml --------------------------------------------------------------------------------------


def dependabot_problems(config: object, pinned_requirement_dirs: Sequence[str]) -> list[str]:
    """`pinned_requirement_dirs`: every directory holding a requirements file with `==` pins ("/" for the root);
    Dependabot's pip updates must cover each, and its github-actions updates the workflows' SHA pins."""
    name = "dependabot.yml"
    if not isinstance(config, dict):
        return [f"{name}: not a YAML mapping"]
    problems = []
    if config.get("version") != 2:
        problems.append(f"{name}: version must be 2, found {config.get('version')!r}")
    updates = [update for update in config.get("updates") or [] if isinstance(update, dict)]
    for update in updates:
        what = f"{update.get('package-ecosystem')} in {_directories(update)}"
        if not (update.get("schedule") or {}).get("interval"):
            problems.append(f"{name}: {what} has no schedule interval, so it never runs")
        for rule in update.get("ignore") or []:
            if rule.get("dependency-name") == "*" and not rule.get("update-types") and not rule.get("versions"):
                problems.append(f"{name}: {what} ignores every update of every dependency")
    covered = {(update.get("package-ecosystem"), directory) for update in updates for directory in _directories(update)}
    if ("github-actions", "/") not in covered:
        problems.append(f"{name}: no github-actions update for / (the workflows' SHA pins would go stale)")
    problems += [
        f"{name}: no pip update covers {directory} (its requirements file pins versions)"
        for directory in pinned_requirement_dirs
        if ("pip", directory) not in covered
    ]
    return problems


def _directories(update: Mapping[str, Any]) -> list[str]:
    directories = update.get("directories") or [update.get("directory")]
    return ["/" + str(directory).strip("/") for directory in directories if directory]

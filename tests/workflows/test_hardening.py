"""Pinned actions, no persisted git credentials, least token permissions, upserted stacks, Dependabot: the real
files keep every rule, and each rule fails on a deliberately broken copy."""

from __future__ import annotations

import textwrap

import pytest
import yaml

from .conftest import DEPENDABOT, pinned_requirement_dirs, read_workflow, workflow_names
from .edits import Break, replace
from .hardening import (
    action_refs,
    checkout_problems,
    dependabot_problems,
    hardening_problems,
    inconsistent_pins,
    permission_problems,
    pin_problems,
    upsert_problems,
)
from .rules import Workflow

CHECKOUT_PIN = "actions/checkout@34e114876b0b11c390a56381ad16ebd13914f8d5 # v4.3.1"
PULUMI_PIN = "pulumi/actions@df5a93ad715135263c732ba288301bd044c383c0 # v6.3.0"


@pytest.mark.parametrize("name", workflow_names())
def test_every_workflow_is_hardened(name):
    assert hardening_problems(read_workflow(name)) == []


def test_every_action_outside_the_repository_is_read_with_its_pin():
    refs = [ref for name in workflow_names() for ref in action_refs(read_workflow(name))]
    assert refs, "no `uses:` found: the reader is broken"
    assert {ref.target for ref in refs} == {
        "actions/checkout",
        "actions/setup-python",
        "aws-actions/configure-aws-credentials",
        "pulumi/actions",
    }
    assert all(len(ref.ref) == 40 and ref.comment.startswith("v") for ref in refs)


def test_all_workflows_share_one_pin_per_action():
    assert inconsistent_pins({name: action_refs(read_workflow(name)) for name in workflow_names()}) == []


def test_two_pins_of_one_action_across_files_are_caught():
    preview = read_workflow("preview.yml")
    older = Workflow.parse(
        "deploy.yml",
        read_workflow("deploy.yml").text.replace(
            CHECKOUT_PIN, "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2"
        ),
    )
    found = inconsistent_pins({"preview.yml": action_refs(preview), "deploy.yml": action_refs(older)})
    assert any("actions/checkout is pinned 2 ways" in problem for problem in found), found


HARDENING_BREAKS = [
    # Pins
    Break("test.yml", replace(CHECKOUT_PIN, "actions/checkout@v4"), "full 40-hex commit SHA", "tag-ref"),
    Break("test.yml", replace(CHECKOUT_PIN, "actions/checkout@main # v4.3.1"), "full 40-hex commit SHA", "branch-ref"),
    Break("test.yml", replace(CHECKOUT_PIN, "actions/checkout@34e11487 # v4.3.1"), "full 40-hex", "short-sha"),
    Break(
        "test.yml",
        replace(CHECKOUT_PIN, CHECKOUT_PIN.replace("34e1", "34E1")),
        "full 40-hex commit SHA",
        "upper-case-sha",
    ),
    Break("test.yml", replace(CHECKOUT_PIN, CHECKOUT_PIN.split(" #")[0]), "trailing version comment", "no-comment"),
    Break("test.yml", replace("# v4.3.1", "# v4"), "trailing version comment", "major-only-comment"),
    Break("deploy.yml", replace("# v6.3.0", "# v7.0.0"), "expected v6.x", "other-major"),
    Break(
        "deploy.yml",
        replace(PULUMI_PIN, "pulumi/actions@c7fad9e2f0b79653172b36538b8b34b3c0291952 # v6.0.0", count=1),
        "pulumi/actions is pinned 2 ways",
        "two-pins-in-one-file",
    ),
    Break(
        "test.yml",
        replace(
            f"      - uses: {CHECKOUT_PIN}\n        with:\n          persist-credentials: false\n",
            f"      - {{uses: {CHECKOUT_PIN.split(' #')[0]}, with: {{persist-credentials: false}}}}\n",
        ),
        "on its own line",
        "flow-style-step",
    ),
    # Checkout credentials
    Break(
        "test.yml", replace("        with:\n          persist-credentials: false\n", ""), "persist-credentials", "kept"
    ),
    Break(
        "deploy.yml", replace("persist-credentials: false", "persist-credentials: true"), "persist-credentials", "on"
    ),
    # Permissions
    Break("test.yml", replace("permissions: {}\n", ""), "default token permissions", "no-workflow-default"),
    Break("test.yml", replace("permissions: {}\n", "permissions: write-all\n"), "default token", "write-all-default"),
    Break("test.yml", replace("    permissions:\n      contents: read\n", ""), "must declare its own", "job-inherits"),
    Break(
        "test.yml",
        replace("      contents: read\n", "      contents: read\n      id-token: write\n"),
        "may write id-token",
        "test-oidc",
    ),
    Break(
        "deploy.yml",
        replace(
            "      id-token: write # OIDC token for the AWS role\n",
            "      id-token: write\n      pull-requests: write\n",
        ),
        "may write pull-requests",
        "deploy-comments",
    ),
    Break(
        "preview.yml",
        replace("      contents: read # check", "      actions: write\n      contents: read # check"),
        "may write actions",
        "extra-scope",
    ),
    Break(
        "deploy.yml",
        replace("      contents: read # check", "      contents: write # check"),
        "may write contents",
        "deploy-writes-code",
    ),
    Break(
        "deploy.yml",
        replace("      id-token: write # OIDC token for the AWS role\n", ""),
        "needs `id-token: write`",
        "deploy-no-oidc",
    ),
    # Fresh backend
    Break("preview.yml", replace("          upsert: true\n", ""), "without `upsert: true`", "preview-no-upsert"),
    Break(
        "deploy.yml",
        replace("          upsert: true\n", "          upsert: false\n"),
        "pulumi up without `upsert",
        "up-no-upsert",
    ),
]


@pytest.mark.parametrize("broken", HARDENING_BREAKS, ids=[b.id for b in HARDENING_BREAKS])
def test_a_broken_edit_fails_the_hardening_rules(broken):
    text = broken.edit(read_workflow(broken.file).text)
    found = hardening_problems(Workflow.parse(broken.file, text))
    assert any(broken.expected in problem for problem in found), found


def workflow(text: str) -> Workflow:
    return Workflow.parse("inline.yml", textwrap.dedent(text))


SHA = "34e114876b0b11c390a56381ad16ebd13914f8d5"
INLINE_CASES = {
    "reusable-workflow-on-a-branch": (
        pin_problems,
        """
        on: push
        permissions: {}
        jobs:
          call:
            permissions: {contents: read}
            uses: org/repo/.github/workflows/build.yml@main
        """,
        "not pinned to a full 40-hex commit SHA",
    ),
    "docker-image-by-tag": (
        pin_problems,
        """
        on: push
        jobs:
          run:
            steps:
              - uses: docker://alpine:3.20
        """,
        "image digest",
    ),
    "checkout-without-with": (
        checkout_problems,
        f"""
        on: push
        jobs:
          build:
            steps:
              - uses: actions/checkout@{SHA} # v4.3.1
        """,
        "persist-credentials",
    ),
    "read-all-job": (
        permission_problems,
        """
        on: push
        permissions: {}
        jobs:
          build:
            permissions: read-all
            steps:
              - run: make test
        """,
        "must declare its own `permissions:` mapping",
    ),
    "checkout-with-no-token": (
        permission_problems,
        f"""
        on: push
        permissions: {{}}
        jobs:
          build:
            permissions: {{}}
            steps:
              - uses: actions/checkout@{SHA} # v4.3.1
        """,
        "needs `contents: read` to check out the code",
    ),
    "pr-comment-without-pull-requests-write": (
        permission_problems,
        """
        on: pull_request
        permissions: {}
        jobs:
          preview:
            permissions: {contents: read}
            steps:
              - uses: pulumi/actions@x
                with: {command: preview, stack-name: dev, comment-on-pr: true}
        """,
        "needs `pull-requests: write`",
    ),
    "destroy-without-upsert": (
        upsert_problems,
        """
        on: push
        jobs:
          down:
            steps:
              - uses: pulumi/actions@x
                with: {command: destroy, stack-name: dev}
        """,
        "pulumi destroy without `upsert: true`",
    ),
}


@pytest.mark.parametrize("case", list(INLINE_CASES))
def test_an_inline_broken_workflow_fails_its_rule(case):
    rule, text, expected = INLINE_CASES[case]
    found = rule(workflow(text))
    assert any(expected in problem for problem in found), found


def test_a_local_action_and_a_digest_pinned_image_need_no_sha():
    ok = workflow(
        """
        on: push
        jobs:
          run:
            steps:
              - uses: ./.github/actions/setup
              - uses: docker://alpine@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
        """
    )
    assert pin_problems(ok) == []


def test_a_job_that_checks_nothing_out_may_go_without_a_token():
    no_checkout = workflow(
        """
        on: push
        permissions: {}
        jobs:
          report:
            permissions: {}
            steps:
              - run: echo done
        """
    )
    assert permission_problems(no_checkout) == []


def test_a_job_that_only_installs_pulumi_needs_no_upsert():
    installs = workflow(
        """
        on: push
        jobs:
          tools:
            steps:
              - uses: pulumi/actions@x
                with: {pulumi-version: 3.272.0}
        """
    )
    assert upsert_problems(installs) == []


# --- Dependabot --------------------------------------------------------------------------------------------------


def dependabot() -> dict:
    return yaml.safe_load(DEPENDABOT.read_text())


def test_dependabot_keeps_the_action_pins_and_every_pinned_requirements_file_current():
    assert pinned_requirement_dirs() == ["/", "/policy"]
    assert dependabot_problems(dependabot(), pinned_requirement_dirs()) == []


def _without(ecosystem: str, directory: str) -> dict:
    config = dependabot()
    config["updates"] = [
        update
        for update in config["updates"]
        if (update["package-ecosystem"], update.get("directory")) != (ecosystem, directory)
    ]
    return config


def _ignoring_everything() -> dict:
    config = dependabot()
    config["updates"][0]["ignore"] = [{"dependency-name": "*"}]
    return config


def _unscheduled() -> dict:
    config = dependabot()
    del config["updates"][1]["schedule"]
    return config


DEPENDABOT_BREAKS = {
    "no-github-actions": (lambda: _without("github-actions", "/"), "no github-actions update"),
    "no-root-pip": (lambda: _without("pip", "/"), "no pip update covers /"),
    "no-policy-pip": (lambda: _without("pip", "/policy"), "no pip update covers /policy"),
    "ignores-everything": (_ignoring_everything, "ignores every update"),
    "never-runs": (_unscheduled, "no schedule interval"),
    "version-1": (lambda: {**dependabot(), "version": 1}, "version must be 2"),
}


@pytest.mark.parametrize("case", list(DEPENDABOT_BREAKS))
def test_a_broken_dependabot_config_fails_the_rule(case):
    make, expected = DEPENDABOT_BREAKS[case]
    found = dependabot_problems(make(), pinned_requirement_dirs())
    assert any(expected in problem for problem in found), found


def test_a_new_pinned_requirements_directory_must_be_covered():
    found = dependabot_problems(dependabot(), [*pinned_requirement_dirs(), "/examples/producer-stack"])
    assert found == [
        "dependabot.yml: no pip update covers /examples/producer-stack (its requirements file pins versions)"
    ]

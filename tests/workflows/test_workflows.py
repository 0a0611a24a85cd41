"""The CI workflows: every file parses and does what docs/ci.md promises, and a broken edit is caught."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import yaml

from .conftest import (
    PROJECT_DIR,
    WORKFLOWS_DIR,
    mypy_files,
    policy_venv,
    project_stacks,
    pulumi_sdk_pin,
    read_workflow,
    workflow_names,
)
from .edits import Break, replace
from .hardening import hardening_problems
from .rules import (
    Makefile,
    Workflow,
    action_of,
    common_problems,
    expanded_commands,
    make_target_problems,
    problems_of_deploy_workflow,
    problems_of_preview_workflow,
    problems_of_test_workflow,
    steps,
)

EXPECTED_WORKFLOWS = ("deploy.yml", "preview.yml", "test.yml")


def problems(workflow: Workflow, makefile: Makefile) -> list[str]:
    """Every rule that applies to this workflow file."""
    found = (
        common_problems(workflow, pulumi_sdk_pin())
        + make_target_problems(workflow, makefile)
        + hardening_problems(workflow)
    )
    if workflow.name == "test.yml":
        found += problems_of_test_workflow(workflow, makefile, mypy_files(), policy_venv())
    elif workflow.name == "preview.yml":
        found += problems_of_preview_workflow(workflow, project_stacks(), makefile, policy_venv())
    elif workflow.name == "deploy.yml":
        found += problems_of_deploy_workflow(workflow, makefile, policy_venv())
    return found


def test_the_three_workflows_exist_and_parse():
    assert set(EXPECTED_WORKFLOWS) <= set(workflow_names())
    for name in workflow_names():
        workflow = read_workflow(name)
        assert workflow.document.get("name"), name
        assert workflow.triggers(), name
        assert workflow.jobs, name


def test_the_on_key_is_read_as_triggers_not_as_the_boolean_true():
    raw = yaml.safe_load((WORKFLOWS_DIR / "test.yml").read_text())
    assert True in raw and "on" not in raw  # what PyYAML does with `on:`
    assert set(read_workflow("test.yml").triggers()) == {"push", "pull_request"}


@pytest.mark.parametrize("name", workflow_names())
def test_workflow_follows_every_rule(name, makefile):
    assert problems(read_workflow(name), makefile) == []


def test_test_workflow_runs_the_developer_commands_in_order(makefile):
    job = read_workflow("test.yml").jobs["test"]
    ran = [step.get("run") for step in steps(job) if "run" in step]
    assert ran == ["make venv", "make lint", "make test"]
    expanded = expanded_commands(job, makefile)
    assert any("ruff check" in command for command in expanded)
    assert any("ruff format --check" in command for command in expanded)
    assert any(command.endswith("/mypy") or " components ingest" in command for command in expanded)
    assert {"components", "ingest"} <= set(mypy_files())


def test_preview_covers_every_stack_file():
    job = read_workflow("preview.yml").jobs["preview"]
    assert sorted(job["strategy"]["matrix"]["stack"]) == project_stacks() == ["dev", "prod"]


def test_prod_deploys_only_after_dev_and_behind_its_environment():
    jobs = read_workflow("deploy.yml").jobs
    assert jobs["prod"]["needs"] == "dev"
    assert jobs["prod"]["environment"] == "prod"
    assert jobs["dev"]["environment"] == "dev"


@pytest.mark.parametrize(
    ("name", "job_id"), [("preview.yml", "preview"), ("deploy.yml", "dev"), ("deploy.yml", "prod")]
)
def test_policy_pack_environment_is_built_where_pulumi_policy_yaml_points(name, job_id, makefile):
    expected = policy_venv()
    assert expected == ".venv-policy", "policy/PulumiPolicy.yaml moved the pack's virtualenv: update this test"
    job = read_workflow(name).jobs[job_id]
    ran = expanded_commands(job, makefile)
    assert any(f"-m venv {expected}" in command for command in ran), ran
    assert any(f"{expected}/bin/" in command and "-r policy/requirements.txt" in command for command in ran), ran


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("ruff format --check", "ruff format", "checks formatting"),
        ("\t$(BIN)/mypy\n", "\t$(BIN)/mypy tests\n", "type-checks components/ and ingest/"),
        ("$(BIN)/python -m pytest\n", '$(BIN)/python -m pytest -m "not e2e"\n', "whole test suite"),
        ("$(POLICY_BIN)/python -m pytest policy/tests\n", "", "policy pack's tests"),
        ("$(POLICY_BIN)/python -m pytest policy/tests\n", "$(BIN)/python -m pytest policy/tests\n", "policy pack's"),
    ],
)
def test_a_broken_makefile_recipe_fails_the_rules(old, new, expected):
    text = (PROJECT_DIR / "Makefile").read_text()
    assert old in text, f"the edit no longer applies: {old!r} is not in the Makefile"
    found = problems(read_workflow("test.yml"), Makefile.parse(text.replace(old, new, 1)))
    assert any(expected in problem for problem in found), found


def test_docs_name_every_secret_and_variable_the_workflows_read():
    used = {
        match[1]
        for name in workflow_names()
        for match in re.finditer(r"\b(?:secrets|vars)\.([A-Z0-9_]+)", read_workflow(name).text)
    }
    assert used == {
        "PULUMI_ACCESS_TOKEN",
        "PULUMI_BACKEND_URL",
        "PULUMI_CONFIG_PASSPHRASE",
        "AWS_REGION",
        "AWS_PREVIEW_ROLE_ARN",
        "AWS_DEPLOY_ROLE_ARN",
    }
    settings = (PROJECT_DIR / "docs" / "ci.md").read_text()
    assert sorted(name for name in used if f"| `{name}` |" not in settings) == []


def test_the_smoke_test_publishes_the_dataset_shipped_in_the_repository():
    source = read_workflow("deploy.yml").document["env"]["SMOKE_SOURCE"]
    assert "://" not in source, "a local path: the smoke test must not depend on another bucket"
    assert sorted(path.name for path in (PROJECT_DIR / source).glob("*.json")) == [
        "2018-01-01.json",
        "2018-01-02.json",
        "2018-01-03.json",
    ]


def move_smoke_before_up(stack: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        smoke = f"      - name: Smoke test {stack} (publish the shipped sample, then verify delivery)\n"
        smoke += f'        run: .venv/bin/python -m ingest smoke --stack {stack} --source "$SMOKE_SOURCE"\n'
        up = f"      - name: pulumi up ({stack})\n"
        assert smoke in text and up in text
        return text.replace(smoke, "").replace(up, smoke + up)

    return edit


BREAKS = [
    Break("test.yml", replace("run: make test\n", "run: make test-fast\n"), "whole test suite", "test-fast"),
    Break("test.yml", replace("  pull_request:\n", ""), "does not run on pull_request", "no-pull-request"),
    Break("test.yml", replace("run: make lint", "run: .venv/bin/ruff check ."), "type-checks", "no-mypy"),
    Break("test.yml", replace("run: make lint", "run: make check"), "does not define", "unknown-target"),
    Break("test.yml", replace("contents: read", "contents: write"), "contents: read", "write-token"),
    Break("test.yml", replace('python-version: "3.11"', 'python-version: "3.12"'), "3.11", "python-3.12"),
    Break("test.yml", replace("cancel-in-progress: true", "cancel-in-progress: false"), "superseded", "no-cancel"),
    Break("preview.yml", replace("stack: [dev, prod]", "stack: [dev]"), "previews stacks", "one-stack"),
    Break("preview.yml", replace("          policyPacks: policy\n", ""), "policy pack", "no-policy"),
    Break("preview.yml", replace("comment-on-pr: true", "comment-on-pr: false"), "comment-on-pr", "no-comment"),
    Break("preview.yml", replace("      id-token: write # OIDC", "      # OIDC"), "id-token: write", "no-oidc"),
    Break("preview.yml", replace("      pull-requests: write #", "      #"), "pull-requests: write", "no-pr-write"),
    Break("preview.yml", replace("contents: read # check", "contents: write # check"), "may write", "preview-writes"),
    Break(
        "preview.yml",
        replace("${{ vars.AWS_PREVIEW_ROLE_ARN }}", "arn:aws:iam::123456789012:role/preview"),
        "role-to-assume",
        "literal-role",
    ),
    Break(
        "preview.yml",
        replace(
            "          aws-region: ${{ vars.AWS_REGION || 'ap-southeast-1' }}\n",
            "          aws-region: ${{ vars.AWS_REGION || 'ap-southeast-1' }}\n"
            "          aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}\n"
            "          aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}\n",
        ),
        "OIDC role assumption only",
        "static-keys",
    ),
    Break("preview.yml", replace("# v6.3.0", "# v5.5.1"), "expected v6.x", "old-action"),
    Break("preview.yml", replace("pulumi-version: 3.272.0", "pulumi-version: latest"), "pulumi SDK pin", "cli-drift"),
    Break("preview.yml", replace("  pull_request:\n", "  push:\n"), "pull_request only", "preview-on-push"),
    Break("preview.yml", replace("run: make policy-venv", "run: echo skipped"), "policy/requirements", "no-pack-env"),
    Break("deploy.yml", replace("    needs: dev\n", ""), "needs: dev", "prod-without-dev"),
    Break("deploy.yml", replace("    environment: prod\n", ""), "environment 'prod'", "no-approval"),
    Break(
        "deploy.yml",
        replace("ingest smoke --stack prod", "ingest smoke --stack dev"),
        "--stack prod",
        "smoke-wrong-stack",
    ),
    Break("deploy.yml", move_smoke_before_up("dev"), "before pulumi up", "smoke-before-up"),
    Break("deploy.yml", replace("group: deploy-prod", "group: deploy-dev"), "share a concurrency group", "one-group"),
    Break(
        "deploy.yml",
        replace("      cancel-in-progress: false\n", "      cancel-in-progress: true\n"),
        "cancel-in-progress: false",
        "cancellable-deploy",
    ),
    Break("deploy.yml", replace("    branches: [main]\n", ""), "push to main", "deploy-every-branch"),
    Break("deploy.yml", replace("stack-name: prod", "stack-name: dev"), "expected 'prod'", "prod-job-ups-dev"),
    Break("deploy.yml", replace("command: up", "command: preview"), "command up", "no-up"),
    Break("deploy.yml", replace("timeout-minutes: 90", "timeout-minutes: ninety"), "timeout-minutes", "bad-timeout"),
]


@pytest.mark.parametrize("broken", BREAKS, ids=[b.id for b in BREAKS])
def test_a_broken_edit_fails_the_rules(broken, makefile):
    text = broken.edit(read_workflow(broken.file).text)
    found = problems(Workflow.parse(broken.file, text), makefile)
    assert any(broken.expected in problem for problem in found), found


@pytest.mark.parametrize(
    ("name", "job_id"), [("preview.yml", "preview"), ("deploy.yml", "dev"), ("deploy.yml", "prod")]
)
def test_the_lambda_archive_is_built_before_every_pulumi_step(name, job_id, makefile):
    """The program references build/lambda/ingest-job.zip and fails without it (make lambda builds it)."""
    job = read_workflow(name).jobs[job_id]
    order = [
        "pulumi" if action_of(step) == "pulumi/actions" else " ".join(expanded_commands({"steps": [step]}, makefile))
        for step in steps(job)
    ]
    builds = [index for index, ran in enumerate(order) if "-m components.lambda_archive" in ran]
    pulumi = [index for index, ran in enumerate(order) if ran == "pulumi"]
    assert builds and pulumi and max(builds) < min(pulumi), order

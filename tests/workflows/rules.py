"""What each GitHub Actions workflow must do, as functions that list the problems of a parsed workflow.

Returning problems (instead of asserting) lets the tests run the same rules over the real files, which must
have none, and over deliberately broken copies, which must have some: a rule that cannot fail is caught too.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

CHECKOUT = "actions/checkout"
SETUP_PYTHON = "actions/setup-python"
AWS_CREDENTIALS = "aws-actions/configure-aws-credentials"
PULUMI = "pulumi/actions"
REQUIRED_MAJORS = {CHECKOUT: "v4", SETUP_PYTHON: "v5", AWS_CREDENTIALS: "v4", PULUMI: "v6"}
POLICY_PACK = "policy"
DEPLOY_BRANCH = "main"
# Anything that would put a long-lived AWS key into a workflow (env names and the credentials action's inputs).
LONG_LIVED_KEY_MARKERS = ("AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "aws-secret-access-key", "aws-access-key-id")
EXPRESSION = re.compile(r"^\$\{\{\s*(?P<body>.+?)\s*\}\}$")
SECRET_OR_VARIABLE = re.compile(r"\b(secrets|vars)\.[A-Z0-9_]+\b")


@dataclass(frozen=True)
class Workflow:
    name: str
    text: str
    document: dict[str, Any]

    @classmethod
    def parse(cls, name: str, text: str) -> Workflow:
        document = yaml.safe_load(text)
        if not isinstance(document, dict):
            raise ValueError(f"{name}: not a YAML mapping")
        # YAML 1.1 reads the bare key `on` as the boolean True.
        if True in document:
            document["on"] = document.pop(True)
        return cls(name, text, document)

    @property
    def jobs(self) -> dict[str, dict[str, Any]]:
        return self.document.get("jobs") or {}

    def triggers(self) -> dict[str, Any]:
        """`on:` in any of its three spellings (a name, a list of names, a mapping) as a mapping."""
        on = self.document.get("on")
        if isinstance(on, str):
            return {on: None}
        if isinstance(on, list):
            return dict.fromkeys(on)
        return dict(on or {})


def steps(job: Mapping[str, Any]) -> list[dict[str, Any]]:
    return list(job.get("steps") or [])


def action_of(step: Mapping[str, Any]) -> str:
    """`pulumi/actions@v6` -> `pulumi/actions` ("" for a `run` step)."""
    return str(step.get("uses", "")).split("@", 1)[0]


def inputs(step: Mapping[str, Any]) -> dict[str, Any]:
    return dict(step.get("with") or {})


def commands(step: Mapping[str, Any]) -> list[str]:
    return [line.strip() for line in str(step.get("run", "")).splitlines() if line.strip()]


def index_of(job: Mapping[str, Any], matches: Callable[[dict[str, Any]], bool]) -> int | None:
    return next((i for i, step in enumerate(steps(job)) if matches(step)), None)


def runs_command(pattern: str) -> Callable[[dict[str, Any]], bool]:
    compiled = re.compile(pattern)
    return lambda step: any(compiled.search(command) for command in commands(step))


def is_true(value: object) -> bool:
    return value is True or str(value).lower() == "true"


def environment_name(job: Mapping[str, Any]) -> str | None:
    environment = job.get("environment")
    if isinstance(environment, dict):
        return environment.get("name")
    return environment


# --- the Makefile targets the workflows call -------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    prerequisites: tuple[str, ...]
    recipe: tuple[str, ...]


@dataclass(frozen=True)
class Makefile:
    """The plain rules and variables of a Makefile (enough for this project's): what `make TARGET` runs."""

    rules: dict[str, Rule]
    variables: dict[str, str]

    @classmethod
    def parse(cls, text: str) -> Makefile:
        rules: dict[str, Rule] = {}
        variables: dict[str, str] = {}
        targets: list[str] = []
        for line in text.splitlines():
            if line.startswith("\t"):
                for target in targets:
                    rules[target] = Rule(rules[target].prerequisites, (*rules[target].recipe, line.strip()))
                continue
            targets = []
            assignment = re.match(r"^([A-Za-z_][A-Za-z0-9_]*)\s*(?:\?=|:=|=)\s*(.*)$", line)
            rule = re.match(r"^(?!\.PHONY)([^\s:#=?][^:#=]*?)\s*:(?!=)(.*)$", line)
            if assignment:
                variables.setdefault(assignment.group(1), assignment.group(2).strip())
            elif rule:
                targets = rule.group(1).split()
                for target in targets:
                    rules[target] = Rule(tuple(rule.group(2).split()), ())
        return cls(rules, variables)

    def expand(self, text: str) -> str:
        """`$(BIN)/python` -> `.venv/bin/python`: the Makefile's own variables, as make substitutes them."""
        for _ in range(10):
            expanded = re.sub(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", lambda m: self.variables.get(m[1], m[0]), text)
            if expanded == text:
                break
            text = expanded
        return text

    def commands(self, target: str, done: set[str] | None = None) -> list[str]:
        """What `make TARGET` runs on a fresh checkout: prerequisites' recipes first, each target once."""
        done = set() if done is None else done
        if target in done or target not in self.rules:
            return []
        done.add(target)
        rule = self.rules[target]
        ran = [command for prerequisite in rule.prerequisites for command in self.commands(prerequisite, done)]
        return [*ran, *(self.expand(line) for line in rule.recipe)]


def expanded_commands(job: Mapping[str, Any], makefile: Makefile) -> list[str]:
    """Every command a job runs, with `make TARGET` replaced by what it runs."""
    expanded: list[str] = []
    done: set[str] = set()
    for step in steps(job):
        for command in commands(step):
            words = shlex.split(command)
            if words[:1] == ["make"]:
                for target in words[1:]:
                    expanded.extend(makefile.commands(target, done))
            else:
                expanded.append(command)
    return expanded


def make_target_problems(workflow: Workflow, makefile: Makefile) -> list[str]:
    problems = []
    for job_id, job in workflow.jobs.items():
        for step in steps(job):
            for command in commands(step):
                words = shlex.split(command)
                if words[:1] != ["make"]:
                    continue
                problems += [
                    f"{workflow.name}: job {job_id} runs `make {target}`, which the Makefile does not define"
                    for target in words[1:]
                    if target not in makefile.rules
                ]
    return problems


# --- every workflow ----------------------------------------------------------------------------------------------


def common_problems(workflow: Workflow, pulumi_version: str) -> list[str]:
    name = workflow.name
    problems = []
    for marker in LONG_LIVED_KEY_MARKERS:
        if marker in workflow.text:
            problems.append(f"{name}: mentions {marker}: AWS access must come from OIDC role assumption only")
    if not workflow.jobs:
        problems.append(f"{name}: no jobs")
    for job_id, job in workflow.jobs.items():
        if "runs-on" not in job:
            problems.append(f"{name}: job {job_id} has no runs-on")
        if not isinstance(job.get("timeout-minutes"), int):
            problems.append(f"{name}: job {job_id} has no timeout-minutes (the default is 6 hours)")
        for step in steps(job):
            action = action_of(step)
            if not action:
                continue
            if action == PULUMI and str(inputs(step).get("pulumi-version")) != pulumi_version:
                problems.append(
                    f"{name}: job {job_id} installs Pulumi CLI {inputs(step).get('pulumi-version')!r}, expected "
                    f"{pulumi_version} (the pulumi SDK pin in requirements.txt)"
                )
        problems += _python_setup_problems(name, job_id, job)
    return problems


def _python_setup_problems(name: str, job_id: str, job: Mapping[str, Any]) -> list[str]:
    setup = index_of(job, lambda step: action_of(step) == SETUP_PYTHON)
    checkout = index_of(job, lambda step: action_of(step) == CHECKOUT)
    if checkout is None or setup is None or checkout > setup:
        return [f"{name}: job {job_id} must check out, then set up Python"]
    with_ = inputs(steps(job)[setup])
    problems = []
    if str(with_.get("python-version")) != "3.11":
        problems.append(f"{name}: job {job_id} sets up Python {with_.get('python-version')!r}, expected 3.11")
    if with_.get("cache") != "pip":
        problems.append(f"{name}: job {job_id} does not cache pip downloads")
    return problems


# --- test.yml ----------------------------------------------------------------------------------------------------


def problems_of_test_workflow(
    workflow: Workflow, makefile: Makefile, mypy_files: Sequence[str], policy_venv: str | None
) -> list[str]:
    """`mypy_files`: what a bare `mypy` checks (pyproject.toml [tool.mypy] files); `policy_venv`: where the
    policy pack's tests must run (its own virtualenv, None while there is no pack)."""
    name = workflow.name
    problems = []
    triggers = workflow.triggers()
    for trigger in ("push", "pull_request"):
        if trigger not in triggers:
            problems.append(f"{name}: does not run on {trigger}")
    for trigger in ("push", "pull_request"):
        if isinstance(triggers.get(trigger), dict) and set(triggers[trigger]) & {"branches", "paths", "tags"}:
            problems.append(f"{name}: {trigger} is filtered; it must run on every {trigger}")
    concurrency = workflow.document.get("concurrency") or {}
    if not is_true(concurrency.get("cancel-in-progress")) or "github.ref" not in str(concurrency.get("group")):
        problems.append(f"{name}: a newer push must cancel the superseded run (concurrency per ref)")
    ran = [command for job in workflow.jobs.values() for command in expanded_commands(job, makefile)]
    required = {
        "installs the locked packages (make venv)": r"pip install .*--require-hashes .*-r requirements-dev\.txt",
        "lints (ruff check)": r"\bruff check\b",
        "checks formatting (ruff format --check)": r"\bruff format\b.*--check",
    }
    problems += [f"{name}: never {what}" for what, pattern in required.items() if not _any_match(pattern, ran)]
    runs = [run for command in ran if (run := _pytest_run(command)) is not None]
    if not any(not run.arguments for run in runs):
        problems.append(f"{name}: never runs the whole test suite (pytest with no selection, as make test does)")
    if policy_venv is not None and not any(
        run.arguments == [f"{POLICY_PACK}/tests"] and run.interpreter.startswith(f"{policy_venv}/") for run in runs
    ):
        problems.append(f"{name}: never runs the policy pack's tests ({POLICY_PACK}/tests) in {policy_venv}")
    checked = {path for command in ran for path in _mypy_paths(command, mypy_files)}
    if not {"components", "ingest"} <= checked:
        problems.append(f"{name}: never type-checks components/ and ingest/ (mypy checks {sorted(checked)})")
    order = [r"-r requirements-dev\.txt", r"\bruff check\b", r"\bmypy\b", r"\bpytest\b"]
    positions = [next((i for i, c in enumerate(ran) if re.search(p, c)), None) for p in order]
    found = [p for p in positions if p is not None]
    if found != sorted(found):
        problems.append(f"{name}: must install, then lint, then type-check, then test")
    return problems


@dataclass(frozen=True)
class PytestRun:
    interpreter: str
    arguments: list[str]


def _pytest_run(command: str) -> PytestRun | None:
    """`.venv/bin/python -m pytest -m "not e2e"` -> (.venv/bin/python, ["-m", "not e2e"])."""
    words = shlex.split(command)
    if words[1:3] == ["-m", "pytest"]:
        return PytestRun(words[0], words[3:])
    if words and Path(words[0]).name == "pytest":
        return PytestRun(str(Path(words[0]).parent / "python"), words[1:])
    return None


def _mypy_paths(command: str, mypy_files: Sequence[str]) -> list[str]:
    words = shlex.split(command)
    at = next((i for i, word in enumerate(words) if Path(word).name == "mypy"), None)
    if at is None:
        return []
    paths = [word.rstrip("/") for word in words[at + 1 :] if not word.startswith("-")]
    return paths or [path.rstrip("/") for path in mypy_files]


def _any_match(pattern: str, lines: Iterable[str]) -> bool:
    return any(re.search(pattern, line) for line in lines)


# --- the Pulumi jobs (preview.yml, deploy.yml) -------------------------------------------------------------------


def pulumi_job_problems(
    workflow: Workflow, job_id: str, command: str, stack: str, makefile: Makefile, policy_venv: str | None
) -> list[str]:
    """A job that runs `pulumi <command>` on `stack`: installs both environments, assumes an AWS role through
    OIDC and attaches the policy pack."""
    where = f"{workflow.name}: job {job_id}"
    job = workflow.jobs[job_id]
    pulumi = index_of(job, lambda step: action_of(step) == PULUMI and inputs(step).get("command") == command)
    if pulumi is None:
        return [f"{where}: no {PULUMI} step with command {command}"]
    problems = []
    with_ = inputs(steps(job)[pulumi])
    if with_.get("stack-name") != stack:
        problems.append(f"{where}: runs {command} on stack {with_.get('stack-name')!r}, expected {stack!r}")
    if with_.get("policyPacks") != POLICY_PACK:
        problems.append(f"{where}: {command} must run with the policy pack (policyPacks: {POLICY_PACK})")
    if not _from_secret_or_variable(with_.get("cloud-url", "")) and not _from_secret_or_variable(
        _job_env(workflow, job_id).get("PULUMI_ACCESS_TOKEN", "")
    ):
        problems.append(f"{where}: the Pulumi backend must come from a secret or variable")

    credentials = index_of(job, lambda step: action_of(step) == AWS_CREDENTIALS)
    if credentials is None or credentials > pulumi:
        problems.append(f"{where}: must assume an AWS role ({AWS_CREDENTIALS}) before pulumi {command}")
    else:
        role = str(inputs(steps(job)[credentials]).get("role-to-assume", ""))
        if not _from_secret_or_variable(role):
            problems.append(f"{where}: role-to-assume must come from a repository variable or secret, not {role!r}")
        if not inputs(steps(job)[credentials]).get("aws-region"):
            problems.append(f"{where}: the credentials step needs aws-region")

    before = [command for step in steps(job)[:pulumi] for command in expanded_commands({"steps": [step]}, makefile)]
    if not _any_match(r"pip install .*--require-hashes .*-r requirements(-dev)?\.txt", before):
        problems.append(f"{where}: must install the program's locked packages (make venv) before pulumi {command}")
    if not _any_match(rf"pip install .*--require-hashes .*-r {POLICY_PACK}/requirements\.txt", before):
        problems.append(f"{where}: must install {POLICY_PACK}/requirements.txt (locked) before pulumi {command}")
    if policy_venv is not None:
        created = {str(Path(match[1])) for line in before for match in re.finditer(r"-m venv (\S+)", line)}
        if policy_venv not in created:
            problems.append(f"{where}: never creates the policy pack's environment {policy_venv} (PulumiPolicy.yaml)")
    return problems


def _from_secret_or_variable(value: object) -> bool:
    match = EXPRESSION.match(str(value).strip())
    return bool(match and SECRET_OR_VARIABLE.search(match.group("body")))


def _job_env(workflow: Workflow, job_id: str) -> dict[str, Any]:
    return {**(workflow.document.get("env") or {}), **(workflow.jobs[job_id].get("env") or {})}


# --- preview.yml -------------------------------------------------------------------------------------------------


def problems_of_preview_workflow(
    workflow: Workflow, stacks: Sequence[str], makefile: Makefile, policy_venv: str | None
) -> list[str]:
    name = workflow.name
    problems = []
    if set(workflow.triggers()) != {"pull_request"}:
        problems.append(f"{name}: must run on pull_request only, not {sorted(workflow.triggers())}")
    previews = [
        job_id
        for job_id, job in workflow.jobs.items()
        if index_of(job, lambda step: action_of(step) == PULUMI and inputs(step).get("command") == "preview")
        is not None
    ]
    if len(previews) != 1:
        return [*problems, f"{name}: expected one preview job (a matrix over the stacks), found {previews}"]
    job_id = previews[0]
    job = workflow.jobs[job_id]
    matrix = ((job.get("strategy") or {}).get("matrix") or {}).get("stack")
    if sorted(matrix or []) != sorted(stacks):
        problems.append(f"{name}: previews stacks {matrix}, but the project has {sorted(stacks)}")
    if is_true((job.get("strategy") or {}).get("fail-fast", True)):
        problems.append(f"{name}: a failing stack must not cancel the other stacks' previews (fail-fast: false)")
    problems += pulumi_job_problems(workflow, job_id, "preview", "${{ matrix.stack }}", makefile, policy_venv)
    pulumi = steps(job)[index_of(job, lambda step: action_of(step) == PULUMI) or 0]
    if not is_true(inputs(pulumi).get("comment-on-pr")):
        problems.append(f"{name}: the preview must be posted on the pull request (comment-on-pr: true)")
    return problems


# --- deploy.yml --------------------------------------------------------------------------------------------------


def problems_of_deploy_workflow(workflow: Workflow, makefile: Makefile, policy_venv: str | None) -> list[str]:
    name = workflow.name
    problems = []
    triggers = workflow.triggers()
    if set(triggers) != {"push"} or (triggers["push"] or {}).get("branches") != [DEPLOY_BRANCH]:
        problems.append(f"{name}: must run on push to {DEPLOY_BRANCH} only")
    if set(workflow.jobs) != {"dev", "prod"}:
        return [*problems, f"{name}: expected jobs dev and prod, found {sorted(workflow.jobs)}"]
    for stack in ("dev", "prod"):
        job = workflow.jobs[stack]
        problems += pulumi_job_problems(workflow, stack, "up", stack, makefile, policy_venv)
        up = index_of(job, lambda step: action_of(step) == PULUMI and inputs(step).get("command") == "up")
        smoke = index_of(job, runs_command(rf"-m ingest smoke --stack {stack}(\s|$)"))
        if smoke is None:
            problems.append(f"{name}: job {stack} never runs `python -m ingest smoke --stack {stack}`")
        elif up is not None and smoke < up:
            problems.append(f"{name}: job {stack} runs the smoke test before pulumi up")
        if environment_name(job) != stack:
            problems.append(f"{name}: job {stack} must run in the GitHub environment {stack!r}")
        concurrency = job.get("concurrency") or {}
        if stack not in str(concurrency.get("group", "")) or concurrency.get("cancel-in-progress") is not False:
            problems.append(f"{name}: job {stack} needs its own concurrency group with cancel-in-progress: false")
    needs = workflow.jobs["prod"].get("needs")
    if "dev" not in ([needs] if isinstance(needs, str) else needs or []):
        problems.append(f"{name}: prod must wait for dev (needs: dev)")
    groups = [str((workflow.jobs[stack].get("concurrency") or {}).get("group")) for stack in ("dev", "prod")]
    if groups[0] == groups[1]:
        problems.append(f"{name}: dev and prod share a concurrency group; each stack needs its own")
    return problems

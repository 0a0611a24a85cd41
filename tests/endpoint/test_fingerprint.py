"""The endpoint definition's fingerprint, the stage's redeploy trigger: any change to anything the stage serves
changes it, down to every leaf field of the definition and every value only the deployment knows."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest

from components.core.data_dictionary import load_record_schema
from components.core.endpoint import EndpointDefinition, MethodAuth, endpoint_definition

DEPLOYED = {"stream_name": "tracking-stream", "credentials_arn": "arn:aws:iam::123456789012:role/r", "region": "x-1"}
DEFINITION = endpoint_definition(load_record_schema())


def _changed(value: Any) -> Any:
    """A different value of the same kind."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        return value + "x"
    if isinstance(value, tuple):
        return value[:-1] if value else ("x",)
    if isinstance(value, dict):
        return {**value, "x": 1}
    if value is None:
        return "x"
    raise TypeError(f"no changed value for {value!r}")


def _leaf_changes(obj: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """(path, a copy of `obj` with that one leaf changed) for every field of every nested dataclass. Tuples of
    dataclasses (routes, responses) change through their first element."""
    for field in dataclasses.fields(obj):
        value = getattr(obj, field.name)
        where = f"{path}.{field.name}"
        if dataclasses.is_dataclass(value):
            for sub_path, sub in _leaf_changes(value, where):
                yield sub_path, dataclasses.replace(obj, **{field.name: sub})
        elif isinstance(value, tuple) and value and dataclasses.is_dataclass(value[0]):
            for sub_path, sub in _leaf_changes(value[0], f"{where}[0]"):
                yield sub_path, dataclasses.replace(obj, **{field.name: (sub, *value[1:])})
        else:
            yield where, dataclasses.replace(obj, **{field.name: _changed(value)})


CHANGES = [
    (path, changed) for path, changed in _leaf_changes(DEFINITION) if not path.endswith(("record_fields", "path_part"))
]
"""`record_fields` and `path_part` reach the fingerprint through the rendered request templates and the paths, and
a changed one cannot render (an unknown field) or is the route's identity."""


@pytest.mark.parametrize(("path", "changed"), CHANGES, ids=[path for path, _ in CHANGES])
def test_changing_any_leaf_of_the_definition_changes_the_fingerprint(path, changed: EndpointDefinition):
    assert changed.fingerprint(**DEPLOYED) != DEFINITION.fingerprint(**DEPLOYED), path


def test_the_leaves_include_authentication_validation_integration_and_cors():
    paths = {path for path, _ in CHANGES}
    assert {
        ".auth.authorization",
        ".auth.api_key_required",
        ".validation.validate_body",
        ".validation.validate_parameters",
        ".integration.passthrough_behavior",
        ".integration.timeout_ms",
        ".integration.content_type",
        ".cors_origins",
        ".preflight.headers",
        ".models",
        ".gateway_responses[0].template",
        ".routes[0].responses[0].template",
    } <= paths


@pytest.mark.parametrize("deployed", sorted(DEPLOYED))
def test_what_only_the_deployment_knows_changes_it_too(deployed):
    changed = {**DEPLOYED, deployed: DEPLOYED[deployed] + "-other"}
    if deployed == "stream_name":
        changed[deployed] = "other-stream"
    assert DEFINITION.fingerprint(**changed) != DEFINITION.fingerprint(**DEPLOYED)


def test_the_same_definition_gives_the_same_fingerprint_and_each_authentication_its_own():
    assert endpoint_definition(load_record_schema()).fingerprint(**DEPLOYED) == DEFINITION.fingerprint(**DEPLOYED)
    fingerprints = {
        endpoint_definition(load_record_schema(), auth=auth).fingerprint(**DEPLOYED)
        for auth in ("api_key", "iam", "none")
    }
    assert len(fingerprints) == 3
    assert DEFINITION.auth == MethodAuth("NONE", api_key_required=True)

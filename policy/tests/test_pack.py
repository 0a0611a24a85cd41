"""The pack's entry point, run as the engine runs it but with PolicyPack replaced (the real one serves gRPC and
never returns)."""

from __future__ import annotations

import runpy
from typing import Any

import policies
import pulumi_policy
from harness import PACK_DIR


def test_entry_point_serves_every_policy_as_mandatory(monkeypatch):
    built: list[dict[str, Any]] = []
    monkeypatch.setattr(pulumi_policy, "PolicyPack", lambda **kwargs: built.append(kwargs))
    runpy.run_path(str(PACK_DIR), run_name="__main__")
    assert built == [
        {
            "name": "tracking-pipeline",
            "policies": policies.POLICIES,
            "enforcement_level": pulumi_policy.EnforcementLevel.MANDATORY,
        }
    ]


def test_policy_names_are_unique_and_each_inherits_the_mandatory_pack_level():
    names = [policy.name for policy in policies.POLICIES]
    assert len(names) == len(set(names))
    assert all(policy.enforcement_level is None for policy in policies.POLICIES)

"""How every component of this package publishes its outputs: listed once, as one mapping."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi


def publish_outputs(component: pulumi.ComponentResource, outputs: Mapping[str, pulumi.Output[Any] | None]) -> None:
    """Set each output as the attribute of its name and register it, so a component writes its outputs once (next to
    the class-level annotations Pulumi's design guidelines ask for: https://www.pulumi.com/docs/iac/guides/building-extending/components/design-guidelines/).

    None stands for an output the component lacks in this configuration (the endpoint's, without an endpoint): the
    attribute is None and nothing is registered under that name. A name the class does not annotate is a typo that
    would otherwise create an attribute nobody reads, so it is refused."""
    declared = {name for cls in type(component).__mro__ for name in getattr(cls, "__annotations__", {})}
    undeclared = sorted(set(outputs) - declared)
    if undeclared:
        raise AttributeError(f"{type(component).__name__} does not declare the output(s) {', '.join(undeclared)}")
    for name, value in outputs.items():
        setattr(component, name, value)
    component.register_outputs({name: value for name, value in outputs.items() if value is not None})

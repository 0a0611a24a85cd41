"""Logical names of the pipeline's main resources, derived from the component's name.

Pulumi adds a random suffix to make the physical names; local tools that stand up the same pipeline without
Pulumi (the demo on the emulator) use these names as they are, so both places name things the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

AWS_MANAGED_KINESIS_KEY = "alias/aws/kinesis"
"""The stream's key when no customer key is given: Kinesis' AWS-managed key."""
DELIVERY_LOG_STREAM = "DestinationDelivery"
"""The log stream Firehose writes delivery errors to, inside the pipeline's delivery log group."""


@dataclass(frozen=True)
class PipelineNames:
    stream: str
    bucket: str
    delivery_stream: str
    firehose_role: str
    log_group: str

    @classmethod
    def for_pipeline(cls, name: str) -> PipelineNames:
        return cls(
            stream=f"{name}-stream",
            bucket=f"{name}-bucket",
            delivery_stream=f"{name}-delivery",
            firehose_role=f"{name}-firehose-role",
            log_group=f"{name}-delivery-logs",
        )


def pipeline_tags(name: str, tags: Mapping[str, str] | None) -> dict[str, str]:
    """The caller's tags plus the pipeline's name, so that the resources of several pipelines in one account can
    be told apart (the caller's own tags win on a clash)."""
    return {"tracking-pipeline": name, **(tags or {})}

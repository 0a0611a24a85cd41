"""Logical names of the pipeline's main resources, derived from the component's name.

Pulumi adds a random suffix to make the physical names; local tools that stand up the same pipeline without
Pulumi (the demo on the emulator) use these names as they are, so both places name things the same way.
"""

from __future__ import annotations

from dataclasses import dataclass


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

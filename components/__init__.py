"""Reusable Pulumi components of the tracking pipeline, on top of a Pulumi-free core.

Layers, one way:
- `components.core`: pure data and functions (the data dictionary, the S3 key layout, the endpoint's routes and
  templates, resource names, IAM documents, service limits, the pipeline's arguments, the stack files' config keys
  and the stack outputs' names). It imports neither Pulumi nor `ingest`, so the `ingest` tool and a Lambda package
  can use it without loading the Pulumi SDK.
- `components.tracking_pipeline`, `components.http_endpoint`, `components.catalog`, `components.ingest_job`: the
  ComponentResources, which turn the core into pulumi-aws resources; `components.alarms` (the one alarm builder) and
  `components.component_outputs` (outputs listed once) are what they share.

`TrackingPipeline` and `IngestJob` are loaded on first use (PEP 562), so `import components.core...` stays cheap
and Pulumi-free (the Lambda archive ships this file); the Args never read stack configuration, so any stack can
build one component (or several) with its own values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .core.job_settings import IngestJobArgs, IngestJobArgsError
from .core.settings import TrackingPipelineArgs, TrackingPipelineArgsError

if TYPE_CHECKING:
    from .ingest_job import IngestJob, IngestJobTarget
    from .tracking_pipeline import TrackingPipeline

__all__ = [
    "IngestJob",
    "IngestJobArgs",
    "IngestJobArgsError",
    "IngestJobTarget",
    "TrackingPipeline",
    "TrackingPipelineArgs",
    "TrackingPipelineArgsError",
]


def __getattr__(name: str) -> Any:
    if name == "TrackingPipeline":
        from .tracking_pipeline import TrackingPipeline

        return TrackingPipeline
    if name in ("IngestJob", "IngestJobTarget"):
        from . import ingest_job

        return getattr(ingest_job, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""Reusable Pulumi components of the tracking pipeline.

`TrackingPipeline` takes all its settings as `TrackingPipelineArgs` and never reads stack configuration, so any
stack can build one (or several) with its own values.
"""

from .args import TrackingPipelineArgs, TrackingPipelineArgsError
from .tracking_pipeline import TrackingPipeline

__all__ = ["TrackingPipeline", "TrackingPipelineArgs", "TrackingPipelineArgsError"]

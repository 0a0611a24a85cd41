"""The tracking-pipeline program: read this stack's config, build one TrackingPipeline (and, when the stack enables it,
the IngestJob that pulls the source into it), export their outputs."""

import pulumi
from pulumi.runtime import config as runtime_config

from components import TrackingPipeline
from components.core.stack_config import INGEST_JOB_NAME, PIPELINE_NAME, PROJECT, job_args_from_config, stack_args
from components.core.stack_outputs import JOB_OUTPUTS, PIPELINE_OUTPUTS, StackOutput


def read_pulumi_config() -> dict[str, object]:
    """The raw values of the current stack, as the Pulumi engine hands them to the program.

    Every key under the project namespace is read, not only the known ones, so that a misspelt key in a
    stack file fails the preview instead of being silently ignored.
    """
    prefix = f"{PROJECT}:"
    present = set(runtime_config.CONFIG.get()) | set(runtime_config.get_config_env() or {})
    config = pulumi.Config(PROJECT)
    raw = {key[len(prefix) :]: config.get(key[len(prefix) :]) for key in present if key.startswith(prefix)}
    return {key: value for key, value in raw.items() if value is not None}


def export_outputs(component: pulumi.ComponentResource, table: tuple[StackOutput, ...]) -> None:
    """Every output of the table the component has; one it left None (the endpoint's, when there is none) is not
    exported at all, so `pulumi stack output` never shows an empty value."""
    for output in table:
        value = getattr(component, output.attribute)
        if value is not None:
            pulumi.export(output.key, value)


config = read_pulumi_config()
args = stack_args(config, pulumi.get_stack())
job_args = job_args_from_config(config)
pipeline = TrackingPipeline(PIPELINE_NAME, args=args)

export_outputs(pipeline, PIPELINE_OUTPUTS)
if job_args is not None:
    from components import IngestJob, IngestJobTarget

    export_outputs(IngestJob(INGEST_JOB_NAME, IngestJobTarget.of_pipeline(pipeline, args), job_args), JOB_OUTPUTS)

"""Logical names of the pipeline's main resources, derived from the component's name.

Pulumi adds a random suffix to make the physical names; local tools that stand up the same pipeline without
Pulumi (the demo on the emulator) use these names as they are, so both places name things the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .catalog import glue_identifier, table_name
from .data_dictionary import load_record_schema

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
    query_results_bucket: str
    catalog: str

    @classmethod
    def for_pipeline(cls, name: str) -> PipelineNames:
        return cls(
            stream=f"{name}-stream",
            bucket=f"{name}-bucket",
            delivery_stream=f"{name}-delivery",
            firehose_role=f"{name}-firehose-role",
            log_group=f"{name}-delivery-logs",
            query_results_bucket=f"{name}-query-results",
            catalog=f"{name}-catalog",
        )


@dataclass(frozen=True)
class CatalogNames:
    """Physical names of the Glue database, table and Athena workgroup. Unlike the resources above they get no
    random suffix (Athena users type them), so they include the stack: two stacks in one account must not share a
    database or a workgroup."""

    database: str
    table: str
    workgroup: str

    @classmethod
    def for_pipeline(cls, name: str, stack: str) -> CatalogNames:
        return cls(
            database=glue_identifier(f"{name}_{stack}"),
            table=table_name(load_record_schema()),
            workgroup=f"{name}-{stack}",
        )

    def qualified_table(self) -> str:
        """How a query names the table in Athena, whatever the session's current database."""
        return f'"{self.database}"."{self.table}"'


def pipeline_tags(name: str, tags: Mapping[str, str] | None) -> dict[str, str]:
    """The caller's tags plus the pipeline's name, so that the resources of several pipelines in one account can
    be told apart (the caller's own tags win on a clash)."""
    return {"tracking-pipeline": name, **(tags or {})}

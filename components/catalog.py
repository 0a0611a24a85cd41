"""QueryCatalog: the Glue database and table over the delivered data, and the Athena workgroup that queries it.

Everything it declares comes from the Pulumi-free core: the table's columns, partition keys, projection and
storage format from `core.catalog` (itself read from the data dictionary and the S3 key layout), the named queries
from the SQL files of `core.queries`, which the local tool runs unchanged with DuckDB.

The workgroup enforces its configuration (clients cannot send results elsewhere, unencrypted, or lift the limit):
results go to the given bucket and prefix, encrypted with the pipeline's customer key (SSE_KMS) or SSE_S3, and a
query that scans more than `bytes_scanned_cutoff_mb` is cancelled.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .component_outputs import publish_outputs
from .core.catalog import STORAGE_FORMATS, partition_keys, table_columns, table_parameters
from .core.data_dictionary import load_record_schema
from .core.named_queries import load_named_queries

TYPE_TOKEN = "tracking:index:QueryCatalog"
ATHENA_ENGINE_VERSION = "Athena engine version 3"
"""Trino-based: the dialect the named queries are written for."""
MB = 1_000_000


@dataclass(frozen=True, kw_only=True)
class QueryCatalogArgs:
    database_name: str
    """Glue database (lower case, letters, digits, underscores)."""
    table_name: str
    """Glue table inside it."""
    workgroup_name: str
    """Athena workgroup."""
    data_bucket: pulumi.Input[str]
    """Bucket the delivered objects are in."""
    data_prefix: str
    """Folder of the delivered objects (the table's location); the partitions are below it."""
    record_format: str
    """json or parquet: the table's SerDe and file format."""
    results_bucket: pulumi.Input[str]
    """Bucket Athena writes query results to."""
    results_prefix: str = "athena/"
    """Folder of the results inside it."""
    bytes_scanned_cutoff_mb: int
    """Athena cancels a query that scans more than this (MB, >= 10)."""
    kms_key_arn: pulumi.Input[str] | None = None
    """Customer key for the results (SSE_KMS); None: SSE_S3."""
    account_id: pulumi.Input[str]
    """The results bucket's expected owner: Athena refuses to write results to a bucket someone else owns."""
    force_destroy: bool = False
    """Let `pulumi destroy` delete the workgroup with the queries users saved in it."""
    tags: pulumi.Input[Mapping[str, str]]


class QueryCatalog(pulumi.ComponentResource):
    database_name: pulumi.Output[str]
    table_name: pulumi.Output[str]
    workgroup_name: pulumi.Output[str]
    table: aws.glue.CatalogTable
    """Firehose's format conversion reads it: the delivery stream depends on it."""

    def __init__(self, name: str, args: QueryCatalogArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        self._name = name
        self._args = args
        database = aws.glue.CatalogDatabase(
            f"{name}-database",
            name=args.database_name,
            description="The tracking pipeline's delivered records (tables generated from the data dictionary)",
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.table = self._table(database)
        workgroup = self._workgroup()
        self._named_queries(database, workgroup)

        publish_outputs(
            self,
            {"database_name": database.name, "table_name": self.table.name, "workgroup_name": workgroup.name},
        )

    def _table(self, database: aws.glue.CatalogDatabase) -> aws.glue.CatalogTable:
        args = self._args
        storage = STORAGE_FORMATS[args.record_format]
        location = pulumi.Output.concat("s3://", args.data_bucket, "/", args.data_prefix)
        return aws.glue.CatalogTable(
            f"{self._name}-table",
            name=args.table_name,
            database_name=database.name,
            description="One 5-minute USDT/ETH interval per row, as delivered by Firehose (see docs/query.md)",
            table_type="EXTERNAL_TABLE",
            parameters=location.apply(lambda url: table_parameters(args.record_format, url)),
            partition_keys=[{"name": key.name, "type": key.type, "comment": key.comment} for key in partition_keys()],
            storage_descriptor={
                "location": location,
                "input_format": storage.input_format,
                "output_format": storage.output_format,
                "ser_de_info": {
                    "name": storage.classification,
                    "serialization_library": storage.serialization_library,
                    "parameters": dict(storage.serde_parameters),
                },
                "columns": [
                    {"name": column.name, "type": column.type, "comment": column.comment}
                    for column in table_columns(load_record_schema())
                ],
            },
            opts=pulumi.ResourceOptions(parent=database),
        )

    def _workgroup(self) -> aws.athena.Workgroup:
        args = self._args
        if args.kms_key_arn is not None:
            encryption: aws.athena.WorkgroupConfigurationResultConfigurationEncryptionConfigurationArgsDict = {
                "encryption_option": "SSE_KMS",
                "kms_key_arn": args.kms_key_arn,
            }
        else:
            encryption = {"encryption_option": "SSE_S3"}
        # https://docs.aws.amazon.com/athena/latest/APIReference/API_WorkGroupConfiguration.html
        return aws.athena.Workgroup(
            f"{self._name}-workgroup",
            name=args.workgroup_name,
            description="Queries over the tracking pipeline's delivered records; settings enforced",
            force_destroy=args.force_destroy,
            configuration={
                "enforce_workgroup_configuration": True,
                "publish_cloudwatch_metrics_enabled": True,
                "bytes_scanned_cutoff_per_query": args.bytes_scanned_cutoff_mb * MB,
                "requester_pays_enabled": False,
                "engine_version": {"selected_engine_version": ATHENA_ENGINE_VERSION},
                "result_configuration": {
                    "output_location": pulumi.Output.concat("s3://", args.results_bucket, "/", args.results_prefix),
                    "encryption_configuration": encryption,
                    "expected_bucket_owner": args.account_id,
                },
            },
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _named_queries(
        self, database: aws.glue.CatalogDatabase, workgroup: aws.athena.Workgroup
    ) -> list[aws.athena.NamedQuery]:
        qualified = f'"{self._args.database_name}"."{self._args.table_name}"'
        return [
            aws.athena.NamedQuery(
                f"{self._name}-{query.name.replace('_', '-')}",
                name=query.name,
                description=query.description,
                database=database.name,
                workgroup=workgroup.id,
                query=query.render(qualified),
                opts=pulumi.ResourceOptions(parent=workgroup),
            )
            for query in load_named_queries()
        ]

"""The Pulumi-free core that the component (`components`) and the tool (`ingest`) share.

Everything here is plain data and pure functions of plain values: the data dictionary (`data_dictionary`, one JSON
Schema file), the endpoint's request models (`api_models`), routes and mapping templates (`endpoint`), the S3 key
layout (`layout`), resource names (`naming`), IAM documents (`iam`), service limits (`limits`), the pipeline's
arguments and their checks (`settings`), the stack files (`stack_config`) and the names of the stack outputs
(`stack_outputs`). It imports the standard library and
PyYAML only, never Pulumi, `components`' resources or `ingest`: an import-rules test keeps it so.
"""

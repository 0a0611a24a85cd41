"""Layer `smoke` of `ingest`, above `verify` and `run`, beside `job` and `query`: the post-deploy smoke test. `smoke()`
(in `check`) publishes to the stream a stack exports and verifies delivery to its bucket, in two public steps
(`publish_options`, then `check_published`) that the command runs separately so that only the publish step runs in
its console session; `outputs` reads the stack's outputs."""

from ingest.smoke.outputs import REQUIRED_KEYS, StackOutputs, pulumi_stack_outputs, read_outputs_file

__all__ = ["REQUIRED_KEYS", "StackOutputs", "pulumi_stack_outputs", "read_outputs_file"]

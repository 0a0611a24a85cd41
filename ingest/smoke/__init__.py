"""Layer `smoke` of `ingest`, above `verify`: the post-deploy smoke test. `smoke()` (in `check`) publishes to the stream
a stack exports and verifies delivery to its bucket; `outputs` reads the stack's outputs."""

from ingest.smoke.outputs import REQUIRED_KEYS, StackOutputs, pulumi_stack_outputs, read_outputs_file

__all__ = ["REQUIRED_KEYS", "StackOutputs", "pulumi_stack_outputs", "read_outputs_file"]

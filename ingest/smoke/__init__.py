"""What the post-deploy smoke test needs besides `publish` and `verify`: the stack's outputs.

The test itself (`ingest.commands.smoke`) lives with its command, like `publish`, so it can call `publish()`
without an import cycle.
"""

from ingest.smoke.outputs import REQUIRED_KEYS, StackOutputs, pulumi_stack_outputs, read_outputs_file

__all__ = ["REQUIRED_KEYS", "StackOutputs", "pulumi_stack_outputs", "read_outputs_file"]

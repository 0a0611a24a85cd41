"""Entry point the engine runs for `pulumi preview --policy-pack policy`: serve the pack's policies, all mandatory.

Constructing PolicyPack starts a gRPC server and blocks until the engine stops it, so nothing imports this file;
the policies themselves live in policies.py.
"""

from policies import POLICIES
from pulumi_policy import EnforcementLevel, PolicyPack

PolicyPack(name="tracking-pipeline", policies=POLICIES, enforcement_level=EnforcementLevel.MANDATORY)
